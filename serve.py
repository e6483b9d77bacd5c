"""Server entry point for hosting: the same app as app.py plus a readiness route.

    streamlit run serve.py --server.address 0.0.0.0

`streamlit run app.py` serves the same app (local use, Streamlit Community Cloud). This file
wraps app.py in `st.App` (Streamlit's ASGI application) to add:
- migrations applied when the server starts, before the first visitor, then every
  dashboard page opened once by the server itself (`smmkpi.ui.warmup`), so the first
  visitors find the default view's figures computed;
- `GET /healthz`: 200 `ok` when the database answers `SELECT 1`, else 503 (for a load
  balancer's readiness check). `/_stcore/health` (liveness: the server is up) is Streamlit's.
- hosted (an `[auth]` section in secrets): `/_stcore/metrics`, which Streamlit serves
  without a login (sessions, memory, per-user labels), answers 404.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st
from sqlalchemy import Engine, text
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from smmkpi import db
from smmkpi.config import get_settings

log = logging.getLogger("smmkpi.serve")
_engine: Engine | None = None


def engine() -> Engine:
    """One small engine per process for the readiness check (not the app's pool)."""
    global _engine
    if _engine is None:
        _engine = db.make_engine(get_settings().database_url)
    return _engine


def readiness() -> tuple[int, str]:
    """(HTTP status, body): does the database answer? Never says why in the body (no URLs
    or passwords leak); the reason goes to the server log."""
    try:
        with engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # any driver error means "not ready"
        log.warning("readiness: the database does not answer: %s", e)
        return 503, "database unavailable"
    return 200, "ok"


def healthz(request: Request) -> PlainTextResponse:  # sync: Starlette runs it in a thread
    status, body = readiness()
    return PlainTextResponse(body, status_code=status,
                             headers={"Cache-Control": "no-store"})


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Apply migrations at start, then warm every dashboard page in the background
    (smmkpi.ui.warmup). A database that is down does not stop the server: /healthz says
    503 until it answers, and the app migrates on first use."""
    try:
        db.migrate(engine())
    except Exception as e:
        log.error("migrations not applied at start (will retry on first use): %s", e)
    else:
        from smmkpi.ui import warmup
        from smmkpi.ui.shell import dashboard_pages

        warmup.start_when_served(get_settings().database_url, dashboard_pages())
    yield


def _hosted() -> bool:
    from smmkpi.ui.hosting import hosted

    return hosted()


class CloseInternals:
    """ASGI middleware: Streamlit's metrics endpoint is closed when hosted."""

    CLOSED = ("/_stcore/metrics",)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "").rstrip("/")
        if scope["type"] == "http" and path.endswith(self.CLOSED) and _hosted():
            await PlainTextResponse("not found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


app = st.App("app.py", routes=[Route("/healthz", healthz, methods=["GET"])],
             lifespan=lifespan, middleware=[Middleware(CloseInternals)])
