"""`/report` in `kb serve`: the report, computed from the stored events, behind a token.

Never public: without KB_REPORT_TOKEN in the environment the report is off (403). With it,
a request needs `Authorization: Bearer <token>` or Basic auth whose password is the token
(any user name), compared in constant time; otherwise 401. Comments can hold personal data.
A token shorter than MIN_TOKEN characters is refused at start; failed attempts are throttled
per client (429 after MAX_FAILURES in a minute); everything under /report/ is behind the token,
files written there by `kb report --out site/report` included.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from generator.diagnostics import ContentError
from generator.model.manifest import Manifest
from generator.pipeline.manifest import read_manifest
from generator.report.build import compute_report
from generator.report.common import Filters, parse_ts
from generator.report.config import ReportConfig, load_config
from generator.report.output import THEME_REPORT, render_html
from generator.service.security import RateLimiter
from generator.store import Store

TOKEN_ENV = "KB_REPORT_TOKEN"
MIN_TOKEN = 16
MAX_FAILURES = 10  # failed attempts per client per minute before 429
MAKE_TOKEN = "python3 -c 'import secrets; print(secrets.token_urlsafe(24))'"


class WeakToken(ValueError):
    """KB_REPORT_TOKEN is too short to stand up to guessing."""


def check_token(env: Mapping[str, str]) -> None:
    token = env.get(TOKEN_ENV, "")
    if token and len(token) < MIN_TOKEN:
        raise WeakToken(f"{TOKEN_ENV}: expected at least {MIN_TOKEN} characters, found {len(token)}; make one "
                        f"with: {MAKE_TOKEN}")
CACHE_SECONDS = 60
HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
}


PERIOD_DAYS = (7, 30, 90)


def period_filters(params: Any, today: date) -> tuple[Filters, str]:
    """``?days=7|30|90`` (ending today) or ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (to excluded); nothing: all time.
    Returns the filters and the chosen period's key ("7", "30", "90", "custom" or "")."""
    days, start, end = params.get("days"), params.get("from"), params.get("to")
    if days:
        if days not in {str(d) for d in PERIOD_DAYS}:
            raise ValueError(f"days: expected one of {', '.join(map(str, PERIOD_DAYS))}, found {days[:20]!r}")
        end_of_today = datetime.combine(today + timedelta(days=1), dtime(), UTC)
        return Filters(since=end_of_today - timedelta(days=int(days)), until=end_of_today), days
    if start or end:
        try:
            since = parse_ts(start) if start else None
            until = parse_ts(end) if end else None
        except ValueError:
            raise ValueError("from, to: expected dates as YYYY-MM-DD") from None
        if since and until and until <= since:
            raise ValueError("to: expected a date after from")
        return Filters(since=since, until=until), "custom"
    return Filters(), ""


def period_links(lang: str, chosen: str) -> list[tuple[str, str, bool]]:
    from generator.report.labels import labels

    t = labels(lang)
    suffix = "&lang=en" if lang == "en" else ""
    links = [(t["last_days"].format(n=d), f"?days={d}{suffix}", chosen == str(d)) for d in PERIOD_DAYS]
    return [*links, (t["all_time"], f"?{suffix.lstrip('&')}" if suffix else "./", chosen == "")]


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
    def __init__(self, store: Store, site: Path, env: Mapping[str, str] | None = None,
                 client_key: Callable[[Request], str] | None = None) -> None:
        environ = env if env is not None else os.environ
        check_token(environ)
        self.store = store
        self.site = site
        self.token = environ.get(TOKEN_ENV, "")
        self.client_key = client_key or (lambda request: request.client.host if request.client else "unknown")
        self.failures = RateLimiter(MAX_FAILURES)
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _manifest(self) -> Manifest:
        return read_manifest(self.site) or Manifest()

    def _config(self) -> ReportConfig:
        try:
            return load_config(self.site.parent)  # kb-report.yml beside the built site, if any
        except ContentError:
            return ReportConfig()  # `kb report` names the problem; the page keeps working with the defaults

    def _report(self, filters: Filters) -> dict[str, Any]:
        key = repr(filters)
        with self._lock:
            hit = self._cache.get(key)
            if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
                return hit[1]
            report = compute_report(manifest=self._manifest(), filters=filters, today=date.today(),
                                    config=self._config(), store=self.store)
            if len(self._cache) > 32:
                self._cache.clear()
            self._cache[key] = (time.monotonic(), report)
            return report

    def guard(self, handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def wrapped(request: Request) -> Response:
            if not self.token:
                return JSONResponse({"error": f"the report is off: set {TOKEN_ENV} to turn it on"}, 403,
                                    headers=HEADERS)
            client = self.client_key(request)
            if not self.failures.has_tokens(client):
                return JSONResponse({"error": "too many failed attempts; retry later"}, 429,
                                    headers={**HEADERS, "Retry-After": "60"})
            if not _authorized(request, self.token):
                self.failures.allow(client)  # spends one of the client's attempts
                return JSONResponse({"error": "credentials required"}, 401,
                                    headers={**HEADERS, "WWW-Authenticate": 'Basic realm="kb report"'})
            response: Response = await handler(request)
            response.headers.update(HEADERS)
            return response
        return wrapped

    async def html(self, request: Request) -> Response:
        lang = "en" if request.query_params.get("lang") == "en" else "es"
        try:
            filters, chosen = period_filters(request.query_params, date.today())
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        report = await run_in_threadpool(self._report, filters)
        return HTMLResponse(render_html(report, lang, periods=period_links(lang, chosen)))

    async def json(self, request: Request) -> Response:
        try:
            filters, _ = period_filters(request.query_params, date.today())
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse(await run_in_threadpool(self._report, filters))

    async def css(self, request: Request) -> Response:
        return FileResponse(THEME_REPORT / "report.css", media_type="text/css")

    async def file(self, request: Request) -> Response:
        """Files under site/report/ (written by `kb report --out`): behind the token like the rest."""
        folder = (self.site / "report").resolve()
        rel = str(request.path_params.get("rest", ""))
        target = (folder / rel).resolve()
        if any(p.startswith(".") for p in rel.split("/")) or not target.is_relative_to(folder) or not target.is_file():
            return JSONResponse({"error": "not found"}, 404)
        return FileResponse(target)

    def routes(self) -> list[BaseRoute]:
        async def slash(request: Request) -> Response:
            return RedirectResponse("/report/", 308)

        return [
            Route("/report", slash, methods=["GET"]),
            Route("/report/", self.guard(self.html), methods=["GET"]),
            Route("/report/report.json", self.guard(self.json), methods=["GET"]),
            Route("/report/report.css", self.guard(self.css), methods=["GET"]),
            Route("/report/{rest:path}", self.guard(self.file), methods=["GET", "HEAD"]),
        ]
