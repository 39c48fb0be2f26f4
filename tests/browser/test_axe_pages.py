"""axe-core on every kind of page, in both languages, at 1366×768 and 360×740: no serious or critical
violations. (The report: tests/report/test_reader.py; the runner's own screens: test_runner_a11y.py.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site, new_context, watched
from tests.browser.runner_page import choose
from tests.browser.test_runner_a11y import serious

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 360, "height": 740}}
WORDS = {"es": {"abandon": "Abandonar", "yes": "Sí, abandonar", "self": "Autoservicio", "still":
                "Sigue sin funcionar: contactar con soporte"},
         "en": {"abandon": "Abandon", "yes": "Yes, abandon", "self": "Self-service", "still":
                "Still not working: contact support"}}
SUFFIX = {"es": "", "en": "-en"}
HOME = {"es": "", "en": "en/"}


def _home(page: Page, site: Site, lang: str) -> None:
    page.goto(site.url(HOME[lang]))


def _article(page: Page, site: Site, lang: str) -> None:
    page.goto(site.url(f"red/dns-configurado-a-mano{SUFFIX[lang]}/"))


def _running(page: Page, site: Site, lang: str) -> None:
    page.goto(site.url(f"protocolos/sin-conexion-internet{SUFFIX[lang]}/"))
    choose(page, 0)


def _ended(page: Page, site: Site, lang: str) -> None:
    _running(page, site, lang)
    page.get_by_role("button", name=WORDS[lang]["abandon"], exact=True).click()
    page.get_by_role("button", name=WORDS[lang]["yes"], exact=True).click()
    expect(page.locator("#kb-r-summary")).to_be_visible()


def _self_service(page: Page, site: Site, lang: str) -> None:
    page.goto(site.url(f"protocolos/equipo-lento{SUFFIX[lang]}/"))
    page.get_by_label(WORDS[lang]["self"], exact=True).check()
    choose(page, 0)
    page.get_by_role("button", name=WORDS[lang]["still"]).first.click()
    expect(page.locator(".kb-runner .kb-r__title")).to_be_visible()


def _satisfaction(page: Page, site: Site, lang: str) -> None:
    page.goto(site.url("satisfaccion/?run=0f8fad5b-d9cb-469f-a165-70867728950e"))
    expect(page.locator("#kb-csat")).to_be_visible()


def _search(page: Page, site: Site, lang: str) -> None:
    _home(page, site, lang)
    opener = page.locator("header label.md-header__button[for=__search]")
    if opener.is_visible():  # a phone: the box opens from the header's icon
        opener.click()
    box = page.locator("header input[name=q]")
    box.click()
    box.press_sequentially("no navega" if lang == "es" else "no internet", delay=10)
    expect(page.locator(".kb-search__link").first).to_be_visible()


PAGES: dict[str, Callable[[Page, Site, str], None]] = {
    "home": _home, "article": _article, "protocol-running": _running, "protocol-ended": _ended,
    "self-service": _self_service, "satisfaction": _satisfaction, "search-results": _search}


# the satisfaction page is one page, in the site's language
CASES = [(k, lang, size) for k in sorted(PAGES) for lang in ("es", "en") for size in sorted(SIZES)
         if not (k == "satisfaction" and lang == "en")]


@pytest.mark.parametrize(("kind", "lang", "size"), CASES)
def test_no_serious_axe_violations(browser: Browser, site: Site, kind: str, lang: str, size: str) -> None:
    ctx = new_context(browser, site, viewport=SIZES[size])
    page = watched(ctx.new_page())
    try:
        PAGES[kind](page, site, lang)
        assert serious(page) == [], (kind, lang, size)
    finally:
        ctx.close()
