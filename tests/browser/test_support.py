"""The end user's way to a person: support contacts from the site configuration, after "No" on an
article and at the end of a self-service guide that did not help, with what they wrote already filled in."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site, _serve, new_context, watched
from tests.browser.runner_page import choose
from tests.sitebuild import copy_tiny, kb

SUPPORT = """plugins:
  - kb:
      support:
        phone: "+34 900 123 456"
        email: soporte@example.com
        chat_url: https://chat.example.com/
        ticket_url: https://tickets.example.com/new?subject={subject}&description={body}
        hours:
          timezone: %s
          mon-fri: "09:00-18:00"
"""


def _site(tmp: pytest.TempPathFactory, zone: str) -> Iterator[Site]:
    root = copy_tiny(tmp.mktemp("support") / "repo")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("plugins:\n  - kb\n", SUPPORT % zone), encoding="utf-8")
    result = kb("build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    yield from _serve(root / "site")


@pytest.fixture(scope="module")
def madrid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from _site(tmp_path_factory, "Europe/Madrid")


@pytest.fixture(scope="module")
def new_york(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from _site(tmp_path_factory, "America/New_York")


def _page(browser: Browser, site: Site, width: int = 1366, height: int = 768) -> Page:
    return watched(new_context(browser, site, viewport={"width": width, "height": height}).new_page())


def _query(href: str | None) -> dict[str, str]:
    assert href is not None
    return {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(href).query).items()}


def test_no_on_an_article_shows_the_contacts_with_the_comment_filled_in(browser: Browser, madrid: Site) -> None:
    page = _page(browser, madrid, 360, 740)
    page.goto(madrid.url("red/cable-suelto/"))
    page.get_by_role("button", name="No", exact=True).click()
    expect(page.get_by_label("4", exact=True)).to_be_hidden()  # no 1-5 rating after "No"
    page.get_by_label("No se entiende").check()
    page.get_by_label("Comentario (opcional)").fill("El paso 2 & el 3 no cuadran")
    page.get_by_role("button", name="Enviar").click()
    people = page.locator(".kb-feedback .kb-support")
    expect(people).to_be_visible()
    expect(people.get_by_role("heading")).to_have_text("Hable con una persona")
    expect(people.get_by_role("link", name="+34 900 123 456")).to_have_attribute("href", "tel:+34900123456")
    mail = _query(people.get_by_role("link", name="soporte@example.com").get_attribute("href"))
    assert mail["body"].startswith("El paso 2 & el 3 no cuadran\n\n")
    assert madrid.url("red/cable-suelto/") in mail["body"]
    form = _query(people.get_by_role("link", name="Abrir una solicitud de soporte").get_attribute("href"))
    assert form["description"] == mail["body"] and form["subject"] == mail["subject"]
    expect(people.get_by_role("link", name="Chat con soporte")).to_have_attribute("href", "https://chat.example.com/")
    # Monday 10:00 in Madrid, open 09:00-18:00 Madrid time
    expect(people.locator(".kb-support__hours")).to_have_text("Abierto ahora, hasta las 18:00. (hora de su equipo)")
    assert page.kb_errors == []  # type: ignore[attr-defined]


def test_yes_on_an_article_shows_no_contacts(browser: Browser, madrid: Site) -> None:
    page = _page(browser, madrid)
    page.goto(madrid.url("red/cable-suelto/"))
    page.get_by_role("button", name="Sí", exact=True).click()
    expect(page.get_by_label("4", exact=True)).to_be_visible()  # a rating is asked after "Yes" only
    page.get_by_role("button", name="Enviar").click()
    expect(page.locator(".kb-support")).to_have_count(0)


def test_self_service_end_shows_contacts_and_a_plain_summary(browser: Browser, new_york: Site) -> None:
    page = _page(browser, new_york)
    page.goto(new_york.url("protocolos/sin-conexion/"))
    expect(page.get_by_role("radio", name="Autoservicio")).to_be_checked()
    choose(page, 1, "No")
    page.get_by_role("button", name="Sigue sin funcionar: contactar con soporte").click()
    summary = page.locator("#kb-r-summary").input_value()
    assert summary.startswith("Guía: Sin conexión a Internet\nLo que he probado:\n1. Comprobar la conexión física — No")
    for technical in ("sin-conexion", "versión", "Referencia", "UTC", "-4"):
        assert technical not in summary
    people = page.locator(".kb-runner .kb-support")
    expect(people).to_be_visible()
    assert _query(people.get_by_role("link", name="soporte@example.com").get_attribute("href"))["body"] == summary
    # Monday 04:00 in New York: closed; opens at 09:00 there, 15:00 for this reader in Madrid
    expect(people.locator(".kb-support__hours")).to_have_text(
        "Ahora está cerrado. Abre el lunes, 15:00. (hora de su equipo)")
    expect(page.get_by_role("button", name="Empezar la guía de nuevo")).to_be_visible()
    assert page.kb_errors == []  # type: ignore[attr-defined]


def test_no_support_configured_shows_nothing_new(browser: Browser, site: Site) -> None:
    page = _page(browser, site)
    page.goto(site.url("red/cable-suelto/"))
    assert page.locator('meta[name="kb-support"]').count() == 0


@pytest.mark.parametrize("size", [(1366, 768), (360, 740)])
def test_contacts_pass_axe_at_both_sizes(browser: Browser, madrid: Site, size: tuple[int, int]) -> None:
    from tests.browser.test_runner_a11y import serious

    page = _page(browser, madrid, *size)
    page.goto(madrid.url("red/cable-suelto/"))
    page.get_by_role("button", name="No", exact=True).click()
    page.get_by_role("button", name="Enviar").click()
    expect(page.locator(".kb-feedback .kb-support")).to_be_visible()
    assert serious(page) == []
    page.goto(madrid.url("protocolos/sin-conexion/"))
    choose(page, 1, "No")
    page.get_by_role("button", name="Sigue sin funcionar: contactar con soporte").click()
    expect(page.locator(".kb-runner .kb-support")).to_be_visible()
    assert serious(page) == []
