"""Address and leftovers: one way of addressing the reader per document, and no text left from `kb new`.

Spanish addresses the reader as *usted* or as *tú*; a page that switches between them reads as
careless, and the site's interface speaks *usted* (the `address` rule's `es` option says which one
the content uses). Only unambiguous forms count: pronouns and possessives (*usted*, *tú*, *tus*,
*contigo*…), second-person verbs that cannot be a third person (*puedes*, *tienes*…) and the
formal imperatives (*pulse*, *abra*, *compruebe*…). *su*, *le* or *puede* tell nothing (they are
also "he/she/it") and are ignored.

The scaffolds of `kb new` hold placeholder sentences (SCAFFOLD_TEXTS, read by generator/pipeline/scaffold.py);
the `leftovers` rule finds them in any text of an article or protocol. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from generator.lint.config import Address, Rule
from generator.lint.lists import plain
from generator.lint.texts import Text

# What `kb new` writes; the scaffold takes its sentences from here, so the rule and it never drift.
ARTICLE_SUMMARY = "Una frase que resume el problema y su solución."
ARTICLE_SYMPTOM = "Lo que la persona ve o nota, con sus palabras"
ARTICLE_CAUSE = "Por qué ocurre, en una frase."
ARTICLE_BODY = "Escriba aquí."
PROTOCOL_SUMMARY = "Cuándo usar este protocolo, en una o dos frases."
PROTOCOL_SAY_BASIC = "Lo que dice al cliente, con palabras sencillas."
PROTOCOL_SAY_ADVANCED = "Lo que dice a un cliente con conocimientos técnicos."
PROTOCOL_DO = "Lo que hace usted, el técnico."
PROTOCOL_EXPLAIN = "Qué pasó, explicado al cliente."
PROTOCOL_PREVENT = "Cómo evitar que vuelva a pasar."
SCAFFOLD_TEXTS = (ARTICLE_SUMMARY, ARTICLE_SYMPTOM, ARTICLE_CAUSE, ARTICLE_BODY, PROTOCOL_SUMMARY,
                  PROTOCOL_SAY_BASIC, PROTOCOL_SAY_ADVANCED, PROTOCOL_DO, PROTOCOL_EXPLAIN, PROTOCOL_PREVENT)

_TU = [
    "tú", "tu", "tus", "ti", "contigo", "te", "puedes", "tienes", "quieres", "debes", "sabes", "necesitas",
    "haces", "estás", "eres", "haz", "pon", "asegúrate", "fíjate", "envíes", "hagas", "pongas", "toques",
    "cambies", "borres", "olvides", "uses", "abras", "cierres", "pulses", "escribas", "elijas",
]
_USTED = [
    "usted", "ustedes", "pulse", "haga", "ponga", "tenga", "vaya", "salga", "abra", "escriba", "elija",
    "compruebe", "reinicie", "asegúrese", "fíjese", "intente", "pruebe", "espere", "seleccione", "introduzca",
    "desconecte", "conecte", "vuelva", "cancele", "envíe", "borre", "cierre", "instale", "actualice",
    "revise", "mire", "llame", "anote", "guarde", "apague", "encienda", "desenchufe", "enchufe", "active",
    "desactive", "busque", "cambie", "toque",
]
_WORD = re.compile(r"[^\W\d_]+")
# Accents matter here (estás / estas, tú / tu are both tú, but té is tea): compared in lower case only.
# Forms that are also a third person ("abre", "conecta", "vuelve") are left out on purpose.
_TU_SET, _USTED_SET = frozenset(_TU), frozenset(_USTED)


def _block_hits(source: str, start: int, end: int) -> Iterable[tuple[str, int, str]]:
    """('tú' | 'usted', offset, word) for every unambiguous form in ``source[start:end]``."""
    for m in _WORD.finditer(source, start, end):
        word = m.group().lower()
        if word in _USTED_SET:
            yield "usted", m.start(), m.group()
        elif word in _TU_SET:
            yield "tú", m.start(), m.group()


@lru_cache(maxsize=4096)
def _kinds(chunk: str) -> frozenset[str]:
    """Which registers ``chunk`` (a block) holds a form of (words found and compared in C);
    remembered per distinct block."""
    low = chunk.lower()  # the words of the lower-case text are the words in lower case, if no letter grew
    words = _WORD.findall(low) if len(low) == len(chunk) else list(map(str.lower, _WORD.findall(chunk)))
    usted, tu = not _USTED_SET.isdisjoint(words), not _TU_SET.isdisjoint(words)
    return _KINDS[usted, tu]


_KINDS = {(False, False): frozenset(), (True, False): frozenset({"usted"}), (False, True): frozenset({"tú"}),
          (True, True): frozenset({"usted", "tú"})}


# Each register's forms as :func:`generator.lint.lists.plain` folds them: a block whose folded words
# (Text.block_words, already found for the blame and jargon rules) hold none of them holds no form
# of that register, unless a digit cut a word in two for _WORD but not for those words.
_FOLDED = {"usted": frozenset(map(plain, _USTED)), "tú": frozenset(map(plain, _TU))}
_DIGIT = re.compile(r"\d")


def _cannot_hold(text: Text, k: int, chunk: str, first: dict[str, tuple[Text, int, str]]) -> bool:
    """Whether block ``k`` of ``text`` (``chunk``) surely holds no form of the one register not met
    yet; only asked when its folded words are known already (no work is added to find them)."""
    if "block_words" not in text.__dict__ or _DIGIT.search(chunk) is not None:
        return False
    missing = "tú" if "usted" in first else "usted"
    return _FOLDED[missing].isdisjoint(text.block_words[k])


def address(rule: Address, texts: list[Text]) -> list[tuple[Text, int, str]]:
    """Where one document leaves its register: (text, offset, message), at most one per document.

    Only the first form of each register counts: a block of prose is walked word by word only
    when it holds a register not met yet."""
    first: dict[str, tuple[Text, int, str]] = {}
    for text in texts:
        if text.lang != "es":
            continue
        if len(first) == len(_FOLDED):
            break  # both met: nothing later changes the outcome
        source = text.masked.mask
        for k, b in enumerate(text.blocks):
            chunk = source[b.start:b.end]
            if len(first) == 1 and _cannot_hold(text, k, chunk, first):
                continue
            kinds = _kinds(chunk)
            if kinds <= first.keys():
                continue
            for kind, at, word in _block_hits(source, b.start, b.end):
                first.setdefault(kind, (text, at, word))
                if kinds <= first.keys():
                    break  # the rest of the block adds nothing
    want = rule.es
    other = "tú" if want == "usted" else "usted"
    if other not in first:
        return []
    text, at, word = first[other]
    if want in first:
        found = first[want][2]
        return [(text, at, f"expected one register, {want} (found '{found}'), found '{word}' ({other}) in the same "
                          f"document; write every part as {want}")]
    return [(text, at, f"expected the register {want} (register in mkdocs.yml, rules.address.es in kb-lint.yml, "
                       f"or the article's lint.address), found '{word}' ({other}); address the reader as {want}")]


_SCAFFOLD_FOLDED = tuple((sentence, sentence.casefold().rstrip(".")) for sentence in SCAFFOLD_TEXTS)


@lru_cache(maxsize=64)
def _scaffold_in(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The text casefolded and the scaffold sentences it holds somewhere (the parts of a body share it)."""
    folded = text.casefold()
    return folded, tuple((sentence, needle) for sentence, needle in _SCAFFOLD_FOLDED if needle in folded)


def leftovers(rule: Rule, texts: list[Text]) -> list[tuple[Text, int, str]]:
    """Sentences of the `kb new` scaffold still in the content."""
    out = []
    for text in texts:
        folded, present = _scaffold_in(text.masked.text)  # the parts of a body share it
        for sentence, needle in present:
            at = next((i for b in text.blocks if (i := folded.find(needle, b.start, b.end)) >= 0), -1)
            if at >= 0:
                out.append((text, at, f"expected your own text, found '{sentence}' from 'kb new'; replace it"))
                break
    return out
