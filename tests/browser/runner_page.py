"""Helpers that drive and read the protocol runner in a Playwright page."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from playwright.sync_api import Locator, Page

from generator.model.catalog import Catalog
from generator.model.protocol import Protocol, Step
from tests.browser.conftest import T0


def at(page: Page, seconds: float) -> None:
    """Set the browser's fixed clock to T0 + seconds."""
    page.clock.set_fixed_time(T0 + timedelta(seconds=seconds))


def options(page: Page) -> Locator:
    return page.locator(".kb-runner .kb-r__options button")


def choose(page: Page, index: int, label: str | None = None) -> None:
    """Click option ``index`` of the current step (checking its label when given)."""
    button = options(page).nth(index)
    if label is not None:
        assert button.inner_text().split(None, 1)[1] == label
    button.click()


def heading(page: Page) -> str:
    return page.locator(".kb-runner .kb-r__title").inner_text()


def queued(page: Page, type_: str | None = None) -> list[dict[str, Any]]:
    """Events waiting in the browser's queue (localStorage ``kb.events.v1``)."""
    events: list[dict[str, Any]] = json.loads(page.evaluate("localStorage.getItem('kb.events.v1') || '[]'"))
    return [e for e in events if type_ is None or e["type"] == type_]


def runs(page: Page) -> dict[str, dict[str, Any]]:
    """Runs kept in localStorage, by key."""
    out: dict[str, dict[str, Any]] = json.loads(page.evaluate(
        "JSON.stringify(Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('kb.run.'))"
        ".map(k => [k, JSON.parse(localStorage.getItem(k))])))"))
    return out


def clipboard(page: Page) -> str:
    return str(page.evaluate("navigator.clipboard.readText()"))


def protocol(catalog: Catalog, pid: str) -> tuple[Protocol, str]:
    entry = catalog.protocol_by_id[pid]
    return entry.model, entry.version


def step(proto: Protocol, sid: str) -> Step:
    found = proto.step(sid)
    assert found is not None, sid
    return found


def plain(text: str | None) -> str:
    """A folded YAML paragraph as the runner shows it in plain text."""
    return " ".join((text or "").split())


def number(proto: Protocol, sid: str) -> int:
    """A step's number in the decision list, the table of contents and the runner."""
    return [s.id for s in proto.steps].index(sid) + 1


def open_context(page: Page) -> None:
    """Unfold the runner's context line (channel, ticket, technician, contact time, metadata)."""
    details = page.locator(".kb-runner details.kb-r__ctx")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def confirm(page: Page, action: str, yes: str) -> None:
    """Press a tool that throws work away (restart, abandon) and confirm it."""
    page.get_by_role("button", name=action, exact=True).click()
    page.get_by_role("button", name=yes, exact=True).click()
