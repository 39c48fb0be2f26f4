"""Chromium against `kb serve`: the CSP holds with 0 violations while each page is used, and a site
on another origin sends its events through CORS (issue #13, findings 4 and 9)."""

from __future__ import annotations

import functools
import http.server
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import wait_until
from tests.service.conftest import Server, free_port
from tests.sitebuild import copy_tiny, kb

TOKEN = "report-token-" + "k" * 20
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture(scope="module")
def served(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("csp") / "data"
    srv = Server(site, f"sqlite:///{data / 'events.sqlite3'}", data, ["--rate-limit", "0"],
                 env={"KB_REPORT_TOKEN": TOKEN}).start()
    yield srv
    srv.stop()


def _open(browser: Browser, url: str, **context: Any) -> Page:
    page = browser.new_context(**context).new_page()
    page.add_init_script(LISTEN)
    response = page.goto(url)
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    return page




def _violations(page: Page) -> list[str]:
    page.wait_for_timeout(300)  # violation events are queued as tasks
    found: list[str] = page.evaluate("window.__csp")
    page.context.close()
    return found


def test_article_page(browser: Browser, served: Server) -> None:
    page = _open(browser, f"{served.base}/red/cable-suelto/")
    page.get_by_role("button", name="No", exact=True).click()
    page.get_by_label("No se entiende").check()
    page.get_by_role("button", name="Enviar").click()
    wait_until(page, "KB.events.queue().length === 0")
    assert _violations(page) == []


def test_protocol_page_running_and_ended(browser: Browser, served: Server) -> None:
    page = _open(browser, f"{served.base}/protocolos/sin-conexion/")
    page.evaluate("localStorage.setItem('kb.techMode', '1')")
    page.reload()
    options = page.locator(".kb-runner .kb-r__options button")
    options.nth(1).click()  # "No": the run goes on
    page.wait_for_selector(".kb-runner .kb-r__title")
    assert page.evaluate("window.__csp") == []
    options.first.click()  # the run ends
    wait_until(page, "KB.events.queue().filter(e => e.type === 'protocol_run').length === 0")
    assert _violations(page) == []


def test_search(browser: Browser, served: Server) -> None:
    page = _open(browser, f"{served.base}/")
    page.locator(".kb-search input[name=q]").fill("cable red")
    page.wait_for_selector("#kb-search-results li")
    assert _violations(page) == []


def test_satisfaction_page(browser: Browser, served: Server) -> None:
    page = _open(browser, f"{served.base}/satisfaccion/?run={uuid.uuid4()}")
    page.locator("label.kb-csat__option").nth(4).click()
    page.get_by_role("button", name="Enviar").click()
    page.wait_for_selector("#kb-csat-thanks:not([hidden])")
    assert _violations(page) == []


def test_report_page(browser: Browser, served: Server) -> None:
    page = _open(browser, f"{served.base}/report/",
                 http_credentials={"username": "lead", "password": TOKEN})
    assert page.locator("h1").count() >= 1
    assert _violations(page) == []


def test_the_listener_sees_a_violation(browser: Browser, served: Server) -> None:
    """The check above can fail: an injected inline script is blocked and recorded."""
    page = _open(browser, f"{served.base}/red/cable-suelto/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
                  " document.body.appendChild(s); }")
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in _violations(page))


# --- a site on one loopback origin, the service on another ----------------------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_vote_from_another_origin_is_stored_once(browser: Browser, tmp_path: Path) -> None:
    service_port = free_port()
    root = copy_tiny(tmp_path / "repo")
    cfg = root / "mkdocs.yml"
    endpoint = f"http://localhost:{service_port}/api/events"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "  - kb\n", f"  - kb:\n      events_endpoint: {endpoint}\n      search_endpoint: ''\n"), encoding="utf-8")
    assert kb("build", "--root", str(root)).returncode == 0
    site = root / "site"
    static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=static.serve_forever, daemon=True).start()
    page_origin = f"http://127.0.0.1:{static.server_address[1]}"
    data = tmp_path / "data"
    srv = Server(site, f"sqlite:///{data / 'events.sqlite3'}", data, ["--rate-limit", "0", "--allow-origin",
                                                                       page_origin], port=service_port)
    srv.start()
    try:
        page = browser.new_context().new_page()
        page.goto(f"{page_origin}/red/cable-suelto/")
        page.get_by_role("button", name="Sí", exact=True).click()
        page.get_by_role("button", name="Omitir").click()
        page.wait_for_function("KB.events.queue().length === 0", timeout=30_000)  # no CSP: a static server
        time.sleep(0.5)
        store = srv.store()
        try:
            votes = [e for e in store.iter_events() if e["type"] == "feedback"]
        finally:
            store.close()
        assert [(v["article_id"], v["helpful"]) for v in votes] == [("cable-suelto", True)]
        page.context.close()
    finally:
        srv.stop()
        static.shutdown()
        static.server_close()
