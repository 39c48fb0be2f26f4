"""The step field `warning:` in real Chromium: a caution on the protocol page and on paper, and in the
runner before the options (technician mode only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site, _serve, new_context, watched
from tests.sitebuild import copy_tiny, kb

WARNING = "Esto desconectará la sesión remota durante un minuto."
CAUTION = "rgb(179, 71, 0)"  # the caution style's border (kb.css, runner.css)
PAGE = "protocolos/sin-conexion/"


def _build(root: Path, audience: str) -> Path:
    proto = root / "protocols" / "sin-conexion.yml"
    proto.write_text(proto.read_text(encoding="utf-8").replace("audience: both", f"audience: {audience}").replace(
        "    title: Comprobar la conexión física\n",
        f"    title: Comprobar la conexión física\n    warning: {WARNING}\n"), encoding="utf-8")
    result = kb("build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The tiny fixture for technicians, with a warning on its first step."""
    yield from _serve(_build(copy_tiny(tmp_path_factory.mktemp("warning") / "repo"), "technician"))


@pytest.fixture
def tab(browser: Browser, warned: Site) -> Iterator[Page]:
    ctx = new_context(browser, warned)
    p = watched(ctx.new_page())
    yield p
    assert p.kb_errors == []  # type: ignore[attr-defined]
    ctx.close()


STATIC = ".kb-step:not(.kb-step--run) .admonition.kb-callout--caution"  # the decision list's, not the runner's copy


def _before(page: Page, first: str, second: str) -> bool:
    """``first`` comes before ``second`` in the document."""
    return bool(page.evaluate("([a, b]) => !!(document.querySelector(a).compareDocumentPosition("
                              "document.querySelector(b)) & Node.DOCUMENT_POSITION_FOLLOWING)", [first, second]))


def test_the_runner_shows_the_warning_before_the_options(tab: Page, warned: Site) -> None:
    tab.goto(warned.url(PAGE))
    callout = tab.locator(".kb-runner .kb-callout--caution")
    expect(callout).to_be_visible()
    expect(callout).to_contain_text("Atención")
    expect(callout).to_contain_text(WARNING)
    assert callout.evaluate("e => getComputedStyle(e).borderLeftColor") == CAUTION
    assert _before(tab, ".kb-runner .kb-callout--caution", ".kb-runner .kb-r__options")
    assert _before(tab, ".kb-runner .kb-callout--caution", ".kb-runner .kb-r__say")
    tab.locator(".kb-runner .kb-r__options button").nth(1).click()  # "No": the next step has no warning
    expect(tab.locator(".kb-runner .kb-callout")).to_have_count(0)


def test_the_page_and_print_show_the_warning_with_the_caution_style(tab: Page, warned: Site) -> None:
    tab.goto(warned.url(PAGE))
    tab.get_by_role("button", name="Ver todos los pasos").click()
    static = tab.locator(STATIC)
    for media in ("screen", "print"):
        tab.emulate_media(media=media)  # type: ignore[arg-type]
        expect(static).to_be_visible()
        expect(static).to_contain_text(WARNING)
        expect(static).to_contain_text("Atención")
        assert static.evaluate("e => getComputedStyle(e).borderLeftColor") == CAUTION, media
        assert static.evaluate("e => getComputedStyle(e).printColorAdjust") == "exact"
    # on paper: under its step's title, before what to say and the question
    assert _before(tab, "#comprobar-cable", STATIC)
    assert tab.evaluate("""() => {
        const c = document.querySelector('.kb-step:not(.kb-step--run) .kb-callout--caution');
        const s = document.querySelector('#comprobar-dns');
        return !!(c.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")


def test_a_self_service_guide_keeps_the_technicians_warning_out_of_the_runner(
        browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> None:
    for site in _serve(_build(copy_tiny(tmp_path_factory.mktemp("guide") / "repo"), "end-user")):
        ctx = new_context(browser, site)
        tab = watched(ctx.new_page())
        tab.goto(site.url(PAGE))
        expect(tab.locator(".kb-runner .kb-r__options button").first).to_be_visible()
        expect(tab.locator(".kb-runner .kb-callout")).to_have_count(0)
        assert tab.kb_errors == []  # type: ignore[attr-defined]
        ctx.close()
