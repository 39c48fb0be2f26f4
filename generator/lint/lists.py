"""The maintained word lists (generator/lint/data/*.yml) and the patterns made from them.

The lists are read with the hardened loader and checked with the same models kb-lint.yml
uses for its ``extra`` entries, so a broken list fails with ``path:line:col`` like content.

A term or phrase is written in a tiny syntax, matched as whole words, ignoring case (unless
``match_case``) and accents:

* ``{a|b|c}``: one of the alternatives (an alternative may be empty: ``{|s}``);
* ``*``: the rest of a word (``*{ado|ido}``: any word ending in -ado or -ido);
* a space: any run of white space (a phrase may wrap onto the next line).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from generator.content.yamlsafe import load
from generator.diagnostics import ContentError, Diagnostic
from generator.lint.config import PhraseEntry, TermEntry
from generator.model.build import build_model
from generator.model.fields import STRICT

DATA_DIR = Path(__file__).parent / "data"

_ACCENTS = {"a": "aáàâä", "e": "eéèêë", "i": "iíìîï", "o": "oóòôö", "u": "uúùûü"}


def _letter(ch: str, match_case: bool) -> str:
    base = unicodedata.normalize("NFD", ch)[0].lower()
    if base in _ACCENTS and not match_case:
        return f"[{_ACCENTS[base]}]"
    return re.escape(ch)


def _body(phrase: str, match_case: bool) -> str:
    out: list[str] = []
    i = 0
    while i < len(phrase):
        ch = phrase[i]
        if ch == "{" and "}" in phrase[i:]:
            end = phrase.index("}", i)
            options = phrase[i + 1:end].split("|")
            out.append("(?:" + "|".join(_body(o, match_case) for o in options) + ")")
            i = end + 1
            continue
        if ch == "*":
            out.append(r"[^\W_]*")
        elif ch.isspace():
            out.append(r"\s+")
            while i + 1 < len(phrase) and phrase[i + 1].isspace():
                i += 1
        else:
            out.append(_letter(ch, match_case))
        i += 1
    return "".join(out)


def compile_pattern(phrase: str, *, match_case: bool = False) -> re.Pattern[str]:
    """A regular expression for ``phrase`` in the syntax of the module docstring."""
    flags = 0 if match_case else re.IGNORECASE
    # Whole words: no letter or digit just before or after.
    return re.compile(r"(?<![^\W_])" + _body(phrase.strip(), match_case) + r"(?![^\W_])", flags)


# Latin letters with diacritics -> their base letter (á -> a, ñ -> n, ü -> u): a C-speed str.translate.
_BASE_LETTERS = {c: unicodedata.normalize("NFD", chr(c))[0] for c in range(0xC0, 0x250)
                 if unicodedata.normalize("NFD", chr(c))[0] != chr(c)}


_BASES = {chr(c): base for c, base in _BASE_LETTERS.items()}
_ACCENTED = frozenset(_BASES)


def plain(text: str) -> str:
    """Lower case without accents (same length for Latin text): for matching words.

    Each accented letter the text holds is replaced in one C pass (a base letter never has an
    accent, so the order does not matter): many times faster than ``str.translate`` with a dict."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    for ch in _ACCENTED.intersection(folded):
        folded = folded.replace(ch, _BASES[ch])
    return folded


def fold(text: str) -> str:
    """Lower case, no accents, no surrounding punctuation or spaces: for comparing whole values."""
    return " ".join(plain(text).split()).strip(" .,;:!¡¿\"'«»()")


@dataclass(frozen=True)
class Placeholders:
    """Values that say nothing, folded (see :func:`fold`), by field."""

    owner: frozenset[str]
    text: frozenset[str]
    resolve: frozenset[str]
    cause: frozenset[str]


class _TermFile(BaseModel):
    """generator/lint/data/jargon.yml: terms by language."""

    model_config = STRICT

    es: list[TermEntry] = Field(default_factory=list)
    en: list[TermEntry] = Field(default_factory=list)


class _PhraseFile(BaseModel):
    """generator/lint/data/blame.yml: phrases by language."""

    model_config = STRICT

    es: list[PhraseEntry] = Field(default_factory=list)
    en: list[PhraseEntry] = Field(default_factory=list)


def _entries(name: str, model: type[_TermFile] | type[_PhraseFile]) -> list[TermEntry | PhraseEntry]:
    """The entries of a list file, each with the language of the key it stands under."""
    shown = f"generator/lint/data/{name}"
    located = load((DATA_DIR / name).read_text(encoding="utf-8"), shown)
    parsed, problems = build_model(model, located, shown)
    if parsed is None:
        raise ContentError(problems)
    return [e.model_copy(update={"lang": lang}) for lang in ("es", "en") for e in getattr(parsed, lang)]


@cache
def builtin_terms() -> tuple[TermEntry, ...]:
    """generator/lint/data/jargon.yml, in order."""
    return tuple(e for e in _entries("jargon.yml", _TermFile) if isinstance(e, TermEntry))


@cache
def builtin_phrases() -> tuple[PhraseEntry, ...]:
    """generator/lint/data/blame.yml, in order."""
    return tuple(e for e in _entries("blame.yml", _PhraseFile) if isinstance(e, PhraseEntry))


@cache
def placeholders() -> Placeholders:
    shown = "generator/lint/data/placeholders.yml"
    data = load((DATA_DIR / "placeholders.yml").read_text(encoding="utf-8"), shown).data
    keys = ("owner", "text", "resolve", "cause")
    if not isinstance(data, dict) or sorted(data) != sorted(keys):
        raise ContentError([Diagnostic(shown, 1, 1, "document", f"expected the keys {', '.join(keys)}")])
    return Placeholders(*(frozenset(fold(str(v)) for v in data[k]) for k in keys))


_TOKEN = re.compile(r"[^\W_]+")




def first_words(phrase: str) -> frozenset[str] | None:
    """The folded words a match of ``phrase`` can start with, or None when it cannot be told (``*…``)."""
    phrase = phrase.strip()
    if not phrase or phrase[0] == "*":
        return None
    brace = phrase.find("{")
    head = re.match(r"[^\s{*]*", phrase)
    assert head is not None
    word_end = head.end()
    if brace == word_end and "}" in phrase[brace:]:  # alternatives inside the first word: expand them
        end = phrase.index("}", brace)
        out: set[str] = set()
        for option in phrase[brace + 1:end].split("|"):
            sub = first_words(phrase[:brace] + option + phrase[end + 1:])
            if sub is None:
                return None
            out |= sub
        return frozenset(out)
    if phrase[word_end:word_end + 1] == "*":
        return None
    token = _TOKEN.match(plain(phrase[:word_end]))
    return frozenset({token.group()}) if token else None


def words_of(text: str, spans: Sequence[tuple[int, int]]) -> frozenset[str]:
    """The words of ``text`` inside ``spans``, in lower case without accents."""
    return frozenset(_TOKEN.findall(plain(" ".join(text[s:e] for s, e in spans))))


@lru_cache(maxsize=4096)
def chunk_words(chunk: str) -> frozenset[str]:
    """:func:`words_of` one piece of text (a block): remembered per distinct piece."""
    return frozenset(_TOKEN.findall(plain(chunk)))


def required_words(phrase: str) -> tuple[frozenset[str], ...]:
    """Groups of words a text must hold one of each for ``phrase`` to match in it.

    A word outside braces is a group of its own; ``{a|b c}`` gives the group of the first word
    of each alternative. Words glued to braces or holding ``*``, and groups with an empty
    alternative, require nothing (they are left to the regular expression).
    """
    groups: list[frozenset[str]] = []
    for m in re.finditer(r"\{([^}]*)\}|[^\s{]+", phrase.strip()):
        before = phrase.strip()[m.start() - 1:m.start()] if m.start() else " "
        after = phrase.strip()[m.end():m.end() + 1] or " "
        if not (before.isspace() and after.isspace()):
            continue  # glued: part of a word
        if m.group(1) is not None:
            firsts = [_TOKEN.match(plain(o.strip())) for o in m.group(1).split("|")]
            if all(f is not None for f in firsts) and "*" not in m.group(1):
                groups.append(frozenset(f.group() for f in firsts if f is not None))
        elif "*" not in m.group():
            groups += [frozenset({t}) for t in _TOKEN.findall(plain(m.group()))]
    return tuple(groups)


_MAX_EXPANSIONS = 64


def _expansions(phrase: str) -> list[str] | None:
    """``phrase`` with each ``{a|b}`` replaced by each of its alternatives (as :func:`_body` reads
    them), or None when there would be more than :data:`_MAX_EXPANSIONS`."""
    out = [""]
    i = 0
    while i < len(phrase):
        if phrase[i] == "{" and "}" in phrase[i:]:
            end = phrase.index("}", i)
            out = [done + option for done in out for option in phrase[i + 1:end].split("|")]
            if len(out) > _MAX_EXPANSIONS:
                return None
            i = end + 1
        else:
            out = [done + phrase[i] for done in out]
            i += 1
    return out


def needed_words(phrase: str) -> tuple[frozenset[str], ...] | None:
    """Sets of words, one per way of reading ``phrase``'s alternatives: a text can hold a match only
    if it holds every word of one of them (words with ``*`` left out). None: no such sets (too
    many alternatives)."""
    expanded = _expansions(phrase.strip())
    if expanded is None:
        return None
    return tuple(frozenset(t for word in variant.split() if "*" not in word for t in _TOKEN.findall(plain(word)))
                 for variant in expanded)


@dataclass(frozen=True)
class PhraseSet:
    """Many phrases matched at once; a phrase is only tried on text holding the words it needs."""

    patterns: tuple[re.Pattern[str], ...]
    by_first: dict[str, tuple[int, ...]]
    always: tuple[int, ...]  # phrases that start with a wildcard
    required: tuple[tuple[frozenset[str], ...], ...]  # see required_words
    needs: tuple[tuple[frozenset[str], ...] | None, ...] = ()  # see needed_words

    def find(self, text: str, spans: Sequence[tuple[int, int]], words: frozenset[str] | None = None,
             span_words: Sequence[frozenset[str]] | None = None) -> list[tuple[int, int, int]]:
        """(phrase index, start, end) of every match inside ``spans``; of overlapping matches, the
        leftmost wins, and at the same place the phrase listed first. ``words``: the :func:`words_of`
        the spans, if already known; ``span_words``: those of each span, so that a phrase is only
        tried on the spans holding the words it needs (a match lies inside one span)."""
        if words is None:
            words = words_of(text, spans)
        candidates = set(self.always)
        for w in words & self.by_first.keys():
            candidates.update(self.by_first[w])
        found: list[tuple[int, int, int]] = []
        for i in sorted(candidates):
            required = self.required[i]
            if any(words.isdisjoint(group) for group in required):
                continue
            needs = self.needs[i] if self.needs else None
            if needs is not None and not any(need <= words for need in needs):
                continue
            pattern = self.patterns[i]
            for k, (s, e) in enumerate(spans):
                if span_words is not None and required and any(
                        span_words[k].isdisjoint(group) for group in required):
                    continue
                if span_words is not None and needs is not None and not any(need <= span_words[k] for need in needs):
                    continue
                found += [(m.start(), i, m.end()) for m in pattern.finditer(text, s, e)]
        out: list[tuple[int, int, int]] = []
        last_end = -1
        for start, i, end in sorted(found):
            if start >= last_end:
                out.append((i, start, end))
                last_end = end
        return out


@cache
def phrase_set(items: tuple[tuple[str, bool], ...]) -> PhraseSet:
    """A :class:`PhraseSet` of (phrase, match_case) pairs, in priority order."""
    by_first: dict[str, list[int]] = {}
    always: list[int] = []
    for i, (phrase, _) in enumerate(items):
        firsts = first_words(phrase)
        if firsts is None:
            always.append(i)
        else:
            for w in firsts:
                by_first.setdefault(w, []).append(i)
    return PhraseSet(tuple(compile_pattern(p, match_case=c) for p, c in items),
                     {k: tuple(v) for k, v in by_first.items()}, tuple(always),
                     tuple(required_words(p) for p, _ in items), tuple(needed_words(p) for p, _ in items))
