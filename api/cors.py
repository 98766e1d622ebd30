"""CORS for the pages listed in ``--api-cors-origins``, in front of Gradio's own CORS.

Gradio adds its CORS middleware (which answers every preflight itself and, on a server reached
as localhost, allows localhost pages only) outside the app's own middleware, so a preflight from
a listed origin would never reach Starlette's ``CORSMiddleware``. ``cors_first`` is a lifespan
that moves ours to the front when the server starts (before the first request; Starlette builds
its middleware stack again from the list)."""
from __future__ import annotations

from contextlib import asynccontextmanager

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

EXPOSED = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"]


def cors_middleware(origins: list[str]) -> Middleware:
    """Starlette's CORS for ``origins`` (``*``: any) on the API's methods."""
    return Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "OPTIONS"],
                      allow_headers=["*"], expose_headers=EXPOSED)


@asynccontextmanager
async def cors_first(app):
    """Put ``CORSMiddleware`` outermost (see the module's docstring)."""
    ours = [m for m in app.user_middleware if m.cls is CORSMiddleware]
    if ours:
        app.user_middleware[:] = ours + [m for m in app.user_middleware if m.cls is not CORSMiddleware]
        app.middleware_stack = None  # rebuilt from the list by the next request
    yield
