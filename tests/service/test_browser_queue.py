"""The browser's event queue against hostile answers, in a real Chromium (issue #13, finding 3).

A 4xx is never retried; a batch the service fails on with 500 is dropped after
``KB.events.maxFailures`` tries so later events keep moving; 503 (disk full, service down) keeps
the events. Answers come from Playwright's request routing; time runs on Playwright's clock, so the
backoff's real delays (up to a minute) pass in milliseconds. Waiting for a delivery must go through
Playwright (``page.wait_for_timeout``): the sync API runs the route handler that answers it only
while a Playwright call is in progress, so a ``time.sleep`` loop would wait out its whole deadline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.conftest import wait_until
from tests.service.conftest import Server


@pytest.fixture(scope="module")
def web(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("queue") / "data"
    srv = Server(site, f"sqlite:///{data / 'events.sqlite3'}", data, ["--rate-limit", "0"]).start()
    yield srv
    srv.stop()


def _page(browser: Browser, web: Server, status: int, calls: list[int]) -> Page:
    page = browser.new_context().new_page()

    def answer(route: Route) -> None:
        calls.append(status)
        route.fulfill(status=status, content_type="application/json", body='{"error": "test"}')

    page.route("**/api/events", answer)
    page.clock.install()
    page.goto(f"{web.base}/red/cable-suelto/")
    wait_until(page, "window.KB && KB.events.queue().length === 1")  # the view
    return page


def _advance(page: Page, calls: list[int], rounds: int, *, expect: bool) -> None:
    """Run the page's timers ``rounds`` times past the longest backoff; after each, wait for the
    delivery it starts (``expect``: up to 15 s on a busy machine) or make sure none comes (0.5 s)."""
    for _ in range(rounds):
        before = len(calls)
        page.clock.run_for(70_000)
        deadline = time.monotonic() + (15 if expect else 0.5)
        while len(calls) == before and time.monotonic() < deadline:
            page.wait_for_timeout(20)  # lets Playwright run the route handler (a sleep would not)


@pytest.mark.parametrize("status", [400, 403, 413, 422])
def test_a_4xx_is_never_retried(browser: Browser, web: Server, status: int) -> None:
    calls: list[int] = []
    page = _page(browser, web, status, calls)
    _advance(page, calls, 1, expect=True)
    _advance(page, calls, 3, expect=False)
    assert calls == [status]
    assert page.evaluate("KB.events.queue().length") == 0
    page.context.close()


def test_a_batch_failing_with_500_is_dropped_after_max_failures(browser: Browser, web: Server) -> None:
    calls: list[int] = []
    page = _page(browser, web, 500, calls)
    limit = page.evaluate("KB.events.maxFailures")
    _advance(page, calls, limit, expect=True)
    _advance(page, calls, 3, expect=False)
    assert len(calls) == limit
    assert page.evaluate("KB.events.queue().length") == 0
    page.unroute("**/api/events")  # the service recovers: a later event is delivered
    page.evaluate("KB.events.track('search', {query: 'después', results: 1})")
    _advance(page, calls, 2, expect=False)
    wait_until(page, "KB.events.queue().length === 0")
    page.context.close()


def test_503_keeps_the_events(browser: Browser, web: Server) -> None:
    calls: list[int] = []
    page = _page(browser, web, 503, calls)
    for _ in range(12):
        if len(calls) >= 6:
            break
        _advance(page, calls, 1, expect=True)
    assert len(calls) >= 6  # past MAX_FAILURES: a 500 would have dropped the batch by now
    assert page.evaluate("KB.events.queue().length") == 1
    page.context.close()
