"""What a search returns, whichever engine answered: the one small interface of ``generator.search``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, TypeVar

from generator.search.analysis import terms
from generator.search.query import QueryWord


@dataclass(frozen=True)
class Hit:
    id: str
    type: str
    title: str
    url: str
    score: float
    audience: str = ""
    area: str = ""
    symptom: str = ""  # the symptom (or summary) that best matches the query


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]
    total: int  # documents that matched, before the limit
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    corrected: Mapping[str, Sequence[str]] = field(default_factory=dict)  # word -> vocabulary words used
    source: str = "server"  # static | server

    def as_json(self) -> dict[str, Any]:
        """The JSON of ``GET /api/search`` and ``kb search --json``."""
        return {"query": self.query, "total": self.total, "source": self.source,
                "results": [asdict(h) for h in self.hits],
                "facets": {k: dict(v) for k, v in self.facets.items()},
                "corrected": {k: list(v) for k, v in self.corrected.items()}}


class Engine(Protocol):
    """A search engine over one site's articles and protocols."""

    def search(self, query: str, *, limit: int = 10, filters: Mapping[str, str] | None = None,
               lang: str | None = None) -> SearchResult:
        ...


K = TypeVar("K")


def collapse(ranked: Sequence[tuple[float, K]], version: Callable[[K], tuple[object, str] | None],
             lang: str | None) -> list[tuple[float, K]]:
    """One result per page across its languages: ``ranked`` is (score, key) best first; ``version``
    gives (family, lang) of a key that has translations (None otherwise). Each family keeps its
    member in ``lang`` if one matched, else its best; it ranks where its best member did, with that
    score. search.js (``collapse``) does the same on the static index."""
    groups: dict[object, list[tuple[float, K, str]]] = {}
    for score, key in ranked:
        v = version(key)
        groups.setdefault(("f", v[0]) if v else ("d", key), []).append((score, key, v[1] if v else ""))
    out = []
    for members in groups.values():
        chosen = next((m for m in members if lang and m[2] == lang), members[0])
        out.append((members[0][0], chosen[1]))
    return out


def best_symptom(candidates: Sequence[str], words: Sequence[QueryWord], lang: str) -> str:
    """The candidate sharing the most query weight with the query (the first on a tie)."""
    best, best_score = (candidates[0] if candidates else ""), 0.0
    for text in candidates:
        have = set(terms(text, lang))
        score = sum(max((v.weight for v in w.variants if v.term in have), default=0.0) for w in words)
        if score > best_score:
            best, best_score = text, score
    return best
