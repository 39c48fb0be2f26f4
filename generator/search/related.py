"""Related articles, computed at build time from the analysed text. Pure: no I/O.

Two articles are related when they describe the same problem in similar words. The score
is the cosine of their TF-IDF vectors (each article keeps its ``TOP_TERMS`` heaviest terms,
title, symptoms and keywords counting double), plus a bonus for each protocol that links
both and each tag they share. Only articles in the same language are related.

The work stays near-linear: a term shared by more than ``MAX_DF`` of the articles says
little and is skipped, and each term keeps its ``MAX_POSTINGS`` heaviest articles. The number of
articles and each term's document frequency enter with two significant figures (``scoring.coarse``),
so an edit changes the vector of the edited article alone, most of the time: a cached rebuild
(``relatedcache.py``) ranks again only the articles whose neighbourhood that touches.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from generator.model.catalog import Catalog
from generator.search.documents import FIELDS, STRONG_FIELDS, Analyzed
from generator.search.scoring import coarse

TOP_TERMS: Final = 16
MAX_POSTINGS: Final = 60
MAX_DF: Final = 0.2
PROTOCOL_BONUS: Final = 0.15
TAG_BONUS: Final = 0.05
MIN_SCORE: Final = 0.08


Vector = dict[str, float]  # term -> weight, the ``TOP_TERMS`` heaviest, unit length


def term_weights(d: Analyzed) -> dict[str, float]:
    """An article's terms and their boosted counts (title, symptoms and keywords count double)."""
    weights: dict[str, float] = defaultdict(float)
    for f in FIELDS:
        boost = 2.0 if f in STRONG_FIELDS else 1.0
        for t, c in d.tf[f].items():
            weights[t] += boost * c
    return weights


def article_df(arts: Sequence[Analyzed]) -> dict[str, int]:
    df: dict[str, int] = defaultdict(int)
    for d in arts:
        for t in {t for f in FIELDS for t in d.tf[f]}:
            df[t] += 1
    return dict(df)


def df_limit(n: int) -> int:
    """A term in more articles than this says little: it is skipped."""
    return max(2, int(MAX_DF * n)) if n > 20 else n


def term_status(df: int, n: int) -> tuple[bool, float]:
    """What a term's document frequency means to every vector: used or not, and its (coarse) frequency
    (``scoring.coarse``: one article more or less rarely moves it, so an edit rarely changes other vectors)."""
    return 1 < df <= df_limit(n), coarse(df)


def vector(d: Analyzed, df: Mapping[str, int], n: int) -> Vector:
    limit, cn = df_limit(n), coarse(n)
    scored = sorted(((w * math.log(cn / coarse(df[t])), t) for t, w in term_weights(d).items()
                     if 1 < df[t] <= limit), reverse=True)[:TOP_TERMS]
    norm = math.sqrt(sum(w * w for w, _ in scored)) or 1.0
    return {t: w / norm for w, t in scored}


def postings(vectors: Sequence[Vector]) -> dict[str, list[tuple[float, int]]]:
    """term -> (weight, article number) of the ``MAX_POSTINGS`` heaviest articles having it in their vector."""
    out: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for t, w in vec.items():
            out[t].append((w, i))
    for t, plist in out.items():
        if len(plist) > MAX_POSTINGS:
            out[t] = sorted(plist, reverse=True)[:MAX_POSTINGS]
    return out


@dataclass
class Neighbours:
    """What ranks an article's related articles: every vector, the postings, protocols and tags."""

    arts: Sequence[Analyzed]
    vectors: Sequence[Vector]
    postings: Mapping[str, list[tuple[float, int]]]
    using: Mapping[str, Sequence[str]]
    by_protocol: Mapping[str, list[int]]
    tags: Mapping[str, set[str]]

    @classmethod
    def of(cls, arts: Sequence[Analyzed], vectors: Sequence[Vector], catalog: Catalog) -> Neighbours:
        using = catalog.protocols_using_article
        index = {a.doc.id: i for i, a in enumerate(arts)}
        by_protocol: dict[str, list[int]] = defaultdict(list)
        for aid, pids in using.items():
            for p in pids:
                if aid in index:
                    by_protocol[p].append(index[aid])
        tags = {a.id: set(a.meta.tags) for a in catalog.articles}
        return cls(arts, vectors, postings(vectors), using, by_protocol, tags)

    def related(self, i: int, k: int) -> tuple[str, ...]:
        """Ids of up to ``k`` articles related to article number ``i``, most related first."""
        me = self.arts[i].doc
        scores: dict[int, float] = defaultdict(float)
        for t, w in self.vectors[i].items():
            for w2, j in self.postings.get(t, ()):
                scores[j] += w * w2
        mine = set(self.using.get(me.id, ()))
        for p in mine:  # articles of the same protocol are candidates even in other words
            for j in self.by_protocol[p]:
                scores[j] += 0.0
        ranked = []
        for j, s in scores.items():
            other = self.arts[j].doc
            if j == i or other.lang != me.lang:
                continue
            s += PROTOCOL_BONUS * len(mine & set(self.using.get(other.id, ()))) + TAG_BONUS * len(
                self.tags.get(me.id, set()) & self.tags.get(other.id, set()))
            if s >= MIN_SCORE:
                ranked.append((-s, other.id))
        return tuple(x for _, x in sorted(ranked)[:k])


def articles_of(docs: Sequence[Analyzed]) -> list[Analyzed]:
    return [d for d in docs if d.doc.type != "protocol"]


def related_articles(docs: Sequence[Analyzed], catalog: Catalog, k: int = 5,
                     only: Collection[str] | None = None) -> dict[str, tuple[str, ...]]:
    """Article id -> ids of up to ``k`` related articles, most related first (for the ids in
    ``only``, when given: the live preview recomputes the articles an edit touched)."""
    arts = articles_of(docs)
    df = article_df(arts)
    near = Neighbours.of(arts, [vector(d, df, len(arts)) for d in arts], catalog)
    return {a.doc.id: near.related(i, k) for i, a in enumerate(arts) if only is None or a.doc.id in only}
