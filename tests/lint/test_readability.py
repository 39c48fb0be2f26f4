"""Syllables, sentences and the two reading-ease formulas (generator/lint/readability.py)."""

from __future__ import annotations

import pytest

from generator.lint import readability as rd

# Orthographic syllables (RAE rules: a weak vowel without accent next to another vowel forms a
# diphthong; two strong vowels, or an accented weak one, are a hiatus; 'y' at the end is a vowel).
SPANISH = {
    "y": 1, "muy": 1, "hay": 1, "buey": 1, "que": 1, "guerra": 2, "leyes": 2, "día": 2, "país": 2, "reír": 2,
    "guía": 2, "ahí": 2, "caer": 2, "leer": 2, "ciudad": 2, "cuidado": 3, "pingüino": 3, "aéreo": 4,
    "averiguáis": 4, "contraseña": 4, "impresora": 4, "configuración": 5, "notificaciones": 6, "DNS": 1,
}
ENGLISH = {
    "the": 1, "cat": 1, "make": 1, "makes": 1, "while": 1, "jumped": 1, "screen": 1, "queue": 1, "table": 2,
    "wanted": 2, "boxes": 2, "people": 2, "printer": 2, "password": 2, "network": 2, "restart": 2,
    "settings": 2, "computer": 3, "DNS": 1,
}


@pytest.mark.parametrize(("word", "count"), sorted(SPANISH.items()))
def test_spanish_syllables(word: str, count: int) -> None:
    assert rd.syllables_es(word) == count


@pytest.mark.parametrize(("word", "count"), sorted(ENGLISH.items()))
def test_english_syllables(word: str, count: int) -> None:
    assert rd.syllables_en(word) == count


def test_sentences_end_at_stops_but_not_after_abbreviations() -> None:
    text = "Abra el menú, p. ej. el de inicio. Luego pulse etc. y siga. ¿Funciona? ¡Bien! El mínimo es 150 ms. Hecho"
    assert [text[s:e] for s, e in rd.split_sentences(text)] == [
        "Abra el menú, p. ej. el de inicio.", "Luego pulse etc. y siga.", "¿Funciona?", "¡Bien!",
        "El mínimo es 150 ms.", "Hecho"]
    versions = "Use la versión 1.5 o la 2.0. Después reinicie."
    assert [versions[s:e] for s, e in rd.split_sentences(versions)] == ["Use la versión 1.5 o la 2.0.",
                                                                        "Después reinicie."]


def test_words_keep_hyphens_and_apostrophes() -> None:
    assert rd.words("El Wi-Fi don't 8.8.8.8 *ok*") == ["El", "Wi-Fi", "don't", "8", "8", "8", "8", "ok"]


def test_fernandez_huerta_by_hand() -> None:
    """7 words, 11 syllables, 2 sentences: 206.84 - 60 * 11/7 - 1.02 * 7/2 = 108.98."""
    value, stats = rd.score(["La casa es blanca.", "El perro come."], "es")
    assert (stats.words, stats.syllables, stats.sentences) == (7, 11, 2)
    assert value == pytest.approx(206.84 - 60 * 11 / 7 - 1.02 * 3.5)
    assert round(value, 2) == 108.98


def test_flesch_by_hand() -> None:
    """9 words, 10 syllables, 2 sentences: 206.835 - 84.6 * 10/9 - 1.015 * 9/2 = 108.27."""
    value, stats = rd.score(["The cat sat on the mat.", "It was happy."], "en")
    assert (stats.words, stats.syllables, stats.sentences) == (9, 10, 2)
    assert round(value, 2) == 108.27


def test_numbers_are_not_scored_as_words() -> None:
    _, stats = rd.score(["Espere 30 segundos."], "es")
    assert (stats.words, stats.syllables) == (2, 6)


def test_bands() -> None:
    assert [rd.band(v) for v in (95, 85, 75, 65, 55, 40, 10)] == [
        "very easy", "easy", "fairly easy", "plain", "fairly difficult", "difficult", "very difficult"]
