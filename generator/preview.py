"""Live preview (`kb serve --watch`): one full build, then each edit rebuilds only what it touches.

MkDocs' own ``serve`` rebuilds the whole site on every change (22 s at 2,000 pages here), and
``--dirty`` leaves the search index with only the changed page in it. This keeps the state of
the last full build in memory (MkDocs' config, files, navigation and template environment, our
catalog, renderer and analysed search documents) and, when content files are edited:

1. re-reads only those files and checks the whole catalog again (every rule but the lint);
2. re-renders the pages the edit can change: the edited articles and protocols, the articles
   that show them (related articles, "used in"), the protocols that link them, and the index
   pages and home whose Markdown changed; each through MkDocs' own page pipeline;
3. re-analyses the edited documents and rewrites the static search index (whole, exact) and
   replaces them in the server index (whole; other documents keep their scores until the next
   full build);
4. bumps a version that the pages' ``preview.js`` waits on (``/api/preview``) and reloads.

Anything else (a file added, removed or renamed, ``mkdocs.yml``, templates, fragments) runs a
full build into a temporary folder that is swapped in, so the site being previewed never
disappears. Theme assets (CSS, JS) are copied. A content error keeps the last good site and
shows the error on every open page until it is fixed.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sysconfig
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.content.sources import KB_DIR, PROTOCOLS_DIR, ReadResult, read_tree, reread
from generator.diagnostics import ContentError, Severity
from generator.layout import MANIFEST, article_src, protocol_src
from generator.mkdocs import LiveSite
from generator.model.catalog import Catalog
from generator.model.manifest import Csp
from generator.model.validate import validate_read
from generator.render.manifest import build_manifest

log = logging.getLogger("kb.preview")

DEBOUNCE_S = 0.08  # editors write a file in several steps; wait for them to settle
_IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".part", ".crdownload")


@dataclass
class Outcome:
    """What one update did."""

    kind: str  # "incremental" | "full" | "assets" | "none" | "error"
    pages: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    reason: str = ""  # why a full build ran: the first file that needed one


@dataclass
class _State:
    """The last good build."""

    live: LiveSite  # the engine's state: MkDocs' config, files, nav, and the kb plugin
    plugin: Any  # KbPlugin (live.plugin): catalog, renderer, generated pages, search
    read: ReadResult
    paths: frozenset[str]  # the content files it was built from
    generated: dict[str, str]  # src_uri -> Markdown of the generated index pages and home


class Preview:
    """The live preview of the site of ``config_file``, written into ``site_dir``."""

    def __init__(self, config_file: Path, site_dir: Path | None = None, data_dir: Path | None = None) -> None:
        self.config_file = config_file.resolve()
        self.data_dir = data_dir
        self.root = self.config_file.parent
        self.site = site_dir.resolve() if site_dir else None
        self.version = 0
        self.errors: list[str] = []
        self.building = False
        self.listeners: list[Callable[[Outcome], None]] = []  # called after each update (search refresh)
        self._state: _State | None = None
        self._pending: set[str] = set()  # content paths edited since the last good build
        self._index_due = False  # an edit changed what the index pages show (index_pages_due)
        self._index_todo: dict[str, str] = {}  # index pages (src -> Markdown) still to write
        self._lock = threading.Lock()
        self._observer: Any = None

    # --- builds ----------------------------------------------------------------------------------
    def build(self) -> Outcome:
        """A full build, swapped in whole. Raises ContentError when the content or config is broken."""
        from generator.pipeline.today import today

        start = time.perf_counter()
        read = read_tree(self.root)
        result = validate_read(read, today())
        if not result.ok:
            raise ContentError(result.diagnostics, read.files)
        live = LiveSite.build(self.config_file, result, self.site, self.data_dir)
        self.site = live.site
        plugin = live.plugin
        generated = {src: page.markdown for src, page in plugin.pages.items() if src not in {
            protocol_src(p.id) for p in plugin.catalog.protocols}}
        paths = frozenset([a.path for a in read.articles] + [p.path for p in read.protocols])
        self._state = _State(live, plugin, read, paths, generated)
        self._pending.clear()
        self._index_due = False
        self._index_todo.clear()
        return Outcome("full", live.page_count(), time.perf_counter() - start)

    def update(self, changed: Iterable[Path]) -> Outcome:
        """Bring the site up to date with the files in ``changed`` (absolute paths)."""
        with self._lock:
            self.building = True
            try:
                outcome = self._update(set(changed))
            except ContentError as exc:
                outcome = Outcome("error", errors=[d.format() for d in exc.diagnostics
                                                   if d.severity is Severity.ERROR] or [str(exc)])
            except Exception as exc:  # a template error and the like: keep serving the last good site
                log.exception("preview: update failed")
                outcome = Outcome("error", errors=[f"{type(exc).__name__}: {exc}"])
            finally:
                self.building = False
            if outcome.kind != "none":
                self.errors = outcome.errors
                self.version += 1
                for listener in self.listeners:
                    listener(outcome)
            return outcome

    def _update(self, changed: set[Path]) -> Outcome:
        start = time.perf_counter()
        state = self._state
        by_kind: dict[str, list[Path]] = {}
        for path in changed:
            by_kind.setdefault(self._classify(path), []).append(path)
        by_kind.pop("ignore", None)
        if not by_kind:
            return Outcome("none")
        content = {p: p.resolve().relative_to(self.root).as_posix() for p in by_kind.get("content", [])}
        full = by_kind.get("full", []) + [p for p, rel in content.items()  # a content file added, removed, renamed
                                          if state is not None and (not p.is_file() or rel not in state.paths)]
        if state is None or full:
            outcome = self.build()
            outcome.seconds = time.perf_counter() - start
            outcome.reason = str(full[0]) if full else "first build"
            return outcome
        pages = self._copy_assets(state, by_kind.get("asset", []))
        if content:
            pages += self._content(state, set(content.values()))
        return Outcome("incremental" if content else "assets", pages, time.perf_counter() - start)

    def _classify(self, path: Path) -> str:
        """content | asset | full | ignore"""
        name = path.name
        if name.startswith((".", "#")) or name.endswith(_IGNORED_SUFFIXES) or name.isdigit():
            return "ignore"  # editor swap and backup files (vim's 4913 probe included)
        try:
            path = path.resolve()
        except OSError:
            return "ignore"
        if path == self.config_file:
            return "full"
        if path.is_dir():
            return "ignore"  # its files have events of their own
        if self.site is not None and (path == self.site or path.is_relative_to(self.site)):
            return "ignore"
        if any(part.startswith((".site-tmp-", ".site-old-", ".git")) for part in path.parts):
            return "ignore"
        try:
            rel = path.relative_to(self.root).as_posix()
        except ValueError:
            rel = ""
        if rel.startswith(f"{PROTOCOLS_DIR}/") and path.suffix in (".yml", ".yaml"):
            return "content"
        if rel.startswith(f"{KB_DIR}/") and path.suffix == ".md" and path.name != "index.md":
            return "content"
        if rel.startswith((f"{KB_DIR}/", f"{PROTOCOLS_DIR}/")):
            if path.exists() or (self._state is not None and self._state.live.is_source(path)):
                return "full"  # images, hand-written pages; not an editor's temp file
            return "ignore"
        state = self._state
        if state is not None:
            for d in state.live.theme_dirs:
                if path.is_relative_to(Path(d).resolve()):
                    inner = path.relative_to(Path(d).resolve()).as_posix()
                    if inner.startswith("assets/") and path.suffix not in (".html", ".md"):
                        return "asset"
                    return "full"  # templates, partials, our Markdown fragments
        return "ignore"

    def _copy_assets(self, state: _State, paths: list[Path]) -> int:
        wanted = {p.resolve() for p in paths}
        return state.live.copy_assets(wanted) if wanted else 0

    def _content(self, state: _State, rel: set[str]) -> int:
        from generator.pipeline.today import today

        plugin = state.plugin
        self._pending |= rel
        read = reread(state.read, self.root, self._pending)
        catalog = (result := validate_read(read, today())).catalog
        errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
        if errors:
            raise ContentError(errors, read.files)
        old: Catalog = plugin.catalog
        if {article_src(a) for a in old.articles} != {article_src(a) for a in catalog.articles} or \
                {p.id for p in old.protocols} != {p.id for p in catalog.protocols}:
            return self.build().pages  # an id or an area changed: the page set changes
        edited = {a.id for a in catalog.articles if a.path in self._pending}
        edited |= {p.id for p in catalog.protocols if p.path in self._pending}
        catalog = dataclasses.replace(catalog, positions={})
        renderer = plugin.renderer
        related = dict(renderer.related_articles)
        search = plugin.search_build
        nums: list[int] = []
        if search is not None:
            nums = search.update(catalog, edited, directory_urls=state.live.directory_urls)
            edited_articles = edited & set(catalog.article_by_id)
            if edited_articles:
                related.update(search.related(plugin.config.related_articles, only=edited_articles))
        articles, protocols = _affected(edited, old, catalog, [*renderer.related_articles.items(), *related.items()])

        plugin.catalog = catalog
        renderer.catalog = catalog
        renderer.related_articles = related
        markdown: dict[str, str] = {}
        for pid in protocols:
            page = renderer.protocol_page(catalog.protocol_by_id[pid])
            markdown[page.src_uri] = page.markdown
            plugin.pages[page.src_uri] = page
            plugin.titles[page.src_uri] = (page.title, page.description)
        # The index pages and home list every page: they follow in a second pass (index_pages_due).
        self._index_due = self._index_due or any(_listing(old, i) != _listing(catalog, i) for i in edited)
        srcs = list(markdown)
        for aid in articles:
            a = catalog.article_by_id[aid]
            plugin.titles[article_src(a)] = (a.meta.title, a.meta.summary or "")
            srcs.append(article_src(a))

        built = state.live.rebuild(srcs, markdown)
        _write_manifest(state, catalog)
        if search is not None and plugin.config.search_server_index and nums:
            search.update_server(plugin.data_dir, nums)
        state.read = read
        self._pending.clear()
        return built

    def index_pages_due(self, stop: Callable[[], bool] = lambda: False) -> Outcome:
        """The second pass of an edit that changed what the index pages and home show (a title, the
        audience, tags): they list every page, so the edited page is shown first and these follow,
        one page at a time; when ``stop()`` says a newer edit is waiting, the rest waits for it."""
        with self._lock:
            state = self._state
            if state is None or not (self._index_due or self._index_todo):
                return Outcome("none")
            start = time.perf_counter()
            plugin = state.plugin
            if self._index_due:
                self._index_due = False
                for page in plugin.renderer.index_pages(home=plugin.home, existing=set(plugin.existing)):
                    if state.generated.get(page.src_uri) != page.markdown:
                        self._index_todo[page.src_uri] = page.markdown
                        state.generated[page.src_uri] = page.markdown
                        plugin.pages[page.src_uri] = page
            n = 0
            try:
                for src in sorted(self._index_todo):
                    if n and stop():
                        break
                    n += state.live.rebuild([src], {src: self._index_todo.pop(src)})
            except Exception as exc:
                log.exception("preview: index pages failed")
                outcome = Outcome("error", errors=[f"{type(exc).__name__}: {exc}"])
            else:
                outcome = Outcome("indexes", n, time.perf_counter() - start)
            self.errors = outcome.errors
            self.version += 1
            return outcome

    # --- watching --------------------------------------------------------------------------------
    def watch(self) -> None:
        """Watch the content, the theme and mkdocs.yml in background threads; updates run one at a time."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        state = self._state
        assert state is not None, "build() first"
        changed: set[Path] = set()
        wake = threading.Event()
        guard = threading.Lock()

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in ("opened", "closed_no_write") or event.is_directory:
                    return  # a folder's own events come with those of the files in it
                with guard:
                    for p in (event.src_path, getattr(event, "dest_path", "")):
                        if p:
                            changed.add(Path(os.fsdecode(p)))
                wake.set()

        observer = Observer()
        installed = Path(sysconfig.get_paths()["purelib"]).resolve()
        folders = [self.root / KB_DIR, self.root / PROTOCOLS_DIR, *(
            d for d in state.live.theme_dirs if not Path(d).resolve().is_relative_to(installed))]
        for folder in dict.fromkeys(f.resolve() for f in folders if f.is_dir()):
            observer.schedule(Handler(), str(folder), recursive=True)
        observer.schedule(Handler(), str(self.root), recursive=False)  # mkdocs.yml
        observer.daemon = True
        observer.start()
        self._observer = observer

        def loop() -> None:
            while True:
                wake.wait()
                while True:  # debounce: until no event for DEBOUNCE_S
                    wake.clear()
                    if not wake.wait(DEBOUNCE_S):
                        break
                with guard:
                    batch = set(changed)
                    changed.clear()
                outcome = self.update(batch)
                self._report(outcome)
                if outcome.kind == "incremental" or self._index_todo:
                    self._report(self.index_pages_due(stop=wake.is_set))  # yields to a newer edit


        threading.Thread(target=loop, name="kb-preview", daemon=True).start()

    @staticmethod
    def _report(outcome: Outcome) -> None:
        if outcome.kind == "error":
            for line in outcome.errors:
                print(line, flush=True)
            n = len(outcome.errors)
            print(f"preview: the site was not updated ({n} problem{'' if n == 1 else 's'}); fix and save again",
                  flush=True)
        elif outcome.kind != "none":
            why = f" ({outcome.reason})" if outcome.reason else ""
            print(f"preview: {outcome.kind} rebuild, {outcome.pages} pages in {outcome.seconds:.2f} s{why}", flush=True)

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()


def _affected(edited: set[str], old: Catalog, catalog: Catalog,
              related: Iterable[tuple[str, Iterable[str]]]) -> tuple[set[str], set[str]]:
    """Who shows what was edited: articles listing it as related, protocols linking it, articles
    of an edited protocol (their "related protocols" and "used in" show its title)."""
    articles = set(edited & set(catalog.article_by_id))
    for aid, rel_ids in related:
        if edited & set(rel_ids):
            articles.add(aid)
    protocols = set(edited & set(catalog.protocol_by_id))
    for cat in (old, catalog):
        for aid in edited:
            protocols |= set(cat.protocols_using_article.get(aid, ()))
        for pid in edited & set(cat.protocol_by_id):
            articles |= {aid for aid, pids in cat.protocols_using_article.items() if pid in pids}
    return articles & set(catalog.article_by_id), protocols & set(catalog.protocol_by_id)


def _write_manifest(state: _State, catalog: Catalog) -> None:
    """The manifest of the edited catalog, replaced atomically (the service reads it for event ids)."""
    plugin, site = state.plugin, state.live.site
    tmp = site / f".{MANIFEST}.kb-tmp"
    csp = Csp(script_hashes=tuple(sorted(plugin.script_hashes)), embeds=plugin.config.html_embeds)
    tmp.write_text(build_manifest(catalog, state.live.directory_urls, csp).to_json(), encoding="utf-8")
    os.replace(tmp, site / MANIFEST)


def _listing(catalog: Catalog, ident: str) -> tuple[object, ...]:
    """What the index pages and the home page show of an article or protocol."""
    if ident in catalog.article_by_id:
        m = catalog.article_by_id[ident].meta
        return ("article", m.title, m.type, m.audience, tuple(m.tags), m.lang, m.translation_of)
    p = catalog.protocol_by_id[ident].model
    return ("protocol", p.title, p.summary, p.audience, tuple(p.tags), p.lang, p.translation_of)
