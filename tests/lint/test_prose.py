"""What the rules read as prose (generator/lint/prose.py): the mask keeps offsets, blanks the rest."""

from __future__ import annotations

from generator.lint.prose import BodyLocator, mask


def test_the_mask_has_the_length_and_lines_of_the_text() -> None:
    text = "## Pasos\n\n1. Ejecute `ipconfig /all` y vea [la guía](../red/dns.md).\n\n```\nping 8.8.8.8\n```\n"
    m = mask(text)
    assert len(m.mask) == len(text) and m.mask.count("\n") == text.count("\n")
    assert m.mask.splitlines() == ["   Pasos", "", "   Ejecute  xxxxxxxxxxxxx  y vea  la guía                .",
                                   "", "   ", "            ", "   "]
    assert [(b.kind, text[b.start:b.end]) for b in m.blocks] == [
        ("heading", "## Pasos"), ("prose", "1. Ejecute `ipconfig /all` y vea [la guía](../red/dns.md).")]


def test_urls_html_tables_and_quotes() -> None:
    text = ("Abra https://portal.example.org/ayuda o <b>www.ejemplo.es</b>.\n\n"
            "| Luz | Qué significa |\n|---|---|\n> - Cite esto\n")
    m = mask(text)
    assert m.mask.splitlines() == [
        "Abra xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx o    xxxxxxxxxxxxxx    .", "", "  Luz   Qué significa  ", "         ",
        "    Cite esto"]
    assert [b.kind for b in m.blocks] == ["prose", "table", "prose"]


def test_names_on_screen_and_bold_lines_standing_as_headings() -> None:
    text = ("**Para el técnico**\n\nAbra *Ajustes > Red e Internet > Wi-Fi > Opciones avanzadas* y pulse "
            "**Olvidar**, o «Sin Internet».\n")
    m = mask(text)
    assert [text[s:e] for s, e in m.labels] == [
        "Para el técnico", "Ajustes > Red e Internet > Wi-Fi > Opciones avanzadas", "Olvidar", "Sin Internet"]
    assert [(b.kind, b.heading_level) for b in m.blocks] == [("heading", 7), ("prose", 0)]
    assert "Olvidar" not in m.bare and "pulse" in m.bare


def test_body_positions() -> None:
    locator = BodyLocator("uno\ndos tres\n", first_line=12)
    assert [locator.at(i) for i in (0, 4, 8)] == [(12, 1), (13, 1), (13, 5)]
