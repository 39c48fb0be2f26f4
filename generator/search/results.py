"""What a search returns, whichever engine answered: the one small interface of ``generator.search``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

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

    def search(self, query: str, *, limit: int = 10, filters: Mapping[str, str] | None = None) -> SearchResult:
        ...


def best_symptom(candidates: Sequence[str], words: Sequence[QueryWord], lang: str) -> str:
    """The candidate sharing the most query weight with the query (the first on a tie)."""
    best, best_score = (candidates[0] if candidates else ""), 0.0
    for text in candidates:
        have = set(terms(text, lang))
        score = sum(max((v.weight for v in w.variants if v.term in have), default=0.0) for w in words)
        if score > best_score:
            best, best_score = text, score
    return best
