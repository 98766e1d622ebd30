"""`serve` (the default): the web app; the page is served at once, the model loads in the
background."""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from cli.api_options import api_arguments, api_middleware, api_routes
from cli.common import backend_options, common_arguments
from models.environment import settings

HELP = "serve the Gradio chat (the default)"


def add_arguments(p) -> None:
    common_arguments(p)
    p.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    p.add_argument("--share", action="store_true", help="also serve on a public gradio.live link")
    p.add_argument("--allow-any-model", action="store_true",
                   default=settings().allow_any_model,
                   help="let the page load hub ids and server folders, not only presets "
                        "(env HINTMT_ALLOW_ANY_MODEL=1)")
    api_arguments(p)
    p.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"),
                   help="the server log's level (one line per API request at info)")
    p.add_argument("--log-format", default="text", choices=("text", "json"),
                   help="json: one JSON object a line, an API request's fields as keys")


def run(args) -> int:
    configure_logging(args.log_level, args.log_format)
    started = time.perf_counter()
    from chat.feedback import Feedback
    from chat.identity import browser_secret
    from chat.model_host import ModelHost
    from chat.session import ChatSession
    from storage import open_store

    store = open_store(args.db)
    host = ModelHost(args.model, adapter=args.adapter, style=args.style, **backend_options(args))
    host.start()
    from web.ui import build_ui, launch  # gradio: the slow import, after the model load started

    data_dir = Path(getattr(store, "path", None) or "data").resolve()
    data_dir = data_dir.parent if data_dir.suffix else data_dir
    session, feedback = ChatSession(store, host), Feedback(store)
    demo = build_ui(session, feedback, host, browser_secret(data_dir),
                    allow_any_model=args.allow_any_model)
    from storage import CampaignStore
    from web.campaign_page import add_campaign_page

    add_campaign_page(demo, CampaignStore(store))  # /campaign: annotators and the owner's dashboard
    logging.getLogger("hintmt").info("UI built in %.1f s; database %s", time.perf_counter() - started,
                                     store.url)
    routes = api_routes(args, session, feedback)
    from api.cors import cors_first

    launch(demo, args.host, args.port, share=args.share, routes=routes, middleware=api_middleware(args, routes),
           lifespan=cors_first)
    return 0


def configure_logging(level: str, form: str) -> None:
    """The server's log on stderr: text lines, or JSON lines (api/request_log.py ``JsonLines``)."""
    handler = logging.StreamHandler()
    if form == "json":
        from api.request_log import JsonLines

        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=getattr(logging, level.upper()), handlers=[handler], force=True)
