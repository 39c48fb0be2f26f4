"""English as a whole site language: English pages have English chrome, and there is an English home."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site

# Interface words of the Spanish chrome (Material's strings, the nav, the search box, the runner, the step)
SPANISH = ["Inicio", "Protocolos", "Áreas", "Etiquetas", "Audiencias", "Tabla de contenidos", "Buscar",
           "Idioma", "Pasos", "Paso", "Diga al cliente", "Instrucciones", "Técnico", "Nivel", "Básico", "Avanzado",
           "Canal", "Teléfono", "Atrás", "Abandonar", "Empezar de nuevo", "Teclas", "Notas", "Ver todos",
           "Saltar", "Volver al principio", "Hecho con", "Describa", "Soporte técnico", "Artículos", "Datos del caso",
           "Pregunta", "Resuelto", "Escalar", "Usado en este caso"]


def _spanish_words(page: Page) -> list[str]:
    text = page.locator("body").inner_text()
    return [w for w in SPANISH if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE)]


@pytest.mark.parametrize("path", ["protocolos/sin-conexion-internet-en/", "en/"])
def test_english_pages_have_no_spanish_interface_words(page: Page, site: Site, path: str) -> None:
    page.goto(site.url(path))
    assert page.locator("html").get_attribute("lang") == "en"
    if "protocolos" in path:
        expect(page.locator(".kb-runner")).to_be_visible()
    assert _spanish_words(page) == []


def test_english_home_at_a_stable_url_and_each_home_offers_the_other(page: Page, site: Site) -> None:
    page.goto(site.url("en/"))
    expect(page.locator("h1")).to_have_text(re.compile(r"^Home"))
    expect(page.locator("article a[href*='protocolos/sin-conexion-internet-en/']").first).to_be_visible()
    page.locator("nav.kb-lang a[hreflang=es]").click()
    page.wait_for_url(site.url(""))
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator("nav.kb-lang a[hreflang=en]").click()
    page.wait_for_url(site.url("en/"))
    expect(page.locator(".md-header__topic").first).not_to_contain_text("Soporte técnico")
