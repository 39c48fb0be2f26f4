"""The runner for everyone: axe-core on the step and the end screens, a 360 px phone, print.

axe-core comes from npm (package.json, `npm ci`; scripts/test-deps runs it) and is used only here.
Screenshots are written to the test's temporary folder (or to $KB_SCREENSHOTS when set), so a
person can look at them.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from generator.model.catalog import Catalog
from tests.browser.conftest import AXE, Site, new_context, watched
from tests.browser.runner_page import choose, protocol

PID = "sin-conexion-internet"


def serious(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the whole page (WCAG 2.1 A and AA rules and best practices)."""
    assert AXE.is_file(), "axe-core is missing: run `npm ci` (scripts/test-deps does)"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated through the debugging protocol, not as an inline <script> the site's CSP would block
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
        # measure the settled page, not a colour halfway through a fade (Material's back-to-top button)
        page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important }")
    found: list[dict[str, Any]] = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}));
    }""")
    return found


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def png_width(path: Path) -> int:
    width: int = struct.unpack(">I", path.read_bytes()[16:20])[0]
    return width


def test_axe_protocol_page_and_end_screen(page: Page, site: Site) -> None:
    page.goto(site.url(f"protocolos/{PID}/"))
    expect(page.locator(".kb-runner")).to_be_visible()
    assert serious(page) == []
    choose(page, 0)
    choose(page, 0)  # a step with technician instructions, code and an article
    page.keyboard.press("?")
    assert serious(page) == []  # the keys dialog
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Abandonar").click()
    page.get_by_role("button", name="Sí, abandonar").click()
    expect(page.locator("#kb-r-summary")).to_be_visible()
    assert serious(page) == []


def test_axe_self_service_and_satisfaction_page(page: Page, site: Site) -> None:
    page.goto(site.url("protocolos/equipo-lento/"))
    choose(page, 0)
    choose(page, 0)  # the "is it solved?" question
    assert serious(page) == []
    page.get_by_role("button", name="Sigue sin funcionar: contactar con soporte").click()
    assert serious(page) == []
    page.goto(site.url("satisfaccion/?run=0f8fad5b-d9cb-469f-a165-70867728950e"))
    expect(page.locator("#kb-csat")).to_be_visible()
    assert serious(page) == []


@pytest.fixture
def phone(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    """A 360 px wide phone (touch, device pixel ratio 2)."""
    c = new_context(browser, site, viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True,
                    has_touch=True)
    yield c
    c.close()


def _no_horizontal_scroll(page: Page, shot: Path) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    page.screenshot(path=str(shot), full_page=True)
    assert png_width(shot) == 360 * 2


def test_phone_has_no_horizontal_scroll(phone: BrowserContext, site: Site, catalog: Catalog,
                                        tmp_path: Path) -> None:
    folder = shots(tmp_path)
    page = watched(phone.new_page())
    page.goto(site.url(f"protocolos/{PID}/"))
    _no_horizontal_scroll(page, folder / "phone-step-1.png")
    choose(page, 0)
    choose(page, 0)  # code blocks in the technician instructions scroll inside their box
    _no_horizontal_scroll(page, folder / "phone-step-3.png")
    page.get_by_role("button", name="No resuelto").click()
    _no_horizontal_scroll(page, folder / "phone-end.png")
    page.goto(site.url("protocolos/equipo-lento/"))
    choose(page, 0)
    _no_horizontal_scroll(page, folder / "phone-self-service.png")
    page.goto(site.url("satisfaccion/?run=0f8fad5b-d9cb-469f-a165-70867728950e"))
    _no_horizontal_scroll(page, folder / "phone-csat.png")
    assert page.kb_errors == []  # type: ignore[attr-defined]


def test_desktop_screenshots(page: Page, site: Site, tmp_path: Path) -> None:
    folder = shots(tmp_path)
    page.goto(site.url(f"protocolos/{PID}/"))
    choose(page, 0)
    page.screenshot(path=str(folder / "desktop-step.png"), full_page=True)
    page.get_by_role("button", name="Abandonar").click()
    page.get_by_role("button", name="Sí, abandonar").click()
    page.screenshot(path=str(folder / "desktop-end.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_print_shows_the_full_tree_not_the_runner(page: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, PID)
    page.goto(site.url(f"protocolos/{PID}/"))
    expect(page.locator(".kb-runner")).to_be_visible()
    expect(page.locator("h3.kb-step-title").first).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.locator(".kb-runner")).to_be_hidden()
    titles = page.locator("h3.kb-step-title")
    expect(titles).to_have_count(len(proto.steps))
    for i in range(len(proto.steps)):
        expect(titles.nth(i)).to_be_visible()
    notes = page.locator("article > .kb-step details.note .kb-r__scroll > p")
    expect(notes.first).to_be_visible()  # technician notes printed open
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Ver todos los pasos").click()  # on screen, the tree is one click away
    expect(titles.last).to_be_visible()
    page.get_by_role("button", name="Ocultar la lista de pasos").click()
    expect(titles.last).to_be_hidden()
