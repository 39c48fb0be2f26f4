"""The static search index: sharded JSON files the browser fetches a few at a time.

Layout under ``<site>/search/`` (``FORMAT`` below):

* ``meta.json``: document count, shard boundaries, the analysis rules, synonyms, weights;
* ``t/<n>.json``: postings of a range of terms, ``{"term": [doc, impact, doc delta, impact, ...]}``;
  each shard is cut at about ``SHARD_BYTES`` so a query fetches one small file per word;
* ``d/<n>.json``: what results show, ``DOCS_PER_SHARD`` documents per file:
  ``[id, type, audience, area, title, url, lang, [symptoms]]``;
* ``v/<c>.json``: the folded, unstemmed words starting with ``c`` and their document
  frequency, for typo correction (``{"contrasena": 12, ...}``).

Scores are computed at build time (``scoring.compute_impacts``: BM25F over the fields, as
integer *impacts*, each term cut to its best documents), so the browser only adds numbers:
per query word the best variant (weight x impact), summed over words.
``StaticIndex`` reads the same files and ranks exactly like ``search.js`` (the node parity
test checks that), which is how ``kb search-eval`` measures the static search.
"""

from __future__ import annotations

import bisect
import json
import os
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from generator.search.analysis import RULES, content_words, distance, max_edits
from generator.search.documents import Analyzed
from generator.search.lexicon import bucket, by_bucket, known_words
from generator.search.query import (
    MAX_CORRECTIONS,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    SYNONYM_WEIGHT,
    TYPO_WEIGHT,
    QueryWord,
    Synonyms,
    expand,
)
from generator.search.results import Hit, SearchResult, best_symptom, collapse
from generator.search.scoring import SCALE, Impacts

FORMAT: Final = 1
SHARD_BYTES: Final = 12_000
# Raw bytes of postings shards one query may fetch (about 40 KB compressed): a long query takes its
# rarest words first and leaves out a common word whose shards would go over (they say least).
TERM_BUDGET: Final = 96_000
DOCS_PER_SHARD: Final = 32


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class StaticStats:
    docs: int
    terms: int
    term_shards: int
    doc_shards: int
    vocab_words: int
    bytes: int


def vocabulary(docs: Sequence[Analyzed]) -> dict[str, int]:
    """Folded, unstemmed words and their document frequency: every word of titles, symptoms and
    keywords, and words of other fields that appear in at least two documents."""
    df: Counter[str] = Counter()
    strong: set[str] = set()
    for d in docs:
        df.update(d.words)
        strong |= d.strong
    return {w: c for w, c in sorted(df.items()) if (c >= 2 or w in strong) and not w.isdigit()}


def versions(docs: Sequence[Any]) -> list[list[Any]]:
    """``[doc number, family number, lang]`` of every document whose page exists in several languages
    (the family number is the original's): results show one version per page (``collapse``)."""
    number = {d.id: i for i, d in enumerate(docs)}
    families: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        families[d.family or d.id].append(i)
    out = []
    for fam, members in families.items():
        if len(members) > 1:
            head = number.get(fam, members[0])
            out += [[i, head, docs[i].lang] for i in members]
    return sorted(out)


def _postings_json(plist: list[tuple[int, int]]) -> list[int]:
    flat: list[int] = []
    last = 0
    for num, impact in plist:
        flat += [num - last, impact]
        last = num
    return flat


def _write(out: Path, rel: str, text: str) -> int:
    data = text.encode("utf-8")
    tmp = out / f"{rel}.tmp"  # then renamed: a browser never reads a half-written file (live preview)
    tmp.write_bytes(data)
    os.replace(tmp, out / rel)
    return len(data)


def _doc_row(d: Any) -> list[Any]:
    return [d.id, d.type, d.audience, d.area, d.title, d.url.lstrip("/"), d.lang, list(d.symptoms)]


def build_static(analyzed: Sequence[Analyzed], impacts: Impacts, synonyms: Synonyms, out: Path) -> StaticStats:
    """Write the static index of ``analyzed`` documents into the folder ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("t", "d", "v", "k"):
        (out / sub).mkdir(exist_ok=True)
    size = 0

    def write(rel: str, text: str) -> None:
        nonlocal size
        size += _write(out, rel, text)

    docs = [a.doc for a in analyzed]
    boundaries: list[str] = []
    term_bytes: list[int] = []
    shard: dict[str, list[int]] = {}
    shard_size = 0

    def flush() -> None:
        text = _dump(shard)
        write(f"t/{len(boundaries) - 1}.json", text)
        term_bytes.append(len(text.encode("utf-8")))

    for term in sorted(impacts):
        flat = _postings_json(impacts[term])
        item = len(term) + 4 + len(_dump(flat))
        if shard and shard_size + item > SHARD_BYTES:
            flush()
            shard, shard_size = {}, 0
        if not shard:
            boundaries.append(term)
        shard[term] = flat
        shard_size += item
    if shard:
        flush()

    rows = [_doc_row(d) for d in docs]
    for i in range(0, len(rows), DOCS_PER_SHARD):
        write(f"d/{i // DOCS_PER_SHARD}.json", _dump(rows[i:i + DOCS_PER_SHARD]))

    vocab = vocabulary(analyzed)
    by_first: dict[str, dict[str, int]] = defaultdict(dict)
    for w, c in vocab.items():
        by_first[w[0]][w] = c
    for first, ws in sorted(by_first.items()):
        write(f"v/{first}.json", _dump(ws))
    known = by_bucket(known_words())
    for n, kw in enumerate(known):  # real words the corrector leaves alone (lexicon.py)
        write(f"k/{n}.json", _dump(kw))

    meta = {"format": FORMAT, "docs": len(docs), "docs_per_shard": DOCS_PER_SHARD, "terms": boundaries,
            "term_bytes": term_bytes, "term_budget": TERM_BUDGET,
            "versions": versions(docs), "vocab": sorted(by_first), "known": len(known) if any(known) else 0,
            "rules": RULES.as_json(),
            "synonyms": synonyms.as_json(),
            "weights": {"typo": {str(k): v for k, v in TYPO_WEIGHT.items()}, "synonym": SYNONYM_WEIGHT,
                        "max_corrections": MAX_CORRECTIONS, "max_words": MAX_QUERY_WORDS,
                        "max_chars": MAX_QUERY_CHARS}}
    write("meta.json", _dump(meta))
    return StaticStats(len(docs), len(impacts), len(boundaries), -(-len(rows) // DOCS_PER_SHARD), len(vocab), size)


class LiveStatic:
    """Rewrites only the files of a static index that an edit changed (the live preview).

    Shard boundaries stay those of the full build (a shard may grow past ``SHARD_BYTES`` until
    the next one); a new term that sorts before every boundary becomes the first boundary."""

    def __init__(self, analyzed: Sequence[Analyzed], impacts: Impacts, out: Path) -> None:
        self.out = out
        self.meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
        self.terms = sorted(impacts)
        self.df: Counter[str] = Counter()
        self.strong: Counter[str] = Counter()
        for d in analyzed:
            self.df.update(d.words)
            self.strong.update(d.strong)

    def _shard(self, term: str) -> int:
        return max(0, bisect.bisect_right(self.meta["terms"], term) - 1)

    def update(self, analyzed: Sequence[Analyzed], impacts: Impacts, changed: Mapping[int, Analyzed],
               terms: set[str]) -> int:
        """``changed``: document number -> its previous analysis; ``terms``: terms whose impacts changed.
        Returns the number of files written."""
        boundaries: list[str] = self.meta["terms"]
        meta_dirty = False
        for t in terms:
            i = bisect.bisect_left(self.terms, t)
            present = i < len(self.terms) and self.terms[i] == t
            if t in impacts and not present:
                self.terms.insert(i, t)
            elif t not in impacts and present:
                del self.terms[i]
            if t in impacts and boundaries and t < boundaries[0]:
                boundaries[0] = t
                meta_dirty = True
        written = 0
        for i in sorted({self._shard(t) for t in terms}):
            lo = bisect.bisect_left(self.terms, boundaries[i])
            hi = bisect.bisect_left(self.terms, boundaries[i + 1]) if i + 1 < len(boundaries) else len(self.terms)
            shard = {t: _postings_json(impacts[t]) for t in self.terms[lo:hi]}
            text = _dump(shard)
            written += bool(_write(self.out, f"t/{i}.json", text))
            sizes = self.meta.get("term_bytes")
            if isinstance(sizes, list) and i < len(sizes) and sizes[i] != len(text.encode("utf-8")):
                sizes[i] = len(text.encode("utf-8"))
                meta_dirty = True
        per = self.meta["docs_per_shard"]
        for s in sorted({num // per for num in changed}):
            _write(self.out, f"d/{s}.json", _dump([_doc_row(a.doc) for a in analyzed[s * per:(s + 1) * per]]))
            written += 1
        letters = set()
        for num, old in changed.items():
            new = analyzed[num]
            self.df.subtract(old.words)
            self.df.update(new.words)
            self.strong.subtract(old.strong)
            self.strong.update(new.strong)
            letters |= {w[0] for w in old.words ^ new.words} | {w[0] for w in old.strong ^ new.strong}
        for first in sorted(letters):
            ws = {w: c for w, c in sorted(self.df.items())
                  if w[0] == first and (c >= 2 or (c >= 1 and self.strong[w] > 0)) and not w.isdigit()}
            if ws or (self.out / "v" / f"{first}.json").exists():
                _write(self.out, f"v/{first}.json", _dump(ws))
                written += 1
            if ws and first not in self.meta["vocab"]:
                self.meta["vocab"] = sorted([*self.meta["vocab"], first])
                meta_dirty = True
        now = versions([a.doc for a in analyzed])
        if now != self.meta.get("versions"):  # a translation_of was edited
            self.meta["versions"] = now
            meta_dirty = True
        if meta_dirty:
            _write(self.out, "meta.json", _dump(self.meta))
            written += 1
        return written


@dataclass
class StaticIndex:
    """Reads a static index folder and ranks like the browser does; records the files it reads."""

    root: Path
    meta: dict[str, Any] = field(init=False)
    synonyms: Synonyms = field(init=False)
    fetched: list[str] = field(default_factory=list)  # files read, in order (what a browser downloads)
    _cache: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.meta = self._file("meta.json")
        if self.meta.get("format") != FORMAT:
            raise ValueError(f"{self.root}: expected a static search index of format {FORMAT}, "
                             f"found {self.meta.get('format')!r}")
        self.synonyms = Synonyms.from_groups(self.meta["synonyms"])

    def _file(self, rel: str) -> Any:
        if rel not in self._cache:
            path = self.root / rel
            self.fetched.append(rel)
            self._cache[rel] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        return self._cache[rel]

    def known(self, word: str) -> bool:
        """A correctly spelled word (k/<hash bucket>.json): never corrected."""
        buckets: int = self.meta.get("known", 0)
        return bool(buckets) and word in self._file(f"k/{bucket(word, buckets)}.json")

    def near(self, word: str, limit: int) -> list[tuple[str, int, int]]:
        """Vocabulary words within ``limit`` edits; a correctly spelled word that would be corrected
        (not in the vocabulary, candidates found) comes back as itself: it is searched as typed."""
        if word[0] not in self.meta["vocab"]:
            return []
        vocab: dict[str, int] = self._file(f"v/{word[0]}.json")
        found = [(w, d, df) for w, df in vocab.items()
                 if abs(len(w) - len(word)) <= limit and (d := distance(word, w, limit)) <= limit]
        if found and word not in vocab and self.known(word):
            return [(word, 0, 0)]
        return found

    def postings(self, term: str) -> list[int]:
        i = bisect.bisect_right(self.meta["terms"], term) - 1
        if i < 0:
            return []
        shard: dict[str, list[int]] = self._file(f"t/{i}.json")
        return shard.get(term, [])

    def doc(self, num: int) -> list[Any]:
        per = self.meta["docs_per_shard"]
        rows: list[list[Any]] = self._file(f"d/{num // per}.json")
        return rows[num % per]

    def _word_df(self, word: str) -> float:
        """The word's document frequency, from a vocabulary file already fetched (else unknown: last)."""
        if word[0] not in self.meta["vocab"]:
            return 0
        vocab = self._cache.get(f"v/{word[0]}.json")
        return float("inf") if vocab is None else vocab.get(word, 0)

    def plan(self, words: Sequence[QueryWord]) -> list[bool]:
        """Which words to score within the byte budget: rarest first (document frequency, then query
        order), each taking the postings shards its variants need; a word that would go over the
        budget is left out, unless nothing is taken yet. search.js plans the same way."""
        sizes, budget = self.meta.get("term_bytes"), self.meta.get("term_budget", 0)
        if not sizes or not budget:
            return [True] * len(words)
        terms: list[str] = self.meta["terms"]
        order = sorted(range(len(words)), key=lambda i: (self._word_df(words[i].word), i))
        keep, total = [False] * len(words), 0
        used: set[int] = set()
        for i in order:
            need = {s for v in words[i].variants if (s := bisect.bisect_right(terms, v.term) - 1) >= 0} - used
            cost = sum(sizes[s] for s in need)
            if any(keep) and total + cost > budget:
                continue
            keep[i], total = True, total + cost
            used |= need
        return keep

    def rank(self, words: Sequence[QueryWord]) -> list[tuple[float, int]]:
        """(score, doc number) of every matching document, best first, ties by doc number."""
        scores: dict[int, float] = {}
        keep = self.plan(words)
        for w in (w for w, k in zip(words, keep, strict=True) if k):
            best: dict[int, float] = {}
            for v in w.variants:
                flat = self.postings(v.term)
                num = 0
                for i in range(0, len(flat), 2):
                    num += flat[i]
                    s = v.weight * flat[i + 1]
                    if s > best.get(num, 0.0):
                        best[num] = s
            for num, s in best.items():
                scores[num] = scores.get(num, 0.0) + s
        return sorted(((s, n) for n, s in scores.items()), key=lambda x: (-x[0], x[1]))

    def search(self, query: str, *, limit: int = 10, filters: Mapping[str, str] | None = None,
               lang: str | None = None) -> SearchResult:
        # The browser asks for every word's v/ file at once, then for k/ files: the same order here.
        for word in list(dict.fromkeys(content_words(query[:MAX_QUERY_CHARS])))[:MAX_QUERY_WORDS]:
            if max_edits(word) and word[0] in self.meta["vocab"]:
                self._file(f"v/{word[0]}.json")
        words = expand(query, self.synonyms, self.near)
        family = {num: (fam, lg) for num, fam, lg in self.meta.get("versions", [])}
        ranked = collapse(self.rank(words), family.get, lang)
        hits = []
        for score, num in ranked[:limit]:
            did, typ, aud, area, title, url, doc_lang, symptoms = self.doc(num)[:8]
            hits.append(Hit(did, typ, title, "/" + url, round(score / SCALE, 4), aud, area,
                            best_symptom(symptoms, words, doc_lang)))
        return SearchResult(query, tuple(hits), len(ranked), source="static",
                            corrected={w.word: w.corrected for w in words if w.corrected})
