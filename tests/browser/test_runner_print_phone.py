"""The runner on paper and on a phone: the whole protocol on a few A4 pages, a one-page case record
when printed mid-run, and touch screens without floating buttons over the fields or keyboard hints."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site, new_context, watched
from tests.browser.runner_page import choose
from tests.browser.test_runner import PAGE

PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_the_whole_sample_protocol_prints_on_at_most_4_a4_pages(page: Page, site: Site) -> None:
    page.goto(site.url(PAGE))
    expect(page.locator(".kb-runner")).to_be_visible()
    pages = _pages(page.pdf(format="A4"))  # Chromium fires beforeprint/afterprint around it
    assert 1 <= pages <= 4, pages
    page.emulate_media(media="print")
    expect(page.locator("h3.kb-step-title").first).to_be_visible()  # the whole decision list
    expect(page.locator(".kb-runner")).to_be_hidden()


def test_printing_mid_run_gives_a_one_page_case_record(page: Page, site: Site) -> None:
    page.goto(site.url(PAGE))
    choose(page, 0)
    choose(page, 0)
    page.get_by_label("Notas (se quedan en este navegador; nunca se envían)").fill("Portátil HP del cliente")
    assert _pages(page.pdf(format="A4")) == 1
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    record = page.locator(".kb-r__record")
    expect(record).to_be_visible()
    text = record.inner_text()
    assert "\n1. Saber si falla solo este equipo — Sí, los demás navegan; falla solo este equipo (0 s)\n" in text
    assert "Resultado: En curso — Paso 5: Distinguir entre fallo de conexión y fallo de DNS" in text
    assert text.endswith("Notas:\nPortátil HP del cliente")
    expect(page.locator("h3.kb-step-title").first).to_be_hidden()
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    expect(record).to_be_hidden()


def test_phone_run_has_no_key_hints_nor_floating_button(browser: Browser, site: Site) -> None:
    ctx = new_context(browser, site, **PHONE)
    page = watched(ctx.new_page())
    page.goto(site.url(PAGE))
    expect(page.locator(".kb-runner .kb-r__opt kbd").first).to_be_hidden()
    expect(page.get_by_role("button", name="Teclas")).to_be_hidden()
    page.mouse.wheel(0, 900)
    page.mouse.wheel(0, -300)  # Material shows "back to top" when scrolling up
    page.wait_for_timeout(300)
    expect(page.locator(".md-top")).to_be_hidden()
    assert page.kb_errors == []  # type: ignore[attr-defined]
    ctx.close()


def test_phone_self_service_guide_starts_on_the_first_screen(browser: Browser, site: Site) -> None:
    ctx = new_context(browser, site, **PHONE)
    page = watched(ctx.new_page())
    page.goto(site.url("protocolos/equipo-lento/"))
    title = page.locator(".kb-runner .kb-r__title").bounding_box()
    assert title is not None and title["y"] + title["height"] < 740 / 2  # not below badges and metadata
    expect(page.locator(".kb-r__ctx > summary")).to_contain_text("Sobre esta guía")
    say = page.locator(".kb-runner .kb-r__say .kb-r__scroll")
    assert say.evaluate("b => b.scrollHeight <= b.clientHeight")  # read whole on a phone, no inner scroll
    ctx.close()


def test_phone_rating_targets_are_large_enough(browser: Browser, site: Site) -> None:
    ctx = new_context(browser, site, **PHONE)
    page = watched(ctx.new_page())
    page.goto(site.url("red/vaciar-cache-dns/"))
    page.get_by_role("button", name="Sí", exact=True).click()
    for label in page.locator(".kb-feedback__rating label").all():
        box = label.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    ctx.close()
