"""Offline after one visit: the service worker (sw.js) serves the home, a visited protocol (run to its end)
and a search done once online, with the network off and the server stopped; never /api/ or preview code."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site, _serve, new_context, watched
from tests.browser.runner_page import choose, queued
from tests.browser.test_runner import PAGE
from tests.sitebuild import REPO, kb

CACHED = """async (path) => { for (const k of await caches.keys()) {
  if (await (await caches.open(k)).match(new URL(path, location.href).href)) return true; } return false; }"""


def _search(page: Page, text: str) -> list[str]:
    box = page.locator("header input[name=q]")
    box.click()
    box.fill("")
    box.press_sequentially(text, delay=10)
    page.wait_for_function(f"document.getElementById('kb-search-results').dataset.query === {json.dumps(text)}")
    return [a.get_attribute("data-id") or "" for a in page.locator(".kb-search__link").all()]


def test_visited_pages_a_run_and_a_search_work_offline(browser: Browser, site: Site) -> None:
    serving = _serve(site.root)  # its own server, to stop it halfway
    own = next(serving)
    ctx = new_context(browser, own)
    page = watched(ctx.new_page())
    page.goto(own.url(""))
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    online = _search(page, "no navega")
    assert online
    page.goto(own.url(PAGE))
    expect(page.locator(".kb-runner")).to_be_visible()
    page.goto(own.url(""))
    page.wait_for_function(CACHED, arg="./")
    keys = page.evaluate("async () => { const out = []; for (const k of await caches.keys()) "
                         "for (const r of await (await caches.open(k)).keys()) out.push(r.url); return out; }")
    assert not [u for u in keys if re.search(r"/api/|preview\.js|/search/server/", u)]
    serving.close()  # the server is gone, and the network too
    ctx.set_offline(True)

    page.goto(own.url(""))
    expect(page.locator("h1").first).to_be_visible()
    assert _search(page, "no navega") == online  # the search shards came from the cache
    page.goto(own.url(PAGE))
    expect(page.locator(".kb-runner")).to_be_visible()
    choose(page, 1)
    choose(page, 0)  # router restarted: resolved
    expect(page.locator(".kb-runner .kb-r__title")).to_contain_text("Resuelto")
    assert len(queued(page, "protocol_run")) == 1  # waits in the queue for the network
    # only failed requests (the static server has no /api/search; offline, nothing answers): no script error
    errors = page.kb_errors  # type: ignore[attr-defined]
    assert [e for e in errors if not re.search(r"Failed to (load resource|fetch)|ERR_INTERNET", e)] == []
    ctx.close()


def test_the_build_id_is_a_content_hash(tmp_path_factory: object, site: Site) -> None:
    text = (site.root / "sw.js").read_text(encoding="utf-8")
    ident = re.search(r'var BUILD = "([0-9a-f]{16})"', text)
    assert ident is not None
    assets = json.loads(re.search(r"var ASSETS = (\[.*?\]);", text).group(1))  # type: ignore[union-attr]
    assert "assets/kb/runner.js" in assets and all(a.startswith("assets/") for a in assets)
    assert "assets/kb/preview.js" not in assets  # precaches the assets only, never preview code
    again = site.root.parent / "again"
    result = kb("build", "--root", str(REPO), "-d", str(again))
    assert result.returncode == 0, result.stderr
    assert (again / "sw.js").read_text(encoding="utf-8") == text  # same content, same version
