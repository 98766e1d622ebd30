"""The API routes from the session layer: what `cli/serve.py` adds to the page's server."""
from __future__ import annotations

from fastapi import APIRouter

from chat.feedback import Feedback
from chat.session import ChatSession

from api.keys import KeyGate, Limits
from api.libretranslate import LibreTranslateRoutes
from api.openai_compat import OpenAIRoutes
from api.service import ApiTurns


def build_router(session: ChatSession, feedback: Feedback, limits: Limits) -> APIRouter:
    """LibreTranslate's routes at the root and OpenAI's under /v1, sharing keys and limits."""
    turns = ApiTurns(session, feedback)
    gate = KeyGate(session.store, limits)
    router = APIRouter()
    router.include_router(LibreTranslateRoutes(turns, gate).router())
    router.include_router(OpenAIRoutes(turns, gate).router())
    return router


def root_paths() -> frozenset[str]:
    """The paths of the API's routes at the root (everything under /v1 is the API's too)."""
    return frozenset(LibreTranslateRoutes.PATHS)


def build_routes(session: ChatSession, feedback: Feedback, limits: Limits) -> list:
    """The routes as a list (for a FastAPI app's ``routes=``, ahead of the page's own)."""
    return list(build_router(session, feedback, limits).routes)
