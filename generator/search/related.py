"""Related articles, computed at build time from the analysed text. Pure: no I/O.

Two articles are related when they describe the same problem in similar words. The score
is the cosine of their TF-IDF vectors (each article keeps its ``TOP_TERMS`` heaviest terms,
title, symptoms and keywords counting double), plus a bonus for each protocol that links
both and each tag they share. Only articles in the same language are related.

The work stays near-linear: a term shared by more than ``MAX_DF`` of the articles says
little and is skipped, and each term keeps its ``MAX_POSTINGS`` heaviest articles.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Final

from generator.model.catalog import Catalog
from generator.search.documents import FIELDS, STRONG_FIELDS, Analyzed

TOP_TERMS: Final = 16
MAX_POSTINGS: Final = 60
MAX_DF: Final = 0.2
PROTOCOL_BONUS: Final = 0.15
TAG_BONUS: Final = 0.05
MIN_SCORE: Final = 0.08


def _vectors(docs: Sequence[Analyzed]) -> list[dict[str, float]]:
    df: dict[str, int] = defaultdict(int)
    for d in docs:
        for t in {t for f in FIELDS for t in d.tf[f]}:
            df[t] += 1
    n = len(docs)
    limit = max(2, int(MAX_DF * n)) if n > 20 else n
    out = []
    for d in docs:
        weights: dict[str, float] = defaultdict(float)
        for f in FIELDS:
            boost = 2.0 if f in STRONG_FIELDS else 1.0
            for t, c in d.tf[f].items():
                if 1 < df[t] <= limit:
                    weights[t] += boost * c
        scored = sorted(((w * math.log(n / df[t]), t) for t, w in weights.items()), reverse=True)[:TOP_TERMS]
        norm = math.sqrt(sum(w * w for w, _ in scored)) or 1.0
        out.append({t: w / norm for w, t in scored})
    return out


def related_articles(docs: Sequence[Analyzed], catalog: Catalog, k: int = 5,
                     only: Collection[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Article id -> ids of up to ``k`` related articles, most related first (for the ids in
    ``only``, when given: the live preview recomputes the articles an edit touched)."""
    arts = [d for d in docs if d.doc.type != "protocol"]
    vectors = _vectors(arts)
    postings: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for t, w in vec.items():
            postings[t].append((w, i))
    for t, plist in postings.items():
        if len(plist) > MAX_POSTINGS:
            postings[t] = sorted(plist, reverse=True)[:MAX_POSTINGS]
    using = catalog.protocols_using_article
    index = {a.doc.id: i for i, a in enumerate(arts)}
    by_protocol: dict[str, list[int]] = defaultdict(list)
    for aid, pids in using.items():
        for p in pids:
            if aid in index:
                by_protocol[p].append(index[aid])
    tags = {a.id: set(a.meta.tags) for a in catalog.articles}
    out: dict[str, tuple[str, ...]] = {}
    for i, vec in enumerate(vectors):
        me = arts[i].doc
        if only is not None and me.id not in only:
            continue
        scores: dict[int, float] = defaultdict(float)
        for t, w in vec.items():
            for w2, j in postings[t]:
                scores[j] += w * w2
        mine = set(using.get(me.id, ()))
        for p in mine:  # articles of the same protocol are candidates even in other words
            for j in by_protocol[p]:
                scores[j] += 0.0
        ranked = []
        for j, s in scores.items():
            other = arts[j].doc
            if j == i or other.lang != me.lang:
                continue
            s += PROTOCOL_BONUS * len(mine & set(using.get(other.id, ()))) + TAG_BONUS * len(
                tags.get(me.id, set()) & tags.get(other.id, set()))
            if s >= MIN_SCORE:
                ranked.append((-s, other.id))
        out[me.id] = tuple(i for _, i in sorted(ranked)[:k])
    return out
