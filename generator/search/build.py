"""Build-time entry points: analyse a catalog once, then write the indexes and related content."""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import os
import shutil
import tempfile
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

    def start_server(self, parent: Path) -> tuple[multiprocessing.process.BaseProcess, Path] | None:
        """Write the whoosh index in a second process while MkDocs renders the pages (2 cores: it
        costs no wall time). The index goes to a temporary folder next to the site, since MkDocs
        empties the site folder when it starts; :meth:`finish_server` moves it in. None where
        fork is not available (the caller then uses :meth:`write_server`)."""
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        tmp = Path(tempfile.mkdtemp(prefix=f".site-tmp-{os.getpid()}-search-", dir=parent))
        proc = multiprocessing.get_context("fork").Process(
            target=build_server_index, args=(self.docs, self.impacts, self.synonyms, tmp / "server"), daemon=True)
        proc.start()
        return proc, tmp

    def finish_server(self, started: tuple[multiprocessing.process.BaseProcess, Path], site: Path) -> Path:
        proc, tmp = started
        start = time.perf_counter()
        proc.join()
        self.timings["server_wait"] = time.perf_counter() - start
        try:
            if proc.exitcode != 0:
                raise RuntimeError(f"the search index process failed (exit code {proc.exitcode})")
            out = site / SERVER_DIR
            if out.exists():
                shutil.rmtree(out)
            shutil.move(str(tmp / "server"), str(out))
            return out
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def release(self) -> None:
        """Forget the analysed documents once every index has been written (or handed to the index
        process): they are the largest part of a build's memory and MkDocs still has pages to render."""
        self.docs = []
        self.impacts = compute_impacts([])

    def write_server(self, site: Path) -> Path:
        start = time.perf_counter()
        out = site / SERVER_DIR
        build_server_index(self.docs, self.impacts, self.synonyms, out)
        self.timings["server"] = time.perf_counter() - start
        return out
