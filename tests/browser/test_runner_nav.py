"""The runner with Material's instant navigation, and with hostile text in the protocol."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import XSS, Site, new_context, watched
from tests.browser.runner_page import choose, heading, queued


@pytest.fixture
def tiny(browser: Browser, tiny_site: Site) -> Iterator[Page]:
    """A tab on the tiny site (instant navigation on); dialogs (an alert) are recorded."""
    c: BrowserContext = new_context(browser, tiny_site)
    page = watched(c.new_page())
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    yield page
    assert page.kb_errors == []  # type: ignore[attr-defined]
    c.close()


def test_instant_navigation_initialises_the_runner_on_every_page(tiny: Page, tiny_site: Site) -> None:
    tiny.goto(tiny_site.url(""))
    tiny.evaluate("window.kbSamePage = true")  # survives only if navigation is instant (no reload)
    tiny.locator("article a[href$='protocolos/sin-conexion/']").first.click()
    tiny.wait_for_url("**/protocolos/sin-conexion/")
    expect(tiny.locator(".kb-runner")).to_have_count(1)
    assert tiny.evaluate("window.kbSamePage") is True
    assert heading(tiny) == "Paso 1: Comprobar la conexión física"
    tiny.get_by_label("Técnico", exact=True).check()
    choose(tiny, 1, "No")
    tiny.locator(".kb-runner .kb-r__articles a").first.evaluate("a => a.removeAttribute('target')")
    tiny.locator(".kb-runner .kb-r__articles a").first.click()  # the article, in this tab
    tiny.wait_for_url("**/red/dns-mal-configurado/")
    expect(tiny.locator(".kb-runner")).to_have_count(0)
    tiny.locator("article a[href$='protocolos/sin-conexion/']").first.click()
    tiny.wait_for_url("**/protocolos/sin-conexion/")
    assert tiny.evaluate("window.kbSamePage") is True
    expect(tiny.locator(".kb-runner")).to_have_count(1)  # mounted again, once, and resumed
    expect(tiny.locator(".kb-r__crumbs li")).to_have_count(1)
    assert heading(tiny).startswith("Paso 2: ")
    tiny.keyboard.press("b")  # the keys work on the new page
    assert heading(tiny) == "Paso 1: Comprobar la conexión física"


def test_hostile_text_in_the_protocol_stays_text(tiny: Page, tiny_site: Site) -> None:
    tiny.goto(tiny_site.url("protocolos/sin-conexion/"))
    tiny.get_by_label("Técnico", exact=True).check()
    choose(tiny, 1, "No")
    assert heading(tiny) == f"Paso 2: {XSS}"
    choose(tiny, 1, XSS)  # the hostile label, on a button, as text
    expect(tiny.locator(".kb-r__crumbs li").last).to_have_text(f"2. {XSS}{XSS}")
    tiny.get_by_role("button", name="Terminar: escalar a Nivel 2 — Redes").click()
    assert f"2. {XSS} — {XSS} (0 s)" in tiny.locator("#kb-r-summary").input_value().split("\n")
    assert tiny.locator(".kb-runner img").count() == 0
    assert tiny.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert tiny.dialogs == []  # type: ignore[attr-defined]
    assert queued(tiny, "protocol_run")[0]["path"][1]["answer"] == XSS
