"""One renderer for steps: the runner shows the step the server rendered (theme/fragments/step.md).

The runner's visible step text, read in Chromium (``innerText``: what is on screen), must equal the
text of the server-rendered section of that step in the built page, cut to the runner's parts for the
mode and the level. A step built again in JavaScript (other labels, other markup) fails this.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from playwright.sync_api import Page, expect

from generator.model.catalog import Catalog
from tests.browser.conftest import Site
from tests.browser.runner_page import options, protocol
from tests.sitebuild import REPO

PID = "sin-conexion-internet"
GUIDE = "equipo-lento"  # a protocol for both audiences: technician and self-service views


def _server_step(site: Site, pid: str, sid: str, *, mode: str, level: str) -> str:
    """The server-rendered step as the runner should show it: its section in the built HTML, without the
    list's parts, the other mode's parts, the other level's script and the confirmations."""
    html = BeautifulSoup((site.root / "protocolos" / pid / "index.html").read_text(encoding="utf-8"), "html.parser")
    section = html.select_one(f'section.kb-step[data-step="{sid}"]')
    assert isinstance(section, Tag), sid
    drop = [".kb-list-only", ".kb-step-title", ".kb-confirm"]
    drop.append(".kb-self-only" if mode == "technician" else ".kb-tech-only")
    drop.append(".kb-say--basic:not(.kb-say--only)" if level == "advanced" else ".kb-say--advanced")
    for selector in drop:
        for node in section.select(selector):
            node.decompose()
    return _words(section.get_text(" "))


def _words(text: str) -> str:
    """Text without white space and case (innerText applies the CSS text-transform of labels)."""
    return re.sub(r"\s+", "", text).casefold()


def _shown(page: Page) -> str:
    step = page.locator(".kb-runner .kb-step--run")
    expect(step).to_have_count(1)
    return _words(step.inner_text())


def _current(page: Page) -> str:
    return str(page.locator(".kb-runner .kb-step--run").get_attribute("data-step"))


def test_every_step_of_a_run_is_the_server_rendered_step(page: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, PID)
    page.goto(site.url(f"protocolos/{PID}/"))
    seen = 0
    while True:  # follow the last "next" answer of each step down to an ending step
        sid = _current(page)
        for level in ("advanced", "basic"):  # the level switches instantly and the script with it
            page.get_by_label("Avanzado" if level == "advanced" else "Básico", exact=True).check()
            assert _shown(page) == _server_step(site, PID, sid, mode="technician", level=level), (sid, level)
        seen += 1
        step = proto.step(sid)
        assert step is not None
        nexts = [i for i, o in enumerate(step.options) if o.next]
        if not nexts:
            break
        options(page).nth(nexts[-1]).click()
        expect(page.locator(".kb-runner .kb-step--run")).not_to_have_attribute("data-step", sid)
    assert seen >= 3


def test_self_service_view_is_the_server_rendered_step(page: Page, site: Site, catalog: Catalog) -> None:
    proto, _ = protocol(catalog, GUIDE)
    assert proto.audience in ("both", "end-user")
    page.goto(site.url(f"protocolos/{GUIDE}/"))
    if proto.audience == "both":
        page.get_by_label("Autoservicio", exact=True).check()
    sid = _current(page)
    assert _shown(page) == _server_step(site, GUIDE, sid, mode="self-service", level="basic")
    page.reload()  # resumed after a reload: the same server-rendered step
    assert _current(page) == sid
    assert _shown(page) == _server_step(site, GUIDE, sid, mode="self-service", level="basic")


def test_the_runner_is_a_copy_of_the_page_section(page: Page, site: Site) -> None:
    """The step on screen is the server's section (same data-step, same inner markup of its Markdown)."""
    page.goto(site.url(f"protocolos/{PID}/"))
    shown = page.locator(".kb-runner .kb-step--run .kb-r__say .kb-r__scroll").first.inner_html()
    sid = _current(page)
    listed = page.locator(f'article > section.kb-step[data-step="{sid}"] .kb-say--basic .kb-r__scroll').inner_html()
    assert shown == listed


@pytest.mark.parametrize("name", ["runner.js"])
def test_runner_js_builds_no_step_content(name: str) -> None:
    """No HTML strings and no step fields in the runner: it copies the server's section."""
    js = (REPO / "theme" / "assets" / "kb" / name).read_text(encoding="utf-8")
    assert "innerHTML" not in js and "html:" not in js
    for field in ("say", "do", "ask"):  # the step's fields (this.say() is the live region)
        assert not re.search(rf"\bs\.{field}\b", js), field
    assert Path(REPO / "theme" / "fragments" / "step.md").is_file()
