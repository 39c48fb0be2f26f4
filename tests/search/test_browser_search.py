"""The header search box in a real Chromium against a real `kb serve`: server search while the service
is up, the static index when it is down, results as text, and `search` events through the queue."""

from __future__ import annotations

import functools
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import wait_until
from tests.service.conftest import Server
from tests.sitebuild import copy_tiny, kb

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture
def server(starter_site: Path, tmp_path: Path) -> Iterator[Server]:
    """`kb serve --no-build` over the built starter site, SQLite, rate limit off."""
    data = tmp_path / "data"
    shutil.copytree(starter_site.parent / ".kb-data" / "search", data / "search")  # the build's server index
    srv = Server(starter_site, f"sqlite:///{data / 'events.sqlite3'}", data, ["--rate-limit", "0"]).start()
    yield srv
    srv.stop()


def _wait_for(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _stored(server: Server) -> list[dict[str, Any]]:
    store = server.store()
    try:
        return [e for e in store.iter_events() if e["type"] == "search"]
    finally:
        store.close()


def _search(page: Page, text: str) -> list[str]:
    page.locator("header input[name=q]").click()
    page.locator("header input[name=q]").press_sequentially(text, delay=15)
    wait_until(page, f"document.getElementById('kb-search-results').dataset.query === {json.dumps(text)}")
    return [a.get_attribute("data-id") or "" for a in page.locator(".kb-search__link").all()]


def test_with_the_service_a_typo_finds_the_article(browser: Browser, server: Server) -> None:
    page = browser.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(f"{server.base}/")
    ids = _search(page, "el moviil no reccibe correos")
    assert "correo-movil-no-sincroniza" in ids[:3]
    assert any("/api/search?q=el+moviil+no+reccibe+correos" in u for u in asked)
    assert not any("/search/meta.json" in u for u in asked)  # the static index was not needed
    first = page.locator(".kb-search__hit").first
    assert first.locator(".kb-badge").all_inner_texts()[0] in ("Protocolo", "Guía", "Solución")
    meta = page.locator("[data-kb-search-meta]").inner_text()
    assert "sin conexión" not in meta and "moviil" not in meta
    # a pause sends one search event (no per-keystroke events); a click sends the clicked id
    _wait_for(lambda: len(_stored(server)) == 1)
    (paused,) = _stored(server)
    assert (paused["query"], paused["results"], paused.get("clicked"), paused["source"]) == (
        "el moviil no reccibe correos", 10, None, "server")
    page.locator(".kb-search__link[data-id='correo-movil-no-sincroniza']").click()
    page.wait_for_url("**/movil/correo-movil-no-sincroniza/")
    _wait_for(lambda: len(_stored(server)) == 2)
    clicked = [e for e in _stored(server) if e.get("clicked")]
    assert [(e["clicked"], e["source"]) for e in clicked] == [("correo-movil-no-sincroniza", "server")]
    page.close()


@pytest.fixture
def static_host(starter_site: Path) -> Iterator[str]:
    """The built site on a plain static file server (as nginx would serve it) with no kb service
    behind it: /api/search does not exist. Yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(starter_site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(10)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_without_the_service_the_static_index_answers(browser: Browser, static_host: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(f"{static_host}/red/vaciar-cache-dns/")
    ids = _search(page, "impresroa no imprime")
    assert "impresora-no-imprime" in ids[:3]
    assert any("/api/search?" in u for u in asked)  # asked the service first, once
    assert any(u.endswith("/search/meta.json") for u in asked)
    assert "búsqueda sin conexión" in page.locator("[data-kb-search-meta]").inner_text()
    page.locator("header input[name=q]").fill("")
    asked.clear()
    ids = _search(page, "contrasena caducda")  # no ñ and a typo
    assert "contrasena-caducada" in ids[:3]
    assert not any("/api/search?" in u for u in asked)  # the service is known to be down for a while
    href = page.locator(".kb-search__link").first.get_attribute("href") or ""
    page.locator("header input[name=q]").press("Enter")  # submit: the first result opens
    page.wait_for_url(href)
    queued = page.evaluate("KB.events.queue().filter(e => e.type === 'search')")
    assert ("contrasena caducda", ids[0], "static") in {(e["query"], e.get("clicked"), e["source"]) for e in queued}
    context.close()


def test_results_are_text_never_markup(browser: Browser, tmp_path: Path) -> None:
    """A hostile title is shown literally in the results (they are built with textContent)."""
    root = copy_tiny(tmp_path / "repo")
    art = root / "kb" / "red" / "cable-suelto.md"
    hostile = "<img src=x onerror=window.pwned=1> Cable"
    art.write_text(art.read_text(encoding="utf-8").replace("title: El cable de red está suelto",
                                                           f"title: {json.dumps(hostile)}"), encoding="utf-8")
    assert kb("build", "--root", str(root)).returncode == 0
    data = tmp_path / "data"
    srv = Server(root / "site", f"sqlite:///{data / 'e.sqlite3'}", data, ["--rate-limit", "0"]).start()
    try:
        for down in (False, True):
            page = browser.new_page()
            page.goto(f"{srv.base}/")
            if down:
                page.evaluate("sessionStorage.setItem('kb.search.down', String(Date.now() + 60000))")
            _search(page, "cable suelto")
            assert page.locator(".kb-search__title", has_text=hostile).count() == 1
            assert page.locator(".md-search-result img").count() == 0
            assert page.evaluate("window.pwned === undefined")
            page.close()
    finally:
        srv.stop()
