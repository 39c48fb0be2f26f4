"""Related articles brought up to date from the previous build's (``related-state.json`` in the search's
build-cache folder), exactly as :func:`related.related_articles` would compute them from scratch.

The state holds each article's analysis key, its facts (language, tags, protocols), its vector, the
article frequency of every term and the related articles. When the articles are the same ones (ids and
order) and no protocol changed its articles, only what an edit can reach is computed again:

* the vectors of the changed articles, and of the articles having a term whose status (used or not,
  coarse frequency: ``related.term_status``) the edit changed;
* the related articles of: the articles whose vector changed; those with a term in their vector whose
  postings changed (a changed article's weight in them, too), or, when a changed article's language or
  tags changed, that it had or has in its vector (it is only a candidate through such a term: its facts
  weigh there); and those sharing a protocol with a changed article. Any other article has the same
  vector, postings, candidates and facts: the same list.

Anything else (a new or deleted article, a protocol edited, another ``k``, a missing or foreign state)
computes everything. The old analyses of the changed articles come from the analysis cache.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from generator.model.catalog import Catalog
from generator.pipeline.cachefiles import digest, read_json, write_atomic
from generator.search.analysiscache import analysis_version
from generator.search.documents import FIELDS, Analyzed
from generator.search.related import (
    MAX_POSTINGS,
    Neighbours,
    Vector,
    article_df,
    articles_of,
    term_status,
    vector,
)

FORMAT: Final = 1
FILE: Final = "related-state.json"
_HERE = Path(__file__).resolve().parent
MAX_RESCANS: Final = 64  # terms whose status changed: beyond this many, every vector is computed again


@functools.cache
def related_version() -> str:
    return digest(str(FORMAT), analysis_version(), (_HERE / "related.py").read_bytes(),
                  (_HERE / "scoring.py").read_bytes())


def _facts(a: Analyzed, catalog: Catalog) -> str:
    art = catalog.article_by_id.get(a.doc.id)
    tags = sorted(art.meta.tags) if art is not None else []
    return digest(a.doc.lang, *tags, "\0", *catalog.protocols_using_article.get(a.doc.id, ()))


def _terms(tf: Mapping[str, Mapping[str, int]]) -> set[str]:
    return {t for f in FIELDS for t in tf[f]}


def _top(plist: Sequence[tuple[float, int]]) -> list[tuple[float, int]]:
    return sorted(plist, reverse=True)[:MAX_POSTINGS]


class RelatedCache:
    """Related articles for ``docs``, incrementally when the state in ``folder`` allows; :meth:`save`."""

    def __init__(self, folder: Path | None, *, read: bool = True,
                 old_tf: Callable[[str], Mapping[str, Mapping[str, int]] | None] = lambda key: None) -> None:
        self.folder = folder
        self.old_tf = old_tf  # an analysis key -> the term counts it stood for (the analysis cache)
        self.state: dict[str, Any] = {}
        if folder is not None and read:
            doc = read_json(folder / FILE)
            if isinstance(doc, dict) and doc.get("version") == related_version():
                self.state = doc
        self.computed = 0  # articles ranked (all of them on a full computation)

    def related(self, docs: Sequence[Analyzed], keys: Sequence[str], catalog: Catalog,
                k: int) -> dict[str, tuple[str, ...]]:
        arts = articles_of(docs)
        art_keys = [key for key, d in zip(keys, docs, strict=True) if d.doc.type != "protocol"]
        facts = [_facts(a, catalog) for a in arts]
        using = digest(json.dumps(sorted((a, list(p)) for a, p in catalog.protocols_using_article.items())))
        new = {"version": related_version(), "k": k, "ids": [a.doc.id for a in arts], "keys": art_keys,
               "facts": facts, "using": using}
        try:
            out, df, vectors = self._update(arts, new, catalog, k)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            out = None
        if out is None:
            df = article_df(arts)
            vectors = [vector(d, df, len(arts)) for d in arts]
            near = Neighbours.of(arts, vectors, catalog)
            out = {a.doc.id: near.related(i, k) for i, a in enumerate(arts)}
            self.computed = len(arts)
        self.state = {**new, "df": df, "vectors": [list(v.items()) for v in vectors],
                      "related": {i: list(r) for i, r in out.items()}}
        return out

    def _update(self, arts: Sequence[Analyzed], new: dict[str, Any], catalog: Catalog,
                k: int) -> tuple[dict[str, tuple[str, ...]] | None, dict[str, int], list[Vector]]:
        old = self.state
        if not old or any(old.get(x) != new[x] for x in ("k", "ids", "using")):
            return None, {}, []
        n = len(arts)
        changed = [i for i in range(n) if old["keys"][i] != new["keys"][i] or old["facts"][i] != new["facts"][i]]
        df: dict[str, int] = {str(t): int(c) for t, c in old["df"].items()}
        old_vectors: list[Vector] = [{str(t): float(w) for t, w in v} for v in old["vectors"]]
        if len(old_vectors) != n:
            return None, {}, []
        related = {str(i): tuple(str(x) for x in r) for i, r in old["related"].items()}
        touched: set[str] = set()
        for i in changed:
            if old["keys"][i] == new["keys"][i]:
                continue  # its facts alone changed
            before = self.old_tf(old["keys"][i])
            if before is None:
                return None, {}, []
            gone, came = _terms(before), _terms(arts[i].tf)
            for t in gone - came:
                df[t] -= 1
            for t in came - gone:
                df[t] = df.get(t, 0) + 1
            touched |= gone ^ came
        old_df = {str(t): int(c) for t, c in old["df"].items()}
        moved = [t for t in touched if term_status(old_df.get(t, 0), n) != term_status(df.get(t, 0), n)]
        if len(moved) > MAX_RESCANS:
            return None, {}, []
        df = {t: c for t, c in df.items() if c > 0}
        again = set(changed) | {i for i, a in enumerate(arts) if any(t in a.tf[f] for t in moved for f in FIELDS)}
        vectors = list(old_vectors)
        for i in again:
            vectors[i] = vector(arts[i], df, n)
        near = Neighbours.of(arts, vectors, catalog)
        facts_changed = {i for i in changed if old["facts"][i] != new["facts"][i]}
        ranked = self._affected(arts, old_vectors, vectors, near, changed, again, facts_changed)
        for i in ranked:
            related[arts[i].doc.id] = near.related(i, k)
        self.computed = len(ranked)
        return {a.doc.id: related[a.doc.id] for a in arts}, df, vectors

    @staticmethod
    def _affected(arts: Sequence[Analyzed], old_vectors: Sequence[Vector], vectors: Sequence[Vector],
                  near: Neighbours, changed: Sequence[int], again: set[int], facts_changed: set[int]) -> set[int]:
        """The articles whose related articles may differ from the stored ones (see the module's doc)."""
        moved = {i for i in again if old_vectors[i] != vectors[i]}
        having: dict[str, list[int]] = defaultdict(list)  # term -> articles having it in their vector
        for i, vec in enumerate(vectors):
            for t in vec:
                having[t].append(i)
        terms = {t for i in moved for t in (*old_vectors[i], *vectors[i])}
        # An article whose facts changed is a candidate (its language and tags weigh) where it was or is in
        # the postings of a term of another's vector: a term of its vector, old or new.
        reach = {t for i in changed if i in facts_changed for t in (*old_vectors[i], *vectors[i])}
        for t in terms:  # the postings before the edit, against those now (as sets: their order weighs nothing)
            before = [(vectors[i][t], i) for i in having.get(t, ()) if i not in moved]
            before += [(old_vectors[i][t], i) for i in moved if t in old_vectors[i]]
            if _top(before) != _top(near.postings.get(t, [])):
                reach.add(t)
        out = set(moved) | set(changed)
        for t in reach:
            out.update(having.get(t, ()))
        mine = {p for i in changed for p in near.using.get(arts[i].doc.id, ())}
        for p in mine:
            out.update(near.by_protocol.get(p, ()))
        return out

    def save(self) -> None:
        if self.folder is not None and self.state:
            write_atomic(self.folder / FILE, json.dumps(self.state, ensure_ascii=False,
                                                        separators=(",", ":")).encode("utf-8"))
