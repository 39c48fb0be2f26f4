"""Build-time entry points: analyse a catalog once, then write the indexes and related content."""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import os
import shutil
import tempfile
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.model.catalog import Catalog
from generator.search.documents import Analyzed, analyze, article_doc, catalog_docs, protocol_doc
from generator.search.query import DEFAULT_SYNONYMS, Synonyms, load_synonyms
from generator.search.related import related_articles
from generator.search.scoring import Impacts, LiveImpacts, compute_impacts
from generator.search.server import SERVER_DIR, build_server_index, update_server_index
from generator.search.static import STATIC_DIR, LiveStatic, StaticStats, build_static


@dataclass
class SearchBuild:
    """The analysed documents of one catalog, ready for every index."""

    catalog: Catalog
    docs: list[Analyzed]
    synonyms: Synonyms
    impacts: Impacts
    timings: dict[str, float] = field(default_factory=dict)
    live: LiveImpacts | None = None  # the live preview's incremental state (start_live)
    live_static: LiveStatic | None = None

    @classmethod
    def prepare(cls, catalog: Catalog, *, directory_urls: bool = True,
                synonyms: Sequence[Path] = ()) -> SearchBuild:
        start = time.perf_counter()
        syn = load_synonyms([DEFAULT_SYNONYMS, *synonyms])
        docs = [analyze(d) for d in catalog_docs(catalog, directory_urls)]
        build = cls(catalog, docs, syn, compute_impacts(docs))
        build.timings["analyze"] = time.perf_counter() - start
        return build

    def related(self, k: int = 5, only: Collection[str] | None = None) -> dict[str, tuple[str, ...]]:
        start = time.perf_counter()
        out = related_articles(self.docs, self.catalog, k, only) if k > 0 else {}
        self.timings["related"] = time.perf_counter() - start
        return out

    def start_live(self, site: Path) -> None:
        """Get ready for :meth:`update` after a full build whose indexes are in ``site`` (live preview)."""
        start = time.perf_counter()
        self.live = LiveImpacts(self.docs)
        self.impacts = self.live.impacts
        self.live_static = LiveStatic(self.docs, self.impacts, site / STATIC_DIR)
        self.timings["live"] = time.perf_counter() - start

    def update(self, catalog: Catalog, ids: Collection[str], *, directory_urls: bool = True) -> list[int]:
        """Analyse the documents of ``ids`` again from ``catalog`` (the live preview, after an edit),
        update the impacts and the static index; returns their document numbers for
        :meth:`update_server`. The set of documents must be the one of the full build."""
        assert self.live is not None and self.live_static is not None, "start_live() first"
        start = time.perf_counter()
        self.catalog = catalog
        number = {a.doc.id: i for i, a in enumerate(self.docs)}
        changed: dict[int, Analyzed] = {}
        for ident in ids:
            if ident not in number:
                continue
            if ident in catalog.article_by_id:
                doc = article_doc(catalog.article_by_id[ident], directory_urls)
            else:
                doc = protocol_doc(catalog.protocol_by_id[ident], directory_urls)
            changed[number[ident]] = self.docs[number[ident]]
            self.docs[number[ident]] = analyze(doc)
        terms: set[str] = set()
        for num, old in changed.items():
            terms |= self.live.replace(num, old, self.docs[num])
        self.impacts = self.live.impacts
        self.timings["update"] = time.perf_counter() - start
        start = time.perf_counter()
        self.live_static.update(self.docs, self.impacts, changed, terms)
        self.timings["static_update"] = time.perf_counter() - start
        return sorted(changed)

    def update_server(self, site: Path, nums: Collection[int]) -> None:
        start = time.perf_counter()
        update_server_index(self.docs, self.impacts, nums, site / SERVER_DIR)
        self.timings["server_update"] = time.perf_counter() - start

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
