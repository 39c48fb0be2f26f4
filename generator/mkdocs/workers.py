"""Markdown→HTML of a build's pages in forked worker processes (the kb plugin starts them in on_nav).

MkDocs reads and renders every page in one loop (``_populate_page``, in build order) before it
writes any. The pages to render are numbered in that order; this process takes them from the
front — MkDocs' loop renders them here as usual — while the workers take chunks from the back,
each page read (``on_page_read_source``), passed through every plugin's ``on_page_markdown`` and
rendered exactly as :meth:`KbPage.render` would, then sanitised. Where the two meet, MkDocs' loop
finds the rest done: the kb plugin hands each page its source and its :class:`Rendered`
(``KbPage.render`` checks the Markdown hash, so a plugin whose Markdown differs in this process
gets the page rendered here). Who renders which page is decided under one lock on two shared
counters, so no page is rendered twice and none waits for a busy worker while this process idles.

A worker's log records are kept with its result and emitted by this process when the page is
applied (in build order). A worker that fails on a page sends no result for it; one that dies
leaves its pages to this process. Forked workers inherit the built state (catalog, files, plugins)
and never touch the search job's pipe: related articles are fetched before the fork.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import multiprocessing
import os
import queue
from collections.abc import Callable, Sequence
from typing import Any

from mkdocs.utils import meta

from generator.mkdocs.page import ENGINE_LOGGER, KbPage, Rendered, _Capture, page_markdown

log = logging.getLogger("mkdocs.plugins.kb")


def default_workers() -> int:
    """Worker processes when the plugin's ``render_workers`` is unset: one per CPU beyond this one (none on
    one CPU: a worker would only add its overhead)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(0, cpus - 1)


class PagePool:
    """Workers doing ``work`` on ``pages`` from the back while this process takes them from the front.
    ``work(page)`` returns a picklable value, or None when it fails (this process then does the page)."""

    def __init__(self, pages: Sequence[Any], work: Callable[[Any], Any], workers: int, *, chunk: int = 8,
                 name: str = "kb-render") -> None:
        self.pages, self.work = list(pages), work
        self.index = {p.file.src_uri: i for i, p in enumerate(self.pages)}
        self.chunk = chunk
        ctx = multiprocessing.get_context("fork")
        self.lock = ctx.Lock()
        self.front = ctx.RawValue("i", 0)  # pages [0, front) are this process's
        self.back = ctx.RawValue("i", len(self.pages))  # pages [back, n) are the workers'
        self.queue: Any = ctx.Queue()
        self.arrived: dict[str, Any] = {}
        self.gone = False  # every worker has ended
        self.stats = {"workers": 0, "failed": 0}  # results received from workers, pages they could not do
        self.procs = [ctx.Process(target=self._work, name=f"{name}-{k}", daemon=True) for k in range(workers)]
        gc.freeze()  # the workers' collector leaves the inherited objects alone: fewer pages copied on write
        try:
            for p in self.procs:
                p.start()
        finally:
            gc.unfreeze()

    # --- this process ------------------------------------------------------------------------
    def claim(self, src: str) -> bool:
        """True: this process does ``src`` (or it is not ours to do); False: a worker does."""
        i = self.index.get(src)
        if i is None:
            return True
        with self.lock:
            if i < self.back.value:
                self.front.value = max(self.front.value, i + 1)
                return True
        return False

    def result(self, src: str) -> Any:
        """What a worker's ``work`` returned for ``src``; None if it failed (or died)."""
        while src not in self.arrived and not (self.gone and self.queue.empty()):
            try:
                batch: list[tuple[str, Any]] = self.queue.get(timeout=0.5)
            except queue.Empty:
                self.gone = not any(p.is_alive() for p in self.procs)  # then nothing more will come
                continue
            for s, value in batch:
                self.arrived[s] = value
        value = self.arrived.pop(src, None)
        self.stats["workers" if value is not None else "failed"] += 1
        return value

    def close(self) -> None:
        """Stop the workers (they have finished when every page was claimed)."""
        with self.lock:
            self.back.value = self.front.value = 0  # nothing left to take
        for p in self.procs:
            p.join(timeout=0.2)
        while True:
            try:
                self.queue.get_nowait()
            except (queue.Empty, OSError, ValueError):
                break
        for p in self.procs:
            if p.is_alive():
                p.terminate()
            p.join()
        self.queue.close()
        self.arrived.clear()

    # --- a worker ----------------------------------------------------------------------------
    def _work(self) -> None:
        for name in (ENGINE_LOGGER, ""):  # records are sent with the results, never printed here
            logger = logging.getLogger(name)
            logger.handlers = [logging.NullHandler()]
            logger.propagate = False
        while True:
            with self.lock:
                hi = self.back.value
                lo = max(self.front.value, hi - self.chunk)
                if lo >= hi:
                    break
                self.back.value = lo
            self.queue.put([(self.pages[i].file.src_uri, self.work(self.pages[i])) for i in range(lo, hi)])
        self.queue.close()
        self.queue.join_thread()


class RenderPool(PagePool):
    """Workers rendering ``pages`` (Markdown→HTML, sanitised) from the back while this process renders
    from the front; :meth:`result` gives (source, Rendered), or (None, None) for a page a worker could not
    render."""

    def __init__(self, pages: Sequence[KbPage], config: Any, files: Any,
                 sanitise: Callable[[Any, str], str], workers: int, chunk: int = 8) -> None:
        self.config, self.files, self.sanitise = config, files, sanitise
        super().__init__(pages, self._render, workers, chunk=chunk)

    def result(self, src: str) -> tuple[str | None, Rendered | None]:
        value = super().result(src)
        return (value[0], value[1]) if value is not None else (None, None)

    def _render(self, page: KbPage) -> tuple[str, Rendered] | None:
        """What MkDocs' loop and KbPage.render would do for ``page``, plus the sanitiser."""
        config = self.config
        config._current_page = page
        try:
            source = config.plugins.on_page_read_source(page=page, config=config)
            if source is None:
                source = page.file.content_string
            page.markdown, page.meta = meta.get_data(source)
            page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config,
                                                            files=self.files)
            r = page_markdown(config).convert(page.markdown, page.file, self.files, _Capture())
            return source, dataclasses.replace(r, content=self.sanitise(page, r.content))
        except Exception:  # rendered again in the main process, which reports it
            return None
        finally:
            config._current_page = None
