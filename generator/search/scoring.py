"""Scores computed at build time: BM25F over the fields of ``documents.FIELDS``, as integer impacts.

For a term t and document d: ``tf = sum over fields f of WEIGHTS[f] * tf(f) / (1 - B + B * len(f) / avglen(f))``
and ``impact = round(idf(t) * tf * (K1 + 1) / (K1 + tf) * SCALE)`` with ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``.
Each term keeps its ``MAX_POSTINGS`` best documents (static index pruning): a term found in more
documents than that says little about any of them, and the cut bounds both the bytes a browser
downloads and the postings the server walks. Both indexes store these impacts, so the static and
the server search rank with one model; a query adds, per word, its best variant's weight x impact.
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


def compute_impacts(docs: Sequence[Analyzed], max_postings: int = MAX_POSTINGS) -> Impacts:
    """term -> [(doc number, impact), ...] in doc order, cut to the best ``max_postings``."""
    n = len(docs)
    totals = dict.fromkeys(FIELDS, 0)
    for d in docs:
        for f in FIELDS:
            totals[f] += d.tf[f].total()
    avg = {f: (totals[f] / n if n else 0.0) or 1.0 for f in FIELDS}
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
    for term, plist in weighted.items():
        df = len(plist)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        scored = [(num, max(1, round(idf * tfw * (K1 + 1) / (K1 + tfw) * SCALE))) for num, tfw in plist]
        if len(scored) > max_postings:
            scored = sorted(sorted(scored, key=lambda p: (-p[1], p[0]))[:max_postings])
        out[term] = scored
    return out
