"""MkDocs' last stage — each page's template, ``on_post_page`` and write (``_build_page``) — in forked
workers: a mixin of :class:`KbPlugin` (generator/mkdocs/plugin.py).

Once every page is read and rendered (``on_env``), MkDocs builds the pages one by one in this process
(≈ 2 ms a page for Material's template, the kb plugin's post-page work and the write), while the other
cores have nothing left to do. At the first page's ``on_page_context`` (the static files are copied and
the theme's templates built by then) workers are forked with the whole state (navigation, every page's
title and HTML) and build pages from the back of MkDocs' order with MkDocs' own ``_build_page``
(:class:`generator.mkdocs.workers.PagePool`), each writing its file into the site being built; MkDocs'
loop here takes them from the front. For a page a worker built, this process emits the worker's log
records again, takes its inline scripts' hashes and the build cache's facts, and renders the page with
the empty template (``theme/kb-cached.html``: nothing rendered, nothing written, as for a page the build
cache reuses).

Every plugin's ``on_page_context`` still runs here for every page; ``on_post_page`` (which sees the
written HTML) runs in the worker, so the workers are used only when the kb plugin is the only plugin
with an ``on_post_page`` event. The site is the same, byte for byte, with and without workers
(tests/test_parallel_render.py).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files, InclusionLevel

from generator.mkdocs.page import ENGINE_LOGGER, _Capture
from generator.mkdocs.pagecache import EMPTY_TEMPLATE, PageCache, _Quiet
from generator.mkdocs.workers import PagePool

Built = tuple[list[tuple[str, int, str]], list[str], str | None, bool]  # records, script hashes, cache facts


class BuildWorkers:
    config: Any
    preview: bool
    nav: Any
    script_hashes: set[str]
    page_cache: PageCache | None
    build_pool: PagePool | None = None
    _build_plan: tuple[Any, Any, Sequence[Any], list[Any], int] | None = None  # config, env, doc files, pages, n
    _built: frozenset[str] | set[str] = frozenset()  # pages a worker built: nothing to do here
    _built_quiet: _Quiet | None = None
    _building_here = False  # building a page a worker could not
    _next: dict[str, Any]  # src -> the page after it in MkDocs' order
    _pending: dict[str, str | None]  # pages a worker has, not yet reached here -> their own template meta
    _again: tuple[Any, Any, Sequence[Any]]  # config, env, doc files: to build a page a worker could not

    if TYPE_CHECKING:
        def _workers_wanted(self) -> int: ...  # KbPlugin's

    def _plan_build_pool(self, env: Any, config: Any, files: Files) -> None:
        """At ``on_env``: the pages the workers may build (all but those the build cache reuses)."""
        self._build_plan, self._built = None, set()
        n = self._workers_wanted()
        others = [h for h in config.plugins.events.get("post_page", []) if getattr(h, "__self__", None) is not self]
        if n <= 0 or self.preview or others or threading.active_count() > 1:
            return
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        pages = [f.page for f in doc_files if f.page is not None and f.page.meta.get("template") != EMPTY_TEMPLATE]
        if len(pages) >= 2:
            self._build_plan = (config, env, doc_files, pages, n)

    @event_priority(-100)  # last: the context every plugin made
    def on_page_context(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if self._build_plan is not None:
            plan, self._build_plan = self._build_plan, None
            self._start_build_pool(*plan)
            if self.build_pool is not None:
                self.build_pool.claim(page.file.src_uri)  # this page's template is chosen: it is built here
        if self.build_pool is None or self._building_here:
            return context
        src = page.file.src_uri
        if src in self._pending:
            self._take_built(page, self._pending.pop(src))
        # MkDocs chooses a page's template before its page_context event: the next page is claimed now, and
        # if a worker has it, it gets the empty template (the worker writes it, this process takes its facts).
        nxt = self._next.get(src)
        if nxt is not None and not self.build_pool.claim(nxt.file.src_uri):
            self._pending[nxt.file.src_uri] = nxt.meta.get("template")
            nxt.meta["template"] = EMPTY_TEMPLATE
        return context

    def _start_build_pool(self, config: Any, env: Any, doc_files: Sequence[Any], pages: list[Any], n: int) -> None:
        def build(page: Any) -> Built | None:
            return self._build_here(page, config, env, doc_files)

        self._built_quiet = _Quiet(set())
        logging.getLogger(f"{ENGINE_LOGGER}.commands.build").addFilter(self._built_quiet)
        self._next = {a.src_uri: b.page for a, b in itertools.pairwise(doc_files)}
        self._pending, self._again = {}, (config, env, doc_files)
        try:
            self.build_pool = PagePool(pages, build, n, name="kb-build")
        except OSError as exc:  # no fork (resource limits): every page is built here
            logging.getLogger("mkdocs.plugins.kb").info("kb: building pages in one process: %s", exc)

    def _build_here(self, page: Any, config: Any, env: Any, doc_files: Sequence[Any]) -> Built | None:
        """In a worker: MkDocs' ``_build_page`` of ``page``, and what it left for this process to take."""
        from mkdocs.commands import build as mkdocs_build

        self.script_hashes = set()
        if self.page_cache is not None:
            self.page_cache.rendered = []
        capture = _Capture()
        logger = logging.getLogger(ENGINE_LOGGER)
        logger.addHandler(capture)
        try:
            mkdocs_build._build_page(page, config, doc_files, self.nav, env,
                                     excluded=page.file.inclusion.is_excluded())
        except Exception:  # built again in the main process, which reports it
            return None
        finally:
            logger.removeHandler(capture)
        cache = self.page_cache
        scripts = cache.facts.get(page.file.src_uri, {}).get("scripts") if cache is not None else None
        return capture.records, sorted(self.script_hashes), scripts, bool(cache is not None and cache.rendered)

    def _take_built(self, page: Any, template: str | None) -> None:
        """A page a worker has: its records, script hashes and cache facts here (its template is the empty
        one); a page it could not build is built here, now, with its own template."""
        assert self.build_pool is not None
        built: Built | None = self.build_pool.result(page.file.src_uri)
        src = page.file.src_uri
        if built is None:
            from mkdocs.commands import build as mkdocs_build

            if template is None:
                del page.meta["template"]
            else:
                page.meta["template"] = template
            config, env, doc_files = self._again
            self._building_here = True  # its page_context event (run again inside) claims nothing
            try:
                mkdocs_build._build_page(page, config, doc_files, self.nav, env,
                                         excluded=page.file.inclusion.is_excluded())
            finally:
                self._building_here = False
            page.meta["template"] = EMPTY_TEMPLATE  # what is left of the page's _build_page writes nothing
        else:
            records, hashes, scripts, rendered = built
            for name, level, message in records:
                logging.getLogger(name).log(level, message)
            self.script_hashes.update(hashes)
            cache = self.page_cache
            if cache is not None and rendered:
                cache.rendered.append(src)
                if scripts is not None and src in cache.facts:
                    cache.facts[src]["scripts"] = scripts
        self._built.add(src)  # type: ignore[union-attr]
        if self._built_quiet is not None:
            self._built_quiet.reused.add(src)

    def _stop_build_pool(self) -> None:
        self._build_plan = None
        if self.build_pool is not None:
            logging.getLogger("mkdocs.plugins.kb").debug("kb: pages built: %s", self.build_pool.stats)
            self.build_pool.close()
            self.build_pool = None
        if self._built_quiet is not None:
            logging.getLogger(f"{ENGINE_LOGGER}.commands.build").removeFilter(self._built_quiet)
            self._built_quiet = None
