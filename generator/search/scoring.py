"""Scores computed at build time: BM25F over the fields of ``documents.FIELDS``, as integer impacts.

For a term t and document d: ``tf = sum over fields f of WEIGHTS[f] * tf(f) / (1 - B + B * len(f) / avglen(f))``
and ``impact = round(idf(t) * tf * (K1 + 1) / (K1 + tf) * SCALE)`` with ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``.
Each term keeps its ``MAX_POSTINGS`` best documents (static index pruning): a term found in more
documents than that says little about any of them, and the cut bounds both the bytes a browser
downloads and the postings the server walks. Both indexes store these impacts, so the static and
the server search rank with one model; a query adds, per word, its best variant's weight x impact.

The corpus statistics (N, each df, each field's average length) enter the formula with two significant
figures (:func:`coarse`: 12,345 -> 12,000; below 100 exact). BM25 barely moves (an idf by a few
hundredths), and an edit to one document changes the impacts of that document alone, unless it moves a
statistic across a step: a cached rebuild then rewrites only the index parts of the documents it edited.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Final

from generator.search.documents import FIELDS, WEIGHTS, Analyzed

K1: Final = 1.2
B: Final = 0.75
SCALE: Final = 100  # impact = round(score x SCALE)
MAX_POSTINGS: Final = 1000

Impacts = dict[str, list[tuple[int, int]]]  # term -> [(doc number, impact), ...] in doc order


def coarse(x: float) -> float:
    """``x`` with two significant figures (half to even); numbers below 100 as they are."""
    return x if x < 100 else float(f"{x:.2g}")


def idf(n: int, df: int) -> float:
    cn, cdf = coarse(n), coarse(df)
    return math.log(1 + max(0.0, cn - cdf + 0.5) / (cdf + 0.5))


def averages(docs: Sequence[Analyzed]) -> dict[str, float]:
    """Each field's average length (in terms), coarse."""
    n = len(docs)
    totals = dict.fromkeys(FIELDS, 0)
    for d in docs:
        for f in FIELDS:
            totals[f] += d.tf[f].total()
    return {f: coarse(totals[f] / n if n else 0.0) or 1.0 for f in FIELDS}


def compute_impacts(docs: Sequence[Analyzed], max_postings: int = MAX_POSTINGS) -> Impacts:
    """term -> [(doc number, impact), ...] in doc order, cut to the best ``max_postings``."""
    n = len(docs)
    avg = averages(docs)
    weighted: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for num, d in enumerate(docs):
        per = d.tf
        norms = {f: (1 - B) + B * per[f].total() / avg[f] for f in FIELDS}
        acc: dict[str, float] = defaultdict(float)
        for f in FIELDS:
            for term, tf in per[f].items():
                acc[term] += WEIGHTS[f] * tf / norms[f]
        for term, tfw in acc.items():
            weighted[term].append((num, tfw))
    out: Impacts = {}
    for term in list(weighted):
        plist = weighted.pop(term)  # consumed as it goes: never both lists whole in memory
        w = idf(n, len(plist))
        scored = [(num, max(1, round(w * tfw * (K1 + 1) / (K1 + tfw) * SCALE))) for num, tfw in plist]
        if len(scored) > max_postings:
            scored = sorted(sorted(scored, key=lambda p: (-p[1], p[0]))[:max_postings])
        out[term] = scored
    return out


class LiveImpacts:
    """Impacts kept up to date one document at a time (the live preview).

    Holds each term's weighted term frequencies so that replacing a document recomputes only
    the terms it had or has (their df, hence idf, changes); other terms keep their impacts.
    The field length averages stay those of the full build, so the other documents' impacts do
    not move: the next full build settles the small difference."""

    def __init__(self, docs: Sequence[Analyzed], max_postings: int = MAX_POSTINGS) -> None:
        self.n = len(docs)
        self.max_postings = max_postings
        self.avg = averages(docs)
        self.weighted: dict[str, dict[int, float]] = defaultdict(dict)
        for num, d in enumerate(docs):
            for term, tfw in self._tfw(d).items():
                self.weighted[term][num] = tfw
        self.impacts: Impacts = {term: self._scored(term) for term in self.weighted}

    def _tfw(self, d: Analyzed) -> dict[str, float]:
        norms = {f: (1 - B) + B * d.tf[f].total() / self.avg[f] for f in FIELDS}
        acc: dict[str, float] = defaultdict(float)
        for f in FIELDS:
            for term, tf in d.tf[f].items():
                acc[term] += WEIGHTS[f] * tf / norms[f]
        return acc

    def _scored(self, term: str) -> list[tuple[int, int]]:
        plist = self.weighted[term]
        w = idf(self.n, len(plist))
        scored = [(num, max(1, round(w * tfw * (K1 + 1) / (K1 + tfw) * SCALE))) for num, tfw in plist.items()]
        if len(scored) > self.max_postings:
            scored = sorted(scored, key=lambda p: (-p[1], p[0]))[:self.max_postings]
        return sorted(scored)

    def replace(self, num: int, old: Analyzed, new: Analyzed) -> set[str]:
        """Document ``num`` is now ``new``; returns the terms whose impacts were recomputed."""
        before = self._tfw(old)
        after = self._tfw(new)
        for term in before:
            self.weighted[term].pop(num, None)
        for term, tfw in after.items():
            self.weighted[term][num] = tfw
        touched = set(before) | set(after)
        for term in touched:
            if self.weighted[term]:
                self.impacts[term] = self._scored(term)
            else:
                del self.weighted[term]
                self.impacts.pop(term, None)
        return touched
