"""Build-time entry points: analyse a catalog once, then write the indexes and related content."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.process
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from generator.layout import SERVER_DIR, STATIC_DIR
from generator.model.catalog import Catalog
from generator.search.analysiscache import AnalysisCache
from generator.search.documents import Analyzed, analyze, article_doc, catalog_docs, protocol_doc
from generator.search.query import DEFAULT_SYNONYMS, Synonyms, load_synonyms
from generator.search.related import related_articles
from generator.search.relatedcache import RelatedCache
from generator.search.scoring import Impacts, LiveImpacts, compute_impacts
from generator.search.server import build_server_index, update_server_index
from generator.search.static import LiveStatic, StaticStats, build_static


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
    scored: bool = True  # False: the impacts are computed when an index is first written

    @classmethod
    def prepare(cls, catalog: Catalog, *, directory_urls: bool = True, synonyms: Sequence[Path] = (),
                cache: AnalysisCache | None = None, impacts: bool = True) -> SearchBuild:
        """Analyse every document (those ``cache`` holds from an earlier build are not analysed again) and,
        with ``impacts``, score them."""
        start = time.perf_counter()
        syn = load_synonyms([DEFAULT_SYNONYMS, *synonyms])
        if cache is None:
            docs = [analyze(d) for d in catalog_docs(catalog, directory_urls)]
        else:
            docs = cache.analyze(catalog_docs(catalog, directory_urls))
            cache.save(docs)
        build = cls(catalog, docs, syn, {}, scored=False)
        build.timings["analysed"] = len(docs) if cache is None else cache.analysed
        build.timings["analyze"] = time.perf_counter() - start
        if impacts:
            build.score()
        return build

    def score(self) -> None:
        if not self.scored:
            start = time.perf_counter()
            self.impacts = compute_impacts(self.docs)
            self.scored = True
            self.timings["impacts"] = time.perf_counter() - start

    def related(self, k: int = 5, only: Collection[str] | None = None, *, cache: RelatedCache | None = None,
                keys: Sequence[str] = ()) -> dict[str, tuple[str, ...]]:
        """Related articles; with ``cache`` (and the documents' analysis ``keys``), brought up to date from
        the previous build's."""
        start = time.perf_counter()
        if k <= 0:
            out: dict[str, tuple[str, ...]] = {}
        elif cache is not None and only is None:
            out = cache.related(self.docs, keys, self.catalog, k)
            cache.save()
            self.timings["related_ranked"] = cache.computed
        else:
            out = related_articles(self.docs, self.catalog, k, only)
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
        self.score()
        start = time.perf_counter()
        stats = build_static(self.docs, self.impacts, self.synonyms, site / STATIC_DIR)
        self.timings["static"] = time.perf_counter() - start
        return stats

    def write_server(self, site: Path, previous: Path | None = None) -> Path:
        """The server index into ``site``, reusing the unchanged segments of the one in ``previous``."""
        self.score()
        start = time.perf_counter()
        out = site / SERVER_DIR
        self.timings["server_segments"] = build_server_index(self.docs, self.impacts, self.synonyms, out,
                                                             previous=previous)
        self.timings["server"] = time.perf_counter() - start
        return out


@dataclass(frozen=True)
class Reuse:
    """What a build may reuse from the one before: the analyses kept in the build cache's folder ``cache``
    (read when ``read``; written anyway) and the segments of the server index in ``server``."""

    cache: Path | None = None
    read: bool = False
    server: Path | None = None


@dataclass
class SearchJob:
    """A build's whole search work in a forked process: analysis, related articles, both indexes.

    The build's own process never holds the analysed documents, the largest part of the search's
    memory: the child sends the related articles back (the article pages need them) and goes on
    writing the indexes into a temporary folder next to the site while MkDocs renders the pages
    (on 2 cores that costs no wall time). :meth:`finish` moves them into the site."""

    proc: multiprocessing.process.BaseProcess
    conn: Connection
    tmp: Path
    related: dict[str, tuple[str, ...]] | None

    @classmethod
    def start(cls, catalog: Catalog, parent: Path, *, directory_urls: bool = True, synonyms: Sequence[Path] = (),
              related: int = 5, server: bool = True, reuse: Reuse | None = None) -> SearchJob | None:
        """None where fork is not available (the caller then runs :class:`SearchBuild` itself)."""
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        tmp = Path(tempfile.mkdtemp(prefix=f".site-tmp-{os.getpid()}-search-", dir=parent))
        ctx = multiprocessing.get_context("fork")
        gc.freeze()  # the child's garbage collector leaves the parent's objects alone: fewer pages copied
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_search_job, args=(catalog, directory_urls, tuple(synonyms), related, server, tmp,
                                                     reuse or Reuse(), send), daemon=True)
        proc.start()
        gc.unfreeze()
        send.close()
        return cls(proc, receive, tmp, None)

    def wait_related(self) -> dict[str, tuple[str, ...]]:
        """The related articles, once the child has them (the first article page asks; the generated
        pages are rendered meanwhile)."""
        if self.related is None:
            self.related = self._expect("related")
        return self.related

    def _expect(self, what: str) -> Any:
        try:
            message = self.conn.recv()
        except EOFError:
            message = ("error", f"the search process ended (exit code {self.proc.exitcode})")
        if message[0] != what:
            self.proc.join(5)
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise RuntimeError(f"search: {message[1]}")
        return message[1]

    def cancel(self) -> None:
        """The build failed: stop the child and drop what it wrote."""
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join(5)
        self.conn.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def finish(self, site: Path, data: Path | None = None) -> tuple[StaticStats, dict[str, float]]:
        """Wait for the indexes and move them in: the static one into ``site``, the server one into the
        private data folder ``data`` (never into the deployable site); returns the static index's
        numbers and timings."""
        start = time.perf_counter()
        self.wait_related()  # a site without articles never asked
        stats, timings = self._expect("done")
        self.proc.join()
        self.conn.close()
        try:
            if data is not None and (self.tmp / SERVER_DIR).is_dir():  # first: it was written inside search/
                replace_dir(self.tmp / SERVER_DIR, data / SERVER_DIR)
            made, target = self.tmp / STATIC_DIR, site / STATIC_DIR
            if target.exists():
                shutil.copytree(made, target, dirs_exist_ok=True)
            else:
                os.replace(made, target)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return stats, {**timings, "wait": time.perf_counter() - start}


def replace_dir(made: Path, target: Path) -> None:
    """Put the folder ``made`` at ``target``, replacing what is there (a reader that has the old one
    open keeps reading it until it reopens)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}-new-{os.getpid()}")
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.move(str(made), str(staging))  # another file system, perhaps: copied, then renamed below
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _search_job(catalog: Catalog, directory_urls: bool, synonyms: Sequence[Path], related: int, server: bool,
                tmp: Path, reuse: Reuse, conn: Connection) -> None:
    """The child of :class:`SearchJob` (forked: it shares the parent's catalog). Once the documents are
    analysed, a child of its own scores them and writes the indexes while this one ranks the related
    articles (a cached rebuild that renders few pages has both cores for them)."""
    try:
        cache = AnalysisCache(reuse.cache, read=reuse.read) if reuse.cache is not None else None
        build = SearchBuild.prepare(catalog, directory_urls=directory_urls, synonyms=synonyms, cache=cache,
                                    impacts=False)
        receive, send = multiprocessing.Pipe(duplex=False)
        pid = os.fork()  # not a multiprocessing child: this process is a daemon, which may have none
        if pid == 0:
            receive.close()
            code = 1
            try:
                code = _indexes_job(build, tmp, server, reuse, send)
            finally:
                os._exit(code)
        send.close()
        if cache is not None:
            near = RelatedCache(reuse.cache, read=reuse.read, old_tf=cache.stored_tf)
            conn.send(("related", build.related(related, cache=near, keys=cache.keys)))
        else:
            conn.send(("related", build.related(related)))
        try:
            message = receive.recv()
        except EOFError:
            message = ("error", "the index writer ended")
        os.waitpid(pid, 0)
        if message[0] != "done":
            raise RuntimeError(message[1])
        stats, timings = message[1]
        build.timings["cpu"] = time.process_time()  # a forked process's CPU time starts at zero
        conn.send(("done", (stats, {**build.timings, **timings})))
    except BaseException as exc:  # the parent reports it as a build error
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        raise SystemExit(1) from None
    finally:
        conn.close()


def _indexes_job(build: SearchBuild, tmp: Path, server: bool, reuse: Reuse, conn: Connection) -> int:
    """Score the documents and write both indexes into ``tmp`` (a forked child of :func:`_search_job`);
    returns its exit code."""
    try:
        build.timings = {}
        stats = build.write_static(tmp)
        if server:
            build.write_server(tmp, previous=reuse.server if reuse.read else None)
        build.timings["cpu_indexes"] = time.process_time()
        conn.send(("done", (stats, build.timings)))
        return 0
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return 1
    finally:
        conn.close()


class Later(Mapping[str, tuple[str, ...]]):
    """A mapping fetched on first use (the related articles of a :class:`SearchJob`)."""

    def __init__(self, fetch: Callable[[], Mapping[str, tuple[str, ...]]]) -> None:
        self._fetch = fetch
        self._data: Mapping[str, tuple[str, ...]] | None = None

    def _get(self) -> Mapping[str, tuple[str, ...]]:
        if self._data is None:
            self._data = self._fetch()
        return self._data

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())
