"""The server search: a whoosh index behind one small interface (``ServerIndex``).

whoosh (the ``whoosh-reloaded`` fork) is unmaintained, so nothing outside this module
imports it: a successor (tantivy, SQLite FTS5) replaces this file and nothing else.

* Text is analysed by ``generator.search.analysis`` before whoosh sees it, and scored at
  build time (``scoring.compute_impacts``: BM25F with title and symptom boosts). The ``text``
  field stores each document's impact per term as the posting weight; whoosh's
  ``Frequency`` weighting returns it, and block-max skipping keeps top-10 queries fast.
  (Measured at 10,000 articles: whoosh's own query-time BM25F over five fields took
  p50 0.8 s / p95 1.5 s a query; with build-time impacts in one field, a few ms.)
* A query word matches its best variant (``DisjunctionMax``); the words' scores add up (``Or``).
* Typos: the unstemmed folded words of every document are indexed in the ``words`` field;
  a query word that is not one of them is corrected against that whole lexicon (first
  letter kept, Damerau-Levenshtein distance 1 or 2 by word length).
* Facets (type, audience, area, channel) are counted among the best ``FACET_DEPTH`` matches,
  on request; the same names filter results exactly.

The index is written by the build into ``<site>/search/server/`` and only read by
``kb serve`` and ``kb search`` (opened read-only: nothing is written).
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from generator.search.analysis import distance
from generator.search.documents import Analyzed
from generator.search.lexicon import is_word
from generator.search.query import QueryWord, Synonyms, expand
from generator.search.results import Hit, SearchResult, best_symptom, collapse
from generator.search.scoring import SCALE, Impacts

FACETS: Final = ("type", "audience", "area", "channel")
FACET_DEPTH: Final = 100
SYNONYMS_FILE: Final = "synonyms.json"


def _terms_field() -> Any:
    """A whoosh TEXT field fed with terms we analysed and scored already (term -> impact, or a set
    of words): whoosh does not tokenize again, and the posting weight is the impact. Defined
    lazily so that importing this module does not import whoosh."""
    global _TermsField
    if _TermsField is None:
        from whoosh import fields
        from whoosh.system import pack_uint

        class TermsField(fields.TEXT):  # type: ignore[misc]
            def index(self, value: Mapping[str, int] | Iterable[str], **kwargs: Any) -> Any:
                weights = value if isinstance(value, Mapping) else dict.fromkeys(value, 1)
                for w, weight in weights.items():
                    yield w.encode("utf-8"), 1, float(weight), pack_uint(1)

        TermsField.__module__ = __name__
        TermsField.__qualname__ = "TermsField"
        _TermsField = TermsField
    return _TermsField


_TermsField: Any = None


def __getattr__(name: str) -> Any:  # lets pickle find TermsField when the index is opened
    if name == "TermsField":
        return _terms_field()
    raise AttributeError(name)


def _schema() -> Any:
    from whoosh import fields

    terms_field = _terms_field()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        type=fields.ID(stored=True),
        audience=fields.ID(stored=True),
        area=fields.ID(stored=True),
        channel=fields.KEYWORD(stored=True),
        lang=fields.STORED(),
        title=fields.STORED(),
        url=fields.STORED(),
        symptoms=fields.STORED(),
        family=fields.STORED(),  # the original's id, for pages in several languages (results.collapse)
        text=terms_field(phrase=False),  # term -> impact
        words=terms_field(phrase=False),  # unstemmed words: the typo vocabulary. Scorable: whoosh looks
        # up a length column per posting, and stats a file for each when a field has none
    )


def build_server_index(docs: Sequence[Analyzed], impacts: Impacts, synonyms: Synonyms, out: Path, *,
                       previous: Path | None = None) -> int:
    """Write the whoosh index of ``docs`` (their impacts by term) into ``out`` (replaced if it exists), in
    segments (``segments.py``), reusing those of the index in ``previous`` that are unchanged; returns how
    many segments were written."""
    from generator.search.segments import write_segments

    if out.exists():
        shutil.rmtree(out)
    written = write_segments(docs, impacts, out, schema=_schema(), fields=_fields, previous=previous)
    (out / SYNONYMS_FILE).write_text(json.dumps(synonyms.as_json(), ensure_ascii=False), encoding="utf-8")
    return written


def _fields(a: Analyzed, weights: Mapping[str, int]) -> dict[str, Any]:
    d = a.doc
    return {"id": d.id, "type": d.type, "audience": d.audience, "area": d.area, "channel": " ".join(d.channels),
            "lang": d.lang, "title": d.title, "url": d.url, "symptoms": json.dumps(d.symptoms, ensure_ascii=False),
            "family": d.family, "text": weights, "words": a.words}


def update_server_index(docs: Sequence[Analyzed], impacts: Impacts, nums: Iterable[int], out: Path) -> None:
    """Replace the documents numbered ``nums`` in the whoosh index at ``out`` (the live preview).

    The others keep the impacts of the last full build: their scores move a little when the
    corpus does, which the next full build settles."""
    from whoosh import index

    wanted = set(nums)
    per_doc: dict[int, dict[str, int]] = {n: {} for n in wanted}
    for term, plist in impacts.items():
        for num, impact in plist:
            if num in wanted:
                per_doc[num][term] = impact
    ix = index.open_dir(str(out))
    try:
        writer = ix.writer()
        for n in sorted(wanted):
            writer.update_document(**_fields(docs[n], per_doc[n]))
        writer.commit()
    finally:
        ix.close()


def _best_of(subqueries: list[Any]) -> Any:
    """A query scoring each document by its best subquery (whoosh's DisjunctionMax, fixed)."""
    global _BestOf
    if _BestOf is None:
        from whoosh import matching
        from whoosh import query as q

        class BestOfMatcher(matching.DisjunctionMaxMatcher):  # type: ignore[misc]
            """whoosh 2.7's DisjunctionMaxMatcher returns max(a, b) even when a and b stand on
            different documents (a score from another document), and drops to no match at all
            when one side runs out after a replace(). Both fixed here."""

            def __init__(self, a: Any, b: Any, tiebreak: float = 0.0) -> None:
                super().__init__(a, b, tiebreak)

            def score(self) -> float:
                a, b = self.a, self.b
                if not a.is_active() or (b.is_active() and b.id() < a.id()):
                    return float(b.score())
                if not b.is_active() or a.id() < b.id():
                    return float(a.score())
                return float(max(a.score(), b.score()))

            def replace(self, minquality: float = 0) -> Any:
                a, b = self.a, self.b
                if not a.is_active() and not b.is_active():
                    return matching.NullMatcher()
                if minquality and a.is_active() and b.is_active() and \
                        max(a.max_quality(), b.max_quality()) < minquality:
                    return matching.NullMatcher()
                na = a.replace(minquality) if a.is_active() else a
                nb = b.replace(minquality) if b.is_active() else b
                if not na.is_active():
                    return nb if nb.is_active() else matching.NullMatcher()
                if not nb.is_active():
                    return na
                return self if (na is a and nb is b) else self.__class__(na, nb)

        class BestOf(q.DisjunctionMax):  # type: ignore[misc]
            def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
                reader = searcher.reader()
                return self._tree_matcher(subs, BestOfMatcher, searcher, context,
                                          lambda sub: sub.estimate_size(reader))

        _BestOf = BestOf
    return _BestOf(subqueries)


_BestOf: Any = None


def _or(subqueries: list[Any]) -> Any:
    """whoosh's Or as a tree of union matchers, which support block-max skipping for the top N."""
    from whoosh import query as q

    node = q.Or(subqueries)
    node.matcher_type = q.Or.DEFAULT_MATCHER
    return node


class ServerIndex:
    """A read-only whoosh index. ``search`` is safe to call from several threads."""

    def __init__(self, path: Path) -> None:
        from whoosh import index, scoring

        if not index.exists_in(str(path)):
            raise FileNotFoundError(f"no search index in {path}: run 'kb build'")
        self.path = path
        self._ix = index.open_dir(str(path), readonly=True)
        self._searcher = self._ix.searcher(weighting=scoring.Frequency())
        self._lock = threading.Lock()
        groups = json.loads((path / SYNONYMS_FILE).read_text(encoding="utf-8"))
        self.synonyms = Synonyms.from_groups(groups)
        self.doc_count = self._searcher.doc_count()
        self._vocab = self._vocabulary()
        self._near: dict[tuple[str, int], list[tuple[str, int, int]]] = {}
        self._versions = self._families()

    def _families(self) -> dict[str, tuple[str, str]]:
        """id -> (family, lang) of the pages that exist in several languages."""
        members: dict[str, list[tuple[str, str]]] = {}
        for stored in self._searcher.reader().all_stored_fields():
            fam = stored.get("family") or stored["id"]
            members.setdefault(fam, []).append((stored["id"], stored.get("lang") or ""))
        return {i: (fam, lang) for fam, ms in members.items() if len(ms) > 1 for i, lang in ms}

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()

    def refresh(self) -> bool:
        """Read the index again if it changed on disk (the live preview updates it); True if it did."""
        with self._lock:
            fresh = self._searcher.refresh()
            if fresh is self._searcher:
                return False
            self._searcher = fresh
            self.doc_count = fresh.doc_count()
            self._vocab = self._vocabulary()
            self._near.clear()
            self._versions = self._families()
            return True

    def _vocabulary(self) -> dict[tuple[str, int], list[tuple[str, int]]]:
        """The ``words`` lexicon grouped by first letter and length: candidates for a correction."""
        reader = self._searcher.reader()
        out: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for btext in reader.lexicon("words"):
            w = btext.decode("utf-8")
            out.setdefault((w[0], len(w)), []).append((w, reader.doc_frequency("words", w)))
        return out

    def near(self, word: str, limit: int) -> list[tuple[str, int, int]]:
        """Indexed words within ``limit`` edits of ``word`` that share its first letter."""
        key = (word, limit)
        if key not in self._near:
            if len(self._near) > 10_000:
                self._near.clear()
            found: list[tuple[str, int, int]] = [(word, 0, 0)] if is_word(word) else []  # never corrected
            for n in range(len(word) - limit, len(word) + limit + 1) if not found else ():
                for w, df in self._vocab.get((word[0], n), ()):
                    d = distance(word, w, limit)
                    if d <= limit:
                        found.append((w, d, df))
            self._near[key] = found
        return self._near[key]

    def _query(self, qwords: Sequence[QueryWord]) -> Any:
        from whoosh import query as q

        reader = self._searcher.reader()
        per_word = []
        for w in qwords:  # only terms the index holds: whoosh builds a matcher for each clause
            variants = [q.Term("text", v.term, boost=v.weight) for v in w.variants if ("text", v.term) in reader]
            if variants:
                per_word.append(_best_of(variants) if len(variants) > 1 else variants[0])
        return _or(per_word) if per_word else q.NullQuery

    def search(self, query: str, *, limit: int = 10, filters: Mapping[str, str] | None = None,
               facets: bool = False, lang: str | None = None) -> SearchResult:
        from whoosh import query as q

        with self._lock:
            qwords = expand(query, self.synonyms, self.near)
            corrected = {w.word: w.corrected for w in qwords if w.corrected}
            flt = [q.Term(k, v) for k, v in (filters or {}).items() if v]
            depth = (max(limit, FACET_DEPTH) if facets else limit) + len(self._versions)  # room for collapse
            results = self._searcher.search(self._query(qwords), limit=depth,
                                            filter=q.And(flt) if flt else None)
            by_id = {r["id"]: r for r in results}
            kept = collapse([(float(r.score), r["id"]) for r in results], self._versions.get, lang)
            hits: list[Hit] = []
            counts: dict[str, dict[str, int]] = {name: {} for name in FACETS} if facets else {}
            for score, ident in kept[:max(limit, FACET_DEPTH) if facets else limit]:
                r = by_id[ident]
                if len(hits) < limit:
                    symptoms = json.loads(r["symptoms"])
                    hits.append(Hit(r["id"], r["type"], r["title"], r["url"], round(score / SCALE, 4),
                                    r["audience"], r["area"], best_symptom(symptoms, qwords, r["lang"])))
                for name in counts:
                    for value in str(r.get(name) or "").split():
                        counts[name][value] = counts[name].get(value, 0) + 1
            facet_counts = {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in counts.items()}
            total = len(kept) if facets else len(hits)
            return SearchResult(query, tuple(hits), total, facet_counts, corrected, source="server")
