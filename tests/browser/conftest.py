"""Fixtures for the protocol runner's browser tests: built sites, a static server, Debian's Chromium.

The real starter content (``protocols/``, ``kb/``) is built once per session; a tiny variant
(instant navigation on, a hostile step title) is built for the navigation and escaping tests.
Chromium comes from Debian (`scripts/test-deps`), driven by Playwright; never downloaded.
"""

from __future__ import annotations

import functools
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from generator.model.catalog import Catalog
from generator.pipeline.validation import validate_tree
from tests.sitebuild import REPO, TODAY, copy_tiny, kb

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
T0 = datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC)  # 10:00 in Madrid, the browser's time zone here
ZONE = "Europe/Madrid"
XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"


class _Handler(SimpleHTTPRequestHandler):
    """Serves a built site; POSTs (the event queue's deliveries) get 503, so events stay queued."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()


@dataclass
class Site:
    root: Path  # the built site folder
    base: str  # http://127.0.0.1:<port>

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(folder: Path, port: int = 0) -> Iterator[Site]:
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Handler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(folder, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The starter content, read and validated the way the build does (expected texts come from it)."""
    result = validate_tree(REPO, datetime.fromisoformat(TODAY).date())
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.catalog


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The starter content built with `kb build` and served on a free loopback port."""
    out = tmp_path_factory.mktemp("runner") / "site"
    result = kb("build", "--root", str(REPO), "-d", str(out))
    assert result.returncode == 0, result.stderr
    yield from _serve(out)


@pytest.fixture(scope="session")
def tiny_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The tiny fixture with Material's instant navigation on and a hostile title on step 2.

    Instant navigation follows links found in the sitemap, whose URLs come from ``site_url``
    (host and port must match), so the port is chosen before the build."""
    port = _free_port()
    root = copy_tiny(tmp_path_factory.mktemp("tiny-runner") / "repo")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "theme:\n", f"site_url: http://127.0.0.1:{port}/\ntheme:\n  features:\n    - navigation.instant\n", 1),
        encoding="utf-8")
    proto = root / "protocols" / "sin-conexion.yml"
    proto.write_text(proto.read_text(encoding="utf-8").replace(
        "title: Comprobar el DNS", f"title: {json.dumps(XSS)}").replace(
        "      - label: Sí\n        next: escalar", f"      - label: {json.dumps(XSS)}\n        next: escalar"),
        encoding="utf-8")
    result = kb("build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    yield from _serve(root / "site", port)


def new_context(browser: Browser, site: Site, **options: Any) -> BrowserContext:
    """A fresh profile (empty storage) in Madrid time, clock fixed at T0, clipboard allowed."""
    ctx = browser.new_context(timezone_id=ZONE, locale="es-ES", **{"viewport": {"width": 1280, "height": 900},
                                                                     **options})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base)
    ctx.clock.set_fixed_time(T0)
    return ctx


@pytest.fixture
def ctx(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    """A fresh desktop browser profile for the starter site."""
    c = new_context(browser, site)
    yield c
    c.close()


@pytest.fixture
def page(ctx: BrowserContext) -> Iterator[Page]:
    """A tab of ``ctx``; the test errors if the page logs a JavaScript error."""
    p = watched(ctx.new_page())
    yield p
    assert p.kb_errors == []  # type: ignore[attr-defined]


def watched(page: Page) -> Page:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "503" not in m.text else None)
    page.set_default_timeout(10_000)
    page.kb_errors = errors  # type: ignore[attr-defined]
    return page
