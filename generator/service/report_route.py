"""`/report` in `kb serve`: the report, computed from the stored events, behind a token.

Never public: without KB_REPORT_TOKEN in the environment the report is off (403). With it,
a request needs `Authorization: Bearer <token>` or Basic auth whose password is the token
(any user name), compared in constant time; otherwise 401. Comments can hold personal data.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from generator.report.metrics import Filters
from generator.report.output import THEME_REPORT, render_html
from generator.report.sqlreport import report_from_store
from generator.service.store import Store

TOKEN_ENV = "KB_REPORT_TOKEN"
CACHE_SECONDS = 60
HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


def _authorized(request: Request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return hmac.compare_digest(value.strip().encode(), token.encode())
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        _, _, password = decoded.partition(":")
        return hmac.compare_digest(password.encode(), token.encode())
    return False


class ReportPages:
    def __init__(self, store: Store, site: Path, env: dict[str, str] | None = None) -> None:
        self.store = store
        self.site = site
        self.token = (env if env is not None else os.environ).get(TOKEN_ENV, "")
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _manifest(self) -> dict[str, Any]:
        path = self.site / "kb-manifest.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def _report(self) -> dict[str, Any]:
        with self._lock:
            hit = self._cache.get("report")
            if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
                return hit[1]
            report = report_from_store(self.store, self._manifest(), Filters(), date.today())
            self._cache["report"] = (time.monotonic(), report)
            return report

    def guard(self, handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def wrapped(request: Request) -> Response:
            if not self.token:
                return JSONResponse({"error": f"the report is off: set {TOKEN_ENV} to turn it on"}, 403,
                                    headers=HEADERS)
            if not _authorized(request, self.token):
                return JSONResponse({"error": "credentials required"}, 401,
                                    headers={**HEADERS, "WWW-Authenticate": 'Basic realm="kb report"'})
            response: Response = await handler(request)
            response.headers.update(HEADERS)
            return response
        return wrapped

    async def html(self, request: Request) -> Response:
        lang = "en" if request.query_params.get("lang") == "en" else "es"
        report = await run_in_threadpool(self._report)
        return HTMLResponse(render_html(report, lang))

    async def json(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(self._report))

    async def css(self, request: Request) -> Response:
        return FileResponse(THEME_REPORT / "report.css", media_type="text/css")

    def routes(self) -> list[BaseRoute]:
        async def slash(request: Request) -> Response:
            return RedirectResponse("/report/", 308)

        return [
            Route("/report", slash, methods=["GET"]),
            Route("/report/", self.guard(self.html), methods=["GET"]),
            Route("/report/report.json", self.guard(self.json), methods=["GET"]),
            Route("/report/report.css", self.guard(self.css), methods=["GET"]),
        ]
