"""The typo corrector never rewrites a correctly spelled word (generator/search/lexicon.py).

A tiny site whose vocabulary holds "comando", "caras" and "order" (each one edit from a correct
Spanish word the site does not use) is indexed for real: the static index (read by Python and by
the browser's search.js, see test_js_parity) and the whoosh server index. Queries with "cobrando",
"cajas" and "orden" must search those words as typed; real typos must still be corrected.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from generator.pipeline.validation import validate_tree
from generator.search import STATIC_DIR, StaticIndex, open_server_index
from generator.search.build import SearchBuild
from generator.search.lexicon import is_word, known_words
from generator.search.query import DEFAULT_SYNONYMS, Near, expand, load_synonyms

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"
ARTICLE = """---
id: comando-de-caja
title: El comando de caja no responde en la terminal
type: solution
audience: technician
symptoms: [El comando no responde, Las caras del cliente aparecen vacías, Sort order wrong, La impresora falla]
cause: La terminal no tiene permiso.
owner: equipo-redes
reviewed: 2026-10-01
tags: [terminal, password]
---
## Síntomas

El comando de caja no responde.

## Causa

Falta el permiso.

## Solución

1. Dé el permiso.

## Prevención

Revise los permisos cada mes.
"""
CORRECT = ["cobrando", "cajas", "orden", "pedido", "factura", "cuenta", "printer", "shipping", "ordenes"]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Near]:
    root = tmp_path_factory.mktemp("lexicon") / "repo"
    shutil.copytree(TINY, root)
    (root / "kb" / "red" / "comando-de-caja.md").write_text(ARTICLE, encoding="utf-8")
    result = validate_tree(root, date(2026, 11, 23))
    assert result.ok, [d.format() for d in result.diagnostics]
    build = SearchBuild.prepare(result.catalog)
    site = root / "site"
    build.write_static(site)
    build.write_server(site)
    return {"static": StaticIndex(site / STATIC_DIR).near, "server": open_server_index(site).near}


def test_word_lists_know_both_languages() -> None:
    assert len(known_words()) > 40_000
    assert all(is_word(w) for w in CORRECT)
    assert not any(is_word(w) for w in ("pasword", "imprsora", "outlok", "contrasñea", "cobrnado", "recieve",
                                        "definately", "seperate"))


@pytest.mark.parametrize("engine", ["static", "server"])
def test_correct_words_are_never_corrected(engines: dict[str, Near], engine: str) -> None:
    synonyms = load_synonyms([DEFAULT_SYNONYMS])
    for word in ("cobrando", "cajas", "orden"):
        (w,) = expand(word, synonyms, engines[engine])
        assert w.corrected == (), (engine, word, w.corrected)


@pytest.mark.parametrize("engine", ["static", "server"])
def test_real_typos_are_still_corrected(engines: dict[str, Near], engine: str) -> None:
    synonyms = load_synonyms([DEFAULT_SYNONYMS])
    assert expand("comnado", synonyms, engines[engine])[0].corrected == ("comando",)
    assert expand("imprsora", synonyms, engines[engine])[0].corrected == ("impresora",)
    assert expand("pasword", synonyms, engines[engine])[0].corrected == ("password",)
