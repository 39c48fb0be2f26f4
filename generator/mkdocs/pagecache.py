"""The build cache's part in the page events (generator/mkdocs/cache.py has the keys and the store).

* ``on_page_markdown``, last (:meth:`PageCache.before_render`): the page's render key; on a stored entry
  whose lookups still find the same files, the page is not rendered: the entry's :class:`Rendered`
  (generator/mkdocs/page.py), without its HTML, is provided to the KbPage, which takes its title,
  anchors and links to anchors (the anchor checks of the other pages) and emits its log records again;
  otherwise the page's own render is kept (:meth:`PageCache.after_render`);
* ``on_env`` (:meth:`PageCache.plan`): every title is known: a page whose output key matches gets an
  empty template (no template render, no write) and its stored file is linked into the new site at
  ``on_post_page``; a page whose output changed though its Markdown did not is rendered now;
* ``on_post_build`` (:meth:`PageCache.finish`): the new files are stored, ``stats.json`` says what was
  rendered (tests and benchmarks read it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any

from mkdocs.structure.files import Files

from generator.content.html import inline_script_hashes
from generator.mkdocs.cache import STATS, PageStore, link_or_copy, render_key
from generator.mkdocs.page import ENGINE_LOGGER, Rendered
from generator.pipeline.cachefiles import digest, write_atomic

EMPTY_TEMPLATE = "kb-cached.html"  # theme/kb-cached.html: renders nothing, so MkDocs writes nothing
log = logging.getLogger("mkdocs.plugins.kb")


class _Quiet(logging.Filter):
    """MkDocs says "Page skipped" for every empty output: not for the pages the cache reuses."""

    def __init__(self, reused: set[str]) -> None:
        super().__init__()
        self.reused = reused

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        return not (msg.startswith("Page skipped: '") and msg[15:].split("'", 1)[0] in self.reused)


class _Linker:
    """Links the reused pages' stored files into the new site in a thread: a folder and a link a page are
    system calls that wait on the file system without the GIL, so they overlap the engine's work on the
    next pages. :meth:`join` waits for the last one and raises the first failure."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[tuple[Path, str] | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def put(self, stored: Path, dest: str) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="kb-link", daemon=True)
            self.thread.start()
        self.queue.put((stored, dest))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:
                try:
                    os.makedirs(os.path.dirname(item[1]), exist_ok=True)
                    link_or_copy(item[0], Path(item[1]))
                except BaseException as exc:  # raised again by join, in the build's thread
                    self.error = exc

    def join(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        if self.error is not None:
            raise self.error


def nav_digest(nav: Any) -> str:
    def walk(items: Any) -> list[Any]:
        return [[type(i).__name__, i.title, getattr(i, "url", None), walk(getattr(i, "children", None) or [])]
                for i in items]
    return digest(json.dumps(walk(nav.items), default=repr))


def _near(page: Any) -> list[Any]:
    return [page.title, page.url] if page is not None else []


class PageCache:
    def __init__(self, folder: Path, key: str, provided: dict[str, Rendered], *, read: bool = True) -> None:
        self.store = PageStore(folder, key, read=read)
        self.key = key
        self.provided = provided  # the plugin's renders to apply (KbPage.supply)
        self.started = time.perf_counter()
        self.files: Files | None = None
        self.render_keys: dict[str, str] = {}
        self.facts: dict[str, dict[str, Any]] = {}  # src -> its entry (stored, or of this build's render)
        self.candidates: set[str] = set()  # Markdown unchanged: not rendered
        self.reused: dict[str, Path] = {}  # output reused: src -> stored HTML file
        self.rendered: list[str] = []
        self.sources: dict[str, str] = {}  # src -> its source key (predict): stored with its entry
        self.render_stats: dict[str, int] = {}  # the plugin's render counts (workers.py), into stats.json
        self.search_stats: dict[str, float] = {}  # the search's timings (seconds) and counts, into stats.json
        self.quiet = _Quiet(set())
        logging.getLogger(f"{ENGINE_LOGGER}.commands.build").addFilter(self.quiet)
        self.linker = _Linker()

    def close(self) -> None:
        logging.getLogger(f"{ENGINE_LOGGER}.commands.build").removeFilter(self.quiet)
        with contextlib.suppress(Exception):  # a failed build's clean-up: its error is reported already
            self.linker.join()

    def start(self, files: Files) -> None:
        self.files = files

    def predict(self, page: Any, source: str) -> bool:
        """Before any page is rendered: True if the page's source (as read, before any plugin's Markdown
        event) is the one its stored entry was rendered from, so the render pool leaves it to this process
        (where :meth:`before_render` still checks the real render key: a wrong guess only costs time)."""
        src = page.file.src_uri
        key = self.sources[src] = digest(self.key, src, page.file.dest_uri, page.url, source)
        entry = self.store.old.get(src)
        return isinstance(entry, dict) and entry.get("source") == key

    def before_render(self, page: Any, markdown: str) -> None:
        """The page's render key; a stored entry of that key is offered to the KbPage, which applies it
        if its Markdown hash matches and every path it looked up still finds the same file."""
        src = page.file.src_uri
        key = render_key(self.key, src, page.file.dest_uri, page.url, markdown, page.meta)
        self.render_keys[src] = key
        entry = self.store.entry(src, key)
        if entry is None:
            return
        try:
            self.provided[src] = Rendered.from_json(json.loads(entry["rendered"]))
        except (KeyError, TypeError, ValueError):
            return
        self.facts[src] = dict(entry)  # a copy: the stored index stays as read (PageStore.save compares)

    def after_render(self, page: Any) -> None:
        src = page.file.src_uri
        rendered = getattr(page, "rendered", None)
        self.provided.pop(src, None)
        if not isinstance(rendered, Rendered):
            self.facts.pop(src, None)
            return
        if getattr(page, "applied", False) and src in self.facts:
            self._source_of(src)
            self.candidates.add(src)  # the stored render was applied: the Markdown was not rendered
            return
        # The output file is kept, not the HTML of the content nor its table of contents: a page whose
        # output changed though its Markdown did not is rendered again (plan), so only what the other
        # pages' checks need is stored (title, anchors, links to anchors, lookups, log records).
        light = dataclasses.replace(rendered, content="", toc_tokens=[])
        # Kept as one JSON string, not as a tree of small Python objects: ~5× less memory at 10,000 pages.
        self.facts[src] = {"render": self.render_keys[src],
                           "rendered": json.dumps(light.to_json(), separators=(",", ":"), ensure_ascii=False)}
        self._source_of(src)

    def _source_of(self, src: str) -> None:
        if src in self.sources:
            self.facts[src]["source"] = self.sources[src]
        else:
            self.facts[src].pop("source", None)

    def output_key(self, page: Any, nav: str) -> str:
        meta = {k: v for k, v in page.meta.items() if k != "template"}
        return digest(self.render_keys.get(page.file.src_uri, ""), nav, json.dumps(
            [page.title, meta, page.url, page.canonical_url, page.edit_url, page.is_homepage,
             _near(page.previous_page), _near(page.next_page), [a.title for a in page.ancestors]],
            sort_keys=True, default=repr))

    def plan(self, nav: Any, pages: list[Any], config: Any) -> None:
        """Every page is read: reuse the outputs whose keys match, render the candidates whose do not."""
        nav_key = nav_digest(nav)
        for page in pages:
            src = page.file.src_uri
            if src not in self.facts:
                continue
            out = self.facts[src]["output"] = self.output_key(page, nav_key)
            stored = self.store.output(self.facts[src], out) if src in self.candidates else None
            if stored is not None:
                self.reused[src] = stored
                page.meta["template"] = EMPTY_TEMPLATE
            elif src in self.candidates:
                self.candidates.discard(src)
                self._render_now(page, config)
                self.facts[src]["output"] = out
        self.quiet.reused = set(self.reused)

    def _render_now(self, page: Any, config: Any) -> None:
        """A page whose Markdown is unchanged but whose output is not: rendered after all."""
        page.rendered, page.applied = None, False  # the cache's (without its HTML) must not be applied again
        config._current_page = page
        try:
            page.render(config, self.files)
            page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=self.files)
        finally:
            config._current_page = None

    def post_page(self, page: Any, output: str, scripts: set[str]) -> str:
        """A reused page: its stored file into the new site (its inline scripts' hashes added to
        ``scripts``), and MkDocs writes nothing. A rendered page: its scripts are recorded."""
        src = page.file.src_uri
        stored = self.reused.get(src)
        if stored is None:
            self.rendered.append(src)
            if src in self.facts:
                self.facts[src]["scripts"] = " ".join(sorted(inline_script_hashes(output)))
            return output
        scripts.update(str(self.facts[src].get("scripts") or "").split())
        self.linker.put(stored, page.file.abs_dest_path)
        return ""

    def finish(self, site: Path) -> dict[str, str]:
        """Store the new pages; returns the SHA-256 of every stored page's file, by its path in the site."""
        assert self.files is not None
        self.linker.join()
        pages = [f.page for f in self.files.documentation_pages() if f.page is not None]
        for page in pages:
            src = page.file.src_uri
            entry = self.facts.get(src)
            if entry is None or "output" not in entry:
                continue
            if src in self.reused:
                self.store.keep(src, entry)
            elif Path(page.file.abs_dest_path).is_file():
                self.store.store(src, entry, Path(page.file.abs_dest_path))
        self.store.save()
        known = {}
        for page in pages:
            sha = self.store.new.get(page.file.src_uri, {}).get("sha256")
            if isinstance(sha, str) and len(sha) == 64:
                known[page.file.dest_uri] = sha
        self.close()
        stats = {"pages": len(pages), "reused": len(self.reused), "rendered": sorted(self.rendered),
                 "workers": self.render_stats.get("workers", 0),
                 "search": {k: round(v, 3) for k, v in self.search_stats.items()},
                 "seconds": round(time.perf_counter() - self.started, 3)}
        write_atomic(self.store.folder / STATS, json.dumps(stats, indent=1).encode("utf-8"))
        return known
