"""Build-time entry points: analyse a catalog once, then write the indexes and related content."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.model.catalog import Catalog
from generator.search.documents import Analyzed, analyze, catalog_docs
from generator.search.query import DEFAULT_SYNONYMS, Synonyms, load_synonyms
from generator.search.related import related_articles
from generator.search.scoring import Impacts, compute_impacts
from generator.search.server import SERVER_DIR, build_server_index
from generator.search.static import STATIC_DIR, StaticStats, build_static


@dataclass
class SearchBuild:
    """The analysed documents of one catalog, ready for every index."""

    catalog: Catalog
    docs: list[Analyzed]
    synonyms: Synonyms
    impacts: Impacts
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def prepare(cls, catalog: Catalog, *, directory_urls: bool = True,
                synonyms: Sequence[Path] = ()) -> SearchBuild:
        start = time.perf_counter()
        syn = load_synonyms([DEFAULT_SYNONYMS, *synonyms])
        docs = [analyze(d) for d in catalog_docs(catalog, directory_urls)]
        build = cls(catalog, docs, syn, compute_impacts(docs))
        build.timings["analyze"] = time.perf_counter() - start
        return build

    def related(self, k: int = 5) -> dict[str, tuple[str, ...]]:
        start = time.perf_counter()
        out = related_articles(self.docs, self.catalog, k) if k > 0 else {}
        self.timings["related"] = time.perf_counter() - start
        return out

    def write_static(self, site: Path) -> StaticStats:
        start = time.perf_counter()
        stats = build_static(self.docs, self.impacts, self.synonyms, site / STATIC_DIR)
        self.timings["static"] = time.perf_counter() - start
        return stats

    def write_server(self, site: Path) -> Path:
        start = time.perf_counter()
        out = site / SERVER_DIR
        build_server_index(self.docs, self.impacts, self.synonyms, out)
        self.timings["server"] = time.perf_counter() - start
        return out
