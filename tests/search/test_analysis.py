"""The analyzers: accent folding, stemming, the stop list, synonyms and typos (generator/search/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import ContentError
from generator.search.analysis import content_words, distance, fold, is_stop, max_edits, stem, stems, terms
from generator.search.query import DEFAULT_SYNONYMS, Synonyms, expand, load_synonyms


@pytest.fixture(scope="module")
def synonyms() -> Synonyms:
    """The synonyms file shipped in the repository (generator/search/synonyms.yml)."""
    return load_synonyms([DEFAULT_SYNONYMS])


def vocabulary(*words: str) -> object:
    """A `near` function over a fixed list of words, as the indexes provide."""
    def near(word: str, limit: int) -> list[tuple[str, int, int]]:
        return [(w, d, 1) for w in words if w[0] == word[0] and (d := distance(word, w, limit)) <= limit]
    return near


@pytest.mark.parametrize(("text", "folded"), [
    ("Contraseña", "contrasena"), ("CAMIÓN", "camion"), ("pingüino", "pinguino"), ("Wi-Fi", "wifi"),
    ("e-mail", "email"), ("can't", "cant"), ("Ñandú", "nandu"), ("Sesión caducó", "sesion caduco"),
])
def test_accent_folding(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_folded_and_accented_words_give_the_same_terms() -> None:
    assert terms("contrasena caducada") == terms("Contraseña CADUCADA")
    assert terms("No se conectó al Wi-Fi") == terms("no se conecto al wifi")


@pytest.mark.parametrize(("words", "lang"), [
    (["conecta", "conectar", "conectado", "conectan", "conectando"], "es"),
    (["imprime", "imprimir", "imprimo", "imprimiendo"], "es"),
    (["contraseña", "contraseñas"], "es"),
    (["configurar", "configuración", "configuraciones", "configurado"], "es"),
    (["bloqueada", "bloqueado", "bloqueo", "bloquear"], "es"),
    (["página", "páginas"], "es"),
    (["lento", "lenta", "lentos", "lentísimo"], "es"),
    (["printer", "printers", "print", "printing", "prints"], "en"),
    (["update", "updates", "updated", "updating"], "en"),
    # "gu" before e is the spelling of "g": entregue/entreguen are entregar's, pague pagar's
    (["entregue", "entreguen", "entregado", "entrega", "entregar"], "es"),
    (["pague", "pagar", "pagado"], "es"),
])
def test_stemming_conflates_inflections(words: list[str], lang: str) -> None:
    assert len({stem(fold(w), lang) for w in words}) == 1, {w: stem(fold(w), lang) for w in words}


def test_stemming_keeps_short_words_and_numbers() -> None:
    assert stem("red") == "red" and stem("dns") == "dns" and stem("2024") == "2024" and stem("vpn") == "vpn"
    assert stem("funcion") == stem("funciones") == stem("funcionar") == "funcion"


def test_stop_list_keeps_meaningful_words() -> None:
    assert content_words("no funciona") == ["no", "funciona"]
    assert content_words("la impresora no imprime nada") == ["impresora", "no", "imprime", "nada"]
    assert content_words("sin internet") == ["sin", "internet"]
    assert content_words("printer not working") == ["printer", "not", "working"]
    assert content_words("el de la que y en") == []
    assert is_stop("the") and is_stop("de") and not is_stop("no") and not is_stop("not")


def test_synonyms_expand_both_ways(synonyms: Synonyms) -> None:
    for word, other in [("wifi", "inalambrica"), ("inalámbrica", "wifi"), ("clave", "contrasena"),
                        ("contraseña", "clave"), ("lento", "lentitud"), ("lentitud", "lento"),
                        ("printer", "impresora"), ("password", "contrasena")]:
        assert other in synonyms.of(fold(word)), (word, other)


def test_a_three_letter_stem_does_not_link_words_of_other_meanings(synonyms: Synonyms) -> None:
    """"pasa" (Spanish: it happens) and "pass" meet at "pas", "pago" (payment) and "page" at "pag":
    a stem that short links a word to a synonym group only when the words also begin alike."""
    assert "contrasena" not in synonyms.of("pasa") and "contrasena" in synonyms.of("pass")
    assert "pagina" not in synonyms.of("pago") and "payment" in synonyms.of("pago")
    assert "pagina" in synonyms.of("pages") and "hoja" in synonyms.of("hojas")


def test_a_term_counts_for_one_query_word_only(synonyms: Synonyms) -> None:
    """Two query words that are synonyms ("anular", "cancelar") or forms of one word ("conecta",
    "conectado") would count one occurrence in a document twice: the term stays with the word that
    gives it the most weight."""
    anular, cancelar = expand("anular cancelar", synonyms)
    assert stem("cancelar") in {v.term for v in cancelar.variants}
    assert stem("cancelar") not in {v.term for v in anular.variants}
    assert stem("anular") in {v.term for v in anular.variants}
    first, second = expand("conecta conectado", synonyms)
    assert stem("conecta") in {v.term for v in first.variants}
    assert stem("conecta") not in {v.term for v in second.variants}


def test_synonym_variants_weigh_less_than_the_word(synonyms: Synonyms) -> None:
    (w,) = expand("clave", synonyms)
    by_term = {v.term: v for v in w.variants}
    assert by_term[stem("clave")].weight == 1.0 and by_term[stem("clave")].via == "word"
    assert by_term[stem("contrasena")].via == "synonym" and by_term[stem("contrasena")].weight < 1.0


def test_typos_are_corrected_on_the_unstemmed_word(synonyms: Synonyms) -> None:
    near = vocabulary("impresora", "imprime", "caducada", "contrasena", "conectado")
    (w,) = expand("impresroa", synonyms, near)  # a swap: one edit from "impresora"
    assert w.corrected == ("impresora",)
    assert {"impresor": "typo"}.items() <= {v.term: v.via for v in w.variants}.items()
    (w,) = expand("contrsaena", synonyms, near)  # two edits on a long word
    assert w.corrected == ("contrasena",)
    (w,) = expand("conectdo", synonyms, near)
    assert w.corrected == ("conectado",)


def test_a_known_word_is_not_corrected(synonyms: Synonyms) -> None:
    near = vocabulary("imprime", "imprima")
    (w,) = expand("imprime", synonyms, near)
    assert w.corrected == ()


def test_typo_limits() -> None:
    assert [max_edits(w) for w in ("red", "wifi", "impresora", "contrasena")] == [0, 1, 2, 2]
    assert distance("impresroa", "impresora") == 1  # adjacent swap
    assert distance("caducda", "caducada") == 1
    assert distance("abc", "xyz") == 3
    assert distance("contrasena", "contrasenas") == 1


def test_query_words_are_capped_and_deduplicated(synonyms: Synonyms) -> None:
    words = expand("vpn vpn " + " ".join(f"palabra{i}" for i in range(30)), synonyms)
    assert [w.word for w in words][:2] == ["vpn", "palabra0"] and len(words) == 12


def test_stems_cover_both_languages() -> None:
    assert list(stems("printers")) == ["printer", "print"]


def test_synonym_file_errors_carry_positions(tmp_path: Path) -> None:
    bad = tmp_path / "synonyms.yml"
    bad.write_text("groups:\n  - [wifi, red inalambrica]\n  - texto\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_synonyms([bad])
    messages = [d.format() for d in err.value.diagnostics]
    assert messages == [f"{bad}:2:12: groups[0][1]: expected a single word, found 'red inalambrica'",
                        f"{bad}:3:5: groups[1]: expected a list of words"]
