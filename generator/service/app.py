"""Serve stage: one ASGI app for the built site and the event API.

Routes: ``POST /api/events`` (the browser's event queue delivers here),
``GET /api/search`` (the whoosh index the build wrote into ``<data>/search/server/``; 503 when
there is none, and the browser falls back to its static search), ``GET /api/health`` and
the static site. Safe by default:

* Origin: a browser request from another origin gets 403 before the body is read
  (CORS headers alone do not stop a simple cross-origin POST); allowed origins are
  configurable for a site hosted elsewhere, and get CORS answers (generator/service/security.py);
* bodies: UTF-8 JSON only, no duplicate keys, bounded depth and numbers: anything else is a 400;
* disk full: 503 with Retry-After and a JSON reason; the browser keeps the events;
* size: a body over ``max_body`` bytes gets 413, judged by Content-Length or, when
  streamed, as soon as the limit is passed, without reading the rest;
* rate: a token bucket per client (in memory only; addresses are never stored) -> 429; the client
  address comes from X-Forwarded-For only through the proxies named by ``--trust-proxy``;
* honeypot: a filled ``hp`` field gets the normal answer and nothing is stored;
* idempotent: each event id is stored once; a retry is acknowledged as success;
* no cookies are ever set, and the only file written is the database in the data folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from generator.model.manifest import Csp, Manifest
from generator.pipeline.manifest import read_manifest
from generator.service.events import SERVER_ONLY_TYPES, controls_possible, problem_json, validate_batch
from generator.service.http import error as _error
from generator.service.http import read_json_body
from generator.service.integrations import load as load_integrations
from generator.service.report_route import ReportPages
from generator.service.security import (
    RateLimiter,
    SecurityHeaders,
    SiteFiles,
    TrustedProxies,
    content_security_policy,
    manifest_hashes,
)
from generator.service.ticket_route import Outbound
from generator.service.writer import EventWriter, WriterClosed
from generator.store import StorageFull, Store, open_store

log = logging.getLogger("kb.service")

ENV_PREFIX = "KB_SERVE_"
RETRY_AFTER_FULL = 60  # seconds: the browser's queue keeps the events and tries again


@dataclass(frozen=True)
class ServiceConfig:
    site_dir: Path
    data_dir: Path
    db_url: str | None = None
    allowed_origins: tuple[str, ...] = ()
    rate_limit: int = 120  # requests per client per minute; 0 turns it off
    max_body: int = 64 * 1024
    trust_proxy: str | bool = ""  # the proxies whose forwarded headers are believed (TrustedProxies.parse)
    integrations: Path | None = None  # ticket connector, SMTP, outbound queue (default <data>/integrations.toml)

    def to_env(self) -> dict[str, str]:
        return {
            f"{ENV_PREFIX}SITE": str(self.site_dir), f"{ENV_PREFIX}DATA": str(self.data_dir),
            f"{ENV_PREFIX}DB": self.db_url or "", f"{ENV_PREFIX}ORIGINS": ",".join(self.allowed_origins),
            f"{ENV_PREFIX}RATE": str(self.rate_limit), f"{ENV_PREFIX}MAX_BODY": str(self.max_body),
            f"{ENV_PREFIX}TRUST_PROXY": str(TrustedProxies.parse(self.trust_proxy)),
            f"{ENV_PREFIX}INTEGRATIONS": str(self.integrations or ""),
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ServiceConfig:
        return cls(
            site_dir=Path(env[f"{ENV_PREFIX}SITE"]), data_dir=Path(env[f"{ENV_PREFIX}DATA"]),
            db_url=env.get(f"{ENV_PREFIX}DB") or None,
            allowed_origins=tuple(o for o in env.get(f"{ENV_PREFIX}ORIGINS", "").split(",") if o),
            rate_limit=int(env.get(f"{ENV_PREFIX}RATE", "120")),
            max_body=int(env.get(f"{ENV_PREFIX}MAX_BODY", str(64 * 1024))),
            trust_proxy=env.get(f"{ENV_PREFIX}TRUST_PROXY", ""),
            integrations=Path(env[f"{ENV_PREFIX}INTEGRATIONS"]) if env.get(f"{ENV_PREFIX}INTEGRATIONS") else None,
        )


def _same_origin(request: Request) -> str:
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}"


class EventService:
    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.trust = TrustedProxies.parse(config.trust_proxy)
        self.store: Store = open_store(config.db_url, config.data_dir)
        self.writer = EventWriter(self.store)  # every accepted batch is stored by its one thread
        self.limiter = RateLimiter(config.rate_limit)
        self.manifest = self._load_manifest(config.site_dir)

    @staticmethod
    def _load_manifest(site: Path) -> Manifest | None:
        return read_manifest(site)

    def origin_allowed(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:
            # No Origin: not a browser cross-site form post (browsers send Origin on POST).
            return request.headers.get("sec-fetch-site") not in ("cross-site",)
        return origin == _same_origin(request) or origin in self.config.allowed_origins

    def client_key(self, request: Request) -> str:
        """The client's address, for rate limits only (never stored): see TrustedProxies.client."""
        peer = request.client.host if request.client else "unknown"
        return self.trust.client(peer, request.headers.getlist("x-forwarded-for"))

    async def post_events(self, request: Request) -> Response:
        if not self.origin_allowed(request):
            return _error(403, "origin not allowed")
        if not self.limiter.allow(self.client_key(request)):
            return _error(429, "too many requests; retry later", retry_after=60)
        got = await read_json_body(request, self.config.max_body, ("application/json", "text/plain"))
        if isinstance(got, Response):
            return got
        payload, body = got
        batch = validate_batch(payload, self.manifest, controls=controls_possible(body))
        if batch.problems:
            return _error(400, "invalid events", errors=[problem_json(p) for p in batch.problems[:100]])
        server_only = [i for i, e in enumerate(batch.events) if e["type"] in SERVER_ONLY_TYPES]
        if server_only:
            return _error(400, "invalid events", errors=[{"index": server_only[0], "field": "type", "reason":
                                                          "expected an event a browser sends, found one the "
                                                          "server records"}])
        if batch.honeypot:
            return JSONResponse({"stored": len(batch.events), "duplicates": 0})
        try:
            new, dup = await self.writer.insert(batch.events)  # answered once its transaction committed
        except StorageFull as exc:
            log.error("event store full: %s", exc)
            return JSONResponse({"error": "the event store is full; the events were not stored: retry later"},
                                status_code=503, headers={"Retry-After": str(RETRY_AFTER_FULL)})
        except WriterClosed:
            return _error(503, "the service is stopping; the events were not stored: retry later", retry_after=5)
        return JSONResponse({"stored": new, "duplicates": dup})

    async def health(self, request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    def reload_manifest(self) -> None:
        """Read ``kb-manifest.json`` again (the live preview rewrote it)."""
        self.manifest = self._load_manifest(self.config.site_dir)


class SearchService:
    """``GET /api/search`` over the site's server index (generator/search/api.py checks parameters)."""

    def __init__(self, config: ServiceConfig, client_key: Any = None) -> None:
        from generator.search import open_server_index

        self.config = config
        self.client_key = client_key or (lambda request: request.client.host if request.client else "unknown")
        try:
            self.index: Any = open_server_index(config.data_dir)
        except FileNotFoundError:
            log.warning("no search index in %s: /api/search answers 503 (run 'kb build')", config.data_dir)
            self.index = None
        self.limiter = RateLimiter(config.rate_limit * 5)  # searches are reads: a looser budget than events

    async def get(self, request: Request) -> Response:
        from generator.search.api import answer

        if self.index is None:
            return _error(503, "no search index: run 'kb build'")
        if not self.limiter.allow(self.client_key(request)):
            return _error(429, "too many requests; retry later", retry_after=60)
        status, body = await run_in_threadpool(answer, self.index, dict(request.query_params))
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    def close(self) -> None:
        if self.index is not None:
            self.index.close()

    def reopen(self) -> None:
        """Open the index again: after the live preview swapped in a whole new site."""
        from generator.search import open_server_index

        old = self.index
        try:
            self.index = open_server_index(self.config.data_dir)
        except FileNotFoundError:
            self.index = None
        if old is not None:
            old.close()


class PreviewRoute:
    """``GET /api/preview[?since=N]``: the live preview's version and errors (`kb serve --watch`).

    With ``since``, the answer waits (up to ``WAIT_S``) until the version is past N: the pages'
    ``preview.js`` reloads when it is, or shows the errors that kept the site from updating."""

    WAIT_S = 25.0

    def __init__(self, preview: Any) -> None:
        self.preview = preview

    async def get(self, request: Request) -> Response:
        import asyncio

        raw = request.query_params.get("since")
        try:
            since = int(raw) if raw is not None else None
        except ValueError:
            return _error(400, f"since: expected a whole number, found {str(raw)[:40]!r}")
        deadline = time.monotonic() + self.WAIT_S
        while since is not None and self.preview.version <= since and time.monotonic() < deadline:
            if await request.is_disconnected():  # the tab was closed or reloaded
                return Response(status_code=204)
            await asyncio.sleep(0.05)
        return JSONResponse({"version": self.preview.version, "building": self.preview.building,
                             "errors": list(self.preview.errors)}, headers={"Cache-Control": "no-store"})


@contextlib.asynccontextmanager
async def _closing(service: EventService, search: SearchService | None = None,
                   outbound: Outbound | None = None) -> AsyncIterator[None]:
    service.writer.start()
    if outbound is not None:
        outbound.start()
    try:
        yield
    finally:
        if outbound is not None:
            outbound.close()
        service.writer.close()  # stores what is queued first
        service.store.close()
        if search is not None:
            search.close()


def _policy(site: Path) -> str:
    """The Content-Security-Policy of the built site: its inline scripts' hashes from kb-manifest.json."""
    csp = (read_manifest(site) or Manifest()).csp or Csp()
    return content_security_policy(manifest_hashes(csp), embeds=csp.embeds)


def create_app(config: ServiceConfig, preview: Any = None) -> Starlette:
    """The service; with ``preview`` (a generator.preview.Preview), the live preview's route too."""
    site = config.site_dir.resolve()
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"no built site in {site}: run 'kb build' first")
    service = EventService(config)
    search = SearchService(config, service.client_key)
    outbound = Outbound(config.data_dir, site, service.store,
                        load_integrations(config.integrations or config.data_dir / "integrations.toml"),
                        service.trust, service.origin_allowed)
    csp = [_policy(site)]  # recomputed when the live preview swaps in a new build

    async def method_not_allowed(request: Request) -> Response:
        return _error(405, "expected POST")

    async def not_found(request: Request) -> Response:
        return _error(404, "not found")

    app = Starlette(
        routes=[
            Route("/api/health", service.health, methods=["GET"]),
            Route("/api/events", service.post_events, methods=["POST"]),
            Route("/api/events", method_not_allowed, methods=["GET", "PUT", "DELETE", "PATCH"]),
            *ReportPages(service.store, site, client_key=service.client_key).routes(),
            *outbound.routes(),
            Route("/api/search", search.get, methods=["GET"]),
            *([Route("/api/preview", PreviewRoute(preview).get, methods=["GET"])] if preview is not None else []),
            Route("/search/server/{rest:path}", not_found),  # the server index stays server-side
            Mount("/", app=SiteFiles(directory=site, html=True), name="site"),
        ],
        middleware=[Middleware(SecurityHeaders, csp=lambda: csp[0], origins=config.allowed_origins)],
        lifespan=lambda app: _closing(service, search, outbound),
    )
    app.state.service = service
    app.state.search = search
    app.state.outbound = outbound
    if preview is not None:
        def refresh(outcome: Any) -> None:
            if outcome.kind == "full":
                search.reopen()
            elif outcome.kind == "incremental" and search.index is not None:
                search.index.refresh()
            if outcome.kind in ("full", "incremental"):
                service.reload_manifest()
            if outcome.kind == "full":
                csp[0] = _policy(site)

        preview.listeners.append(refresh)
    return app


def app_from_env() -> Starlette:
    """Factory for uvicorn workers (``--workers N``): the configuration comes from the environment."""
    return create_app(ServiceConfig.from_env(os.environ))


def serve(config: ServiceConfig, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          preview: Any = None) -> None:
    import uvicorn

    print(f"Serving {config.site_dir} at http://{host}:{port}/ (events: {config.db_url or config.data_dir}; "
          "Ctrl+C to stop)", flush=True)
    # uvicorn's proxy handling is off: it trusts X-Forwarded-For from 127.0.0.1 by default, which lets
    # any client behind a loopback proxy pick its address. --trust-proxy is the only source of trust.
    common: dict[str, Any] = {"host": host, "port": port, "log_level": "warning", "server_header": False,
                              "date_header": True, "proxy_headers": False, "forwarded_allow_ips": ""}
    if preview is not None:
        app = create_app(config, preview)
        preview.watch()
        print("Watching kb/, protocols/, the theme and mkdocs.yml: saved edits show up in open pages", flush=True)
        uvicorn.run(app, timeout_graceful_shutdown=1, **common)  # open pages hold a waiting request
    elif workers > 1:
        os.environ.update(config.to_env())
        uvicorn.run("generator.service.app:app_from_env", factory=True, workers=workers, **common)
    else:
        uvicorn.run(create_app(config), **common)
