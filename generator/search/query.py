"""From what a person typed to weighted index terms: synonyms, typo corrections, stems.

The same expansion runs in the static index's Python reader, in the browser
(``search.js``, fed by ``meta.json``) and in the whoosh server, so all three search for
the same terms. Each query word becomes a list of *variants* (term, weight):

1. the word's stems (Spanish and English rules): weight 1;
2. when the word is not in the site's vocabulary: the closest vocabulary words (on the
   unstemmed, folded word) within ``max_edits`` edits, at most ``MAX_CORRECTIONS``:
   weight ``TYPO_WEIGHT[edits]``;
3. the stems of every word in a synonym group of the word (or of a correction):
   the word's weight times ``SYNONYM_WEIGHT``.

A term is kept in one query word only, the one giving it the most weight (the first on a tie):
synonyms of each other in one query, or two forms of one word, do not count a document's
term twice. A document scores, per query word, its best variant (weight x the term's impact
on the document); the words' scores add up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from generator.diagnostics import ContentError, Diagnostic
from generator.search.analysis import content_words, max_edits, stems, words

MAX_QUERY_CHARS: Final = 200
MAX_QUERY_WORDS: Final = 12
MAX_CORRECTIONS: Final = 3
TYPO_WEIGHT: Final = {1: 0.8, 2: 0.6}
SYNONYM_WEIGHT: Final = 0.7
DEFAULT_SYNONYMS: Final = Path(__file__).resolve().parent / "synonyms.yml"

# A vocabulary lookup: (word, max edits) -> [(candidate, edits, document frequency), ...]
Near = Callable[[str, int], Sequence[tuple[str, int, int]]]


@dataclass(frozen=True)
class Variant:
    term: str
    weight: float
    via: str = "word"  # word | typo | synonym


@dataclass(frozen=True)
class QueryWord:
    word: str
    variants: tuple[Variant, ...]
    corrected: tuple[str, ...] = ()  # vocabulary words used as corrections


MIN_LINK_STEM: Final = 4


def _kin(word: str, member: str, stem: str) -> bool:
    """Whether a stem shorter than ``MIN_LINK_STEM`` letters really links ``word`` to ``member``: they
    also share their first four letters (or one is the other's start). Three letters conflate words
    of different languages and meanings: "pasa" and "pass" (pas), "pago" and "page" (pag)."""
    if stem not in stems(member):
        return False
    n = min(MIN_LINK_STEM, len(word), len(member))
    return word[:n] == member[:n]


@dataclass(frozen=True)
class Synonyms:
    """Synonym groups, looked up by any stem of any member."""

    groups: tuple[tuple[str, ...], ...] = ()
    by_stem: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def from_groups(cls, groups: Iterable[Sequence[str]]) -> Synonyms:
        clean: list[tuple[str, ...]] = []
        for g in groups:
            members = tuple(dict.fromkeys(w for m in g for w in words(m)))
            if len(members) > 1:
                clean.append(members)
        index: dict[str, list[int]] = {}
        for i, members in enumerate(clean):
            for m in members:
                for s in stems(m):
                    if i not in index.setdefault(s, []):
                        index[s].append(i)
        return cls(tuple(clean), {k: tuple(v) for k, v in index.items()})

    def of(self, word: str) -> list[str]:
        """Other words of every group the word belongs to (by stem), in file order."""
        out: dict[str, None] = {}
        for s in stems(word):
            for g in self.by_stem.get(s, ()):
                if len(s) < MIN_LINK_STEM and not any(_kin(word, m, s) for m in self.groups[g]):
                    continue
                for m in self.groups[g]:
                    if m != word:
                        out[m] = None
        return list(out)

    def as_json(self) -> list[list[str]]:
        return [list(g) for g in self.groups]


def load_synonyms(paths: Sequence[Path]) -> Synonyms:
    """Read synonym files (``groups: [[a, b], ...]``) with the hardened YAML loader."""
    from generator.content.yamlsafe import load

    groups: list[list[str]] = []
    problems: list[Diagnostic] = []
    for path in paths:
        doc = load(path.read_text(encoding="utf-8"), str(path))
        data: Any = doc.data
        if not isinstance(data, dict) or set(data) != {"groups"} or not isinstance(data["groups"], list):
            line, col = doc.pos(())
            problems.append(Diagnostic(str(path), line, col, "groups", "expected a mapping with one key, "
                                       "groups: a list of lists of words"))
            continue
        for i, g in enumerate(data["groups"]):
            if not isinstance(g, list) or not all(isinstance(w, str) and w.strip() for w in g):
                line, col = doc.pos(("groups", i))
                problems.append(Diagnostic(str(path), line, col, f"groups[{i}]", "expected a list of words"))
                continue
            for j, w in enumerate(g):
                if len(words(w)) != 1:
                    line, col = doc.pos(("groups", i, j))
                    problems.append(Diagnostic(str(path), line, col, f"groups[{i}][{j}]",
                                               f"expected a single word, found {w!r}"))
            groups.append(g)
    if problems:
        raise ContentError(problems)
    return Synonyms.from_groups(groups)


def _adder(variants: dict[str, Variant]) -> Callable[[str, float, str], None]:
    """Adds a variant, or raises the weight of a term already there (it keeps its place)."""
    def add(term: str, weight: float, via: str) -> None:
        old = variants.get(term)
        if old is None or weight > old.weight:
            variants[term] = Variant(term, weight, via)
    return add


def expand(query: str, synonyms: Synonyms, near: Near | None = None) -> list[QueryWord]:
    """The query's words with their weighted variants (see the module docstring)."""
    out: list[QueryWord] = []
    for word in dict.fromkeys(content_words(query[:MAX_QUERY_CHARS])):
        variants: dict[str, Variant] = {}
        add = _adder(variants)

        for s in stems(word):
            add(s, 1.0, "word")
        forms = [(word, 1.0)]
        corrected: list[str] = []
        limit = max_edits(word)
        if near is not None and limit:
            found = near(word, limit)
            if not any(c == word for c, _, _ in found):
                best = sorted((d, -df, c) for c, d, df in found if 0 < d <= limit)[:MAX_CORRECTIONS]
                for d, _, c in best:
                    corrected.append(c)
                    forms.append((c, TYPO_WEIGHT[d]))
                    for s in stems(c):
                        add(s, TYPO_WEIGHT[d], "typo")
        for form, weight in forms:
            for syn in synonyms.of(form):
                for s in stems(syn):
                    add(s, weight * SYNONYM_WEIGHT, "synonym")
        out.append(QueryWord(word, tuple(variants.values()), tuple(corrected)))
        if len(out) == MAX_QUERY_WORDS:
            break
    return _once(out)


def _once(qwords: list[QueryWord]) -> list[QueryWord]:
    """Each term searched for one query word only: the one giving it the most weight (the first on a
    tie). Words that are synonyms of each other ("anular ... cancelling") or share a stem
    ("conecta ... conectado") would otherwise count one occurrence in a document twice."""
    owner: dict[str, tuple[float, int]] = {}
    for i, w in enumerate(qwords):
        for v in w.variants:
            if v.term not in owner or v.weight > owner[v.term][0]:
                owner[v.term] = (v.weight, i)
    return [QueryWord(w.word, tuple(v for v in w.variants if owner[v.term][1] == i), w.corrected)
            for i, w in enumerate(qwords)]
