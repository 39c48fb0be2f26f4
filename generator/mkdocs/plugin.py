"""The MkDocs adapter (`plugins: [kb]`). It only wires our stages into MkDocs events:

* on_config: read + model + validate the content (all problems at once; errors abort),
  add our theme folder, the Markdown extensions our pages need and a small nav;
* on_files: add generated pages (protocols, indexes, home), drop our fragments from the
  theme copy, check that every output path stays inside the site folder;
* on_page_read_source: articles are rendered from the catalog, so MkDocs never parses
  front matter with its own (unhardened) YAML loader;
* on_page_markdown: page titles and descriptions are HTML-escaped (MkDocs writes them raw);
* on_post_build: writes ``kb-manifest.json`` (ids, versions, URLs) for the event service,
  and the search indexes (``site/search/``: static shards; the whoosh index into the private
  data folder, ``.kb-data/search/server/`` by default: it is not for browsers).

Search (option ``search``, on by default) replaces Material's lunr search: the header box
is ours (``theme/partials/header.html``, ``assets/kb/search.js``), related articles are
computed when the catalog is read, and the indexes are written after the build.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import markupsafe
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files

from generator.content.html import clean, inline_script_hashes, keep_placeholders
from generator.diagnostics import Severity
from generator.layout import (
    HOME_LANGS,
    INDEX_PAGES,
    MANIFEST,
    PROTOCOLS_SECTION,
    SATISFACTION_SRC,
    article_src,
    home_src,
)
from generator.mkdocs.buildworkers import BuildWorkers
from generator.mkdocs.cache import BUILD_CACHE
from generator.mkdocs.cacheevents import CacheEvents
from generator.mkdocs.config import NEEDED_EXTENSIONS, THEME_DIR, KbConfig
from generator.mkdocs.page import KbPage, Rendered, nav_titles
from generator.mkdocs.searchevents import SearchEvents
from generator.mkdocs.sourcecache import SourceCache
from generator.model.catalog import Catalog
from generator.model.manifest import Csp
from generator.model.register import RegisterError, site_register
from generator.model.validate import ValidationResult
from generator.pipeline.options import cache_folder, data_folder
from generator.pipeline.today import today
from generator.pipeline.validation import validate_for_build
from generator.render.i18n import strings
from generator.render.manifest import build_manifest
from generator.render.offline import write_service_worker
from generator.render.pages import GeneratedPage, Renderer
from generator.render.runner import RunnerOptions
from generator.render.support import SupportError, support_data, support_json

if TYPE_CHECKING:
    from generator.mkdocs.workers import RenderPool

log = logging.getLogger("mkdocs.plugins.kb")

class KbPlugin(BuildWorkers, CacheEvents, SearchEvents, BasePlugin[KbConfig]):
    catalog: Catalog
    renderer: Renderer
    pages: dict[str, GeneratedPage]
    home_langs: dict[str, str]  # the generated homes' sources and their languages
    register: dict[str, str]  # the site's register per language (generator/model/register.py)
    titles: dict[str, tuple[str, str]]
    # Live preview (generator/preview.py): keep what an incremental rebuild needs after the build.
    preview: bool = False
    files: Files | None = None
    nav: Any = None
    env: Any = None
    home: bool = True
    existing: frozenset[str] = frozenset()
    script_hashes: set[str]
    _from_workers: dict[str, Rendered] = {}  # noqa: RUF012 - replaced per build
    _sources: dict[str, str] = {}  # noqa: RUF012
    data_dir: Path
    # The content `kb build` (or the preview) validated before the build started, handed over
    # explicitly (generator/mkdocs/build.py:hand_off); None: on_config validates it.
    validated: ValidationResult | None = None
    # Renders to apply instead of rendering (the build cache fills it after on_config, before this plugin's
    # on_nav; KbPage.render checks each one's Markdown hash and lookups): {src_uri: Rendered} (page.py).
    provided: dict[str, Rendered]
    pool: RenderPool | None = None  # the worker processes rendering pages during a build (workers.py)
    # this build's pages: rendered in this process, applied (a Rendered: a worker's or `provided`), worker
    # results received and worker failures
    render_stats: dict[str, int]

    def on_config(self, config: Any) -> Any:
        self.script_hashes = set()
        self.provided, self.render_stats = {}, {"rendered": 0, "applied": 0, "workers": 0, "failed": 0}
        self.data_dir = data_folder(Path(config.config_file_path).resolve().parent, self.config.data_dir)
        root = Path(config.config_file_path).resolve().parent
        docs = Path(config.docs_dir).resolve()
        if docs.name != "kb" or docs.parent != root:
            raise PluginError(f"kb: expected docs_dir: kb (next to mkdocs.yml), found {config.docs_dir}")
        result = self.validated or validate_for_build(root, today(), lint=bool(config.strict),
                                                      cache=cache_folder(self.data_dir, "validate"),
                                                      config_file=Path(config.config_file_path).resolve())
        self.validated = None
        for d in result.diagnostics:
            (log.error if d.severity is Severity.ERROR else log.warning)(d.format())
        if not result.ok:
            n = sum(d.severity is Severity.ERROR for d in result.diagnostics)
            raise PluginError(f"kb: {n} content error{'s' if n != 1 else ''}; run 'kb validate' for the list")
        # Positions only serve diagnostics: not keeping them saves ~100 MB at 10,000 pages.
        self.catalog = dataclasses.replace(result.catalog, positions={})
        self._add_theme(config)
        self._set_extra(config)
        self._cache_setup(config)
        lang = config.extra["kb_site_lang"]
        related = self._setup_search(config, root, lang)
        self.renderer = Renderer(self.catalog, [Path(d) for d in config.theme.dirs if Path(d, "fragments").is_dir()],
                                 lang, tuple(self.config.feedback),
                                 runner=RunnerOptions(bool(config.use_directory_urls), self.config.runner_max_age_days,
                                                      self.config.html_embeds),
                                 related_articles=related, register=self.register)
        self.source_cache = None if self.cache_key is None else SourceCache(
            self.data_dir / BUILD_CACHE, self.cache_key, self.catalog, read=self.cache_read)
        # Broken links and anchors must fail --strict; the nav lists sections, not every page.
        for name in ("not_found", "anchors", "absolute_links", "unrecognized_links"):
            level = getattr(config.validation.links, name)
            setattr(config.validation.links, name, max(level, logging.WARNING))
        config.validation.nav.omitted_files = logging.DEBUG
        if config.nav is None and self.config.nav:
            t = strings(lang)
            config.nav = [{t["home"]: "index.md"}] + [{t[key]: src} for key, src in INDEX_PAGES.items()]
        return config


    def _add_theme(self, config: Any) -> None:
        """Our templates, CSS and scripts, and the Markdown extensions the pages need."""
        if str(THEME_DIR) not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        if self.config.offline:
            config.theme["font"] = False
        for ext in NEEDED_EXTENSIONS:
            if ext not in config.markdown_extensions:
                config.markdown_extensions.append(ext)
        if "assets/kb/kb.css" not in config.extra_css:
            config.extra_css.append("assets/kb/kb.css")
        if "assets/kb/runner.css" not in config.extra_css:
            config.extra_css.append("assets/kb/runner.css")
        if "assets/kb/kb.js" not in [str(s) for s in config.extra_javascript]:  # shared helpers: before all ours
            config.extra_javascript.insert(0, "assets/kb/kb.js")
        if "assets/kb/runner.js" not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append("assets/kb/runner.js")
        scripts = ["assets/kb/events.js", "assets/kb/support.js", "assets/kb/feedback.js", "assets/kb/ticket.js"]
        scripts += ["assets/kb/offline.js"] if self.config.service_worker and not self.preview else []
        scripts += ["assets/kb/preview.js"] if self.preview else []
        for script in scripts:
            if script not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(script)

    def _set_extra(self, config: Any) -> None:
        """What the templates read from config.extra: endpoint, languages, support, register."""
        config.extra["kb_events_endpoint"] = self.config.events_endpoint
        # the chrome of a page in another language (header name, home link, nav): see partials/*.html
        config.extra["kb_site_lang"] = str(config.theme.get("language") or "es")[:2]
        config.extra["kb_site_names"] = dict(self.config.site_names)
        config.extra["kb_home_labels"] = {other: strings(other)["home"] for other in HOME_LANGS}
        try:
            config.extra["kb_support"] = support_json(support_data(self.config.support))
            self.register = site_register(self.config.register)
        except (SupportError, RegisterError) as exc:
            raise PluginError(f"kb: {exc}") from None
        config.extra["kb_register"] = json.dumps(self.register, ensure_ascii=False)  # <meta name="kb-register">

    def _files(self, files: Files, *, config: Any) -> Files:
        docs = Path(config.docs_dir)
        existing = {f.src_uri for f in files if f.src_dir is not None and Path(f.src_dir) == docs}
        home = self.config.home and "index.md" not in existing
        self.home, self.existing = home, frozenset(existing)
        if self.source_cache is not None:
            generated = self.source_cache.generated_pages(
                lambda: self.renderer.generated_pages(home=home, existing=existing), home=home,
                existing=self.existing)
        else:
            generated = self.renderer.generated_pages(home=home, existing=existing)
        self.pages = {p.src_uri: p for p in generated}
        self.home_langs = {home_src(lang, self.renderer.lang): lang for lang in HOME_LANGS}
        self.titles = {p.src_uri: (p.title, p.description) for p in generated}
        for a in self.catalog.articles:
            self.titles[article_src(a)] = (a.meta.title, a.meta.summary or "")
        for f in list(files):
            if f.src_uri.startswith(("fragments/", "report/")) and f.src_dir and Path(f.src_dir) == THEME_DIR:
                files.remove(f)
        for page in generated:
            if page.src_uri in existing:
                raise PluginError(f"kb: kb/{page.src_uri} clashes with a generated page; rename it")
            files.append(File.generated(config, page.src_uri, content=page.markdown))
        self._check_paths(files, docs, Path(config.site_dir))
        self._give_pages(files, config)
        if self.preview:
            self.files = files
        return files

    @staticmethod
    def _check_paths(files: Files, docs: Path, site_dir: Path) -> None:
        """No source read from outside the repository, no output written outside the site folder."""
        site, root = site_dir.resolve(), docs.resolve().parent
        # An empty site folder (a build's new one) has no symbolic link to follow: the normalised path says
        # where a file goes. A file that is no link is where its folder really is (one resolve a folder).
        fresh = site_dir.is_dir() and next(os.scandir(site_dir), None) is None
        folders: dict[str, Path] = {}

        def real(path: str) -> Path:
            if os.path.islink(path):
                return Path(path).resolve()
            parent, name = os.path.split(path)
            if parent not in folders:
                folders[parent] = Path(parent).resolve()
            return folders[parent] / name

        for f in files:
            # MkDocs' walk follows symbolic links: one leaving the repository is never published.
            # (`kb validate` reports it first; this is the last line of defence.)
            if f.abs_src_path and f.src_dir and Path(f.src_dir) == docs and not real(
                    f.abs_src_path).is_relative_to(root):
                raise PluginError(f"kb: kb/{f.src_uri}: a symbolic link to outside the repository is never "
                                  "published; remove it or link to a file inside the repository")
            dest = Path(site, os.path.relpath(f.abs_dest_path, site_dir)) if fresh else Path(f.abs_dest_path)
            if not Path(os.path.normpath(dest) if fresh else dest.resolve()).is_relative_to(site):
                raise PluginError(f"kb: {f.src_uri} would be written outside the site folder")

    def _give_pages(self, files: Files, config: Any) -> None:
        """Every documentation page is a KbPage (generator/mkdocs/page.py), with its nav title."""
        titles = nav_titles(config.nav)
        for f in files.documentation_pages():
            KbPage(titles.get(f.src_uri), f, config, supply=self._supply)

    def _supply(self, src: str) -> Rendered | None:
        return self.provided.pop(src, None) or self._from_workers.pop(src, None)

    on_files = CombinedEvent(_files, CacheEvents._cache_files)

    @event_priority(-100)  # after every other plugin's: the files and pages are final
    def on_nav(self, nav: Any, *, config: Any, files: Files) -> Any:
        self.nav = nav  # the build cache's plan (on_env) and the live preview read it
        self._start_pool(config, files)
        return nav

    def _start_pool(self, config: Any, files: Files) -> None:
        """Fork the workers that render pages (generator/mkdocs/workers.py), unless there is one page
        to render or ``render_workers`` is 0."""
        from generator.mkdocs.workers import RenderPool

        self._from_workers, self._sources = {}, {}
        n = self._workers_wanted()
        pages = self._cache_misses([f.page for f in files.documentation_pages()
                                    if isinstance(f.page, KbPage) and f.src_uri not in self.provided])
        # No fork in a process that runs other threads (the live preview's server): a thread's lock
        # could be copied held.
        if n <= 0 or len(pages) < 2 or self.preview or threading.active_count() > 1:
            return
        len(self.renderer.related_articles)  # fetched now: a worker must never read the search job's pipe
        try:
            self.pool = RenderPool(pages, config, files, self._sanitise, n)
        except OSError as exc:  # no fork (resource limits): every page is rendered here
            log.info("kb: rendering in one process: %s", exc)

    def _workers_wanted(self) -> int:
        from generator.mkdocs.workers import default_workers

        return self.config.render_workers if self.config.render_workers is not None else default_workers()

    def on_pre_page(self, page: Any, *, config: Any, files: Files) -> Any:
        """A page a worker rendered: its source and render, for on_page_read_source and KbPage.render."""
        src = page.file.src_uri
        if self.pool is not None and not self.pool.claim(src):
            source, rendered = self.pool.result(src)
            if source is not None and rendered is not None:
                self._sources[src], self._from_workers[src] = source, rendered
        return page

    def _stop_pool(self) -> None:
        if self.pool is not None:
            self.render_stats.update(self.pool.stats)
            self.pool.close()
            self.pool = None
        log.debug("kb: pages rendered: %s", self.render_stats)
        self._from_workers, self._sources = {}, {}

    @event_priority(-100)  # last: every page is read, every title known
    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        self._stop_pool()  # every page is rendered
        if self.preview:
            self.env = env
        if self.page_cache is not None:
            self.page_cache.plan(self.nav, [f.page for f in files.documentation_pages() if f.page], config)
        self._plan_build_pool(env, config, files)  # after the plan: the pages the cache reuses are not theirs
        return env

    def on_page_read_source(self, *, page: Any, config: Any) -> str | None:
        src = page.file.src_uri
        if src in self._sources:  # read by the worker that rendered it
            return self._sources.pop(src)
        article = self._article_at(src)
        if article is None:
            return None
        if self.source_cache is not None:
            related = self.renderer.related_articles.get(article.id, ())
            return self.source_cache.article_markdown(src, article.body, related,
                                                      lambda: self.renderer.article_markdown(article))
        return self.renderer.article_markdown(article)

    def _article_at(self, src: str) -> Any:
        parts = src.split("/")
        if len(parts) == 2 and parts[1].endswith(".md"):
            article = self.catalog.article_by_id.get(parts[1][:-3])
            if article is not None and article.area == parts[0]:
                return article
        return None

    def _page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        title, description = self.titles.get(page.file.src_uri, (page.meta.get("title"), page.meta.get(
            "description")))
        if title:
            page.meta["title"] = str(markupsafe.escape(title))
        if description:
            page.meta["description"] = str(markupsafe.escape(description))
        ident = self._content_id(page.file.src_uri)
        home_lang = self.home_langs.get(page.file.src_uri)
        if home_lang:
            page.meta["kb_lang"] = home_lang
        if ident:
            # No <link rel="alternate" hreflang> in <head>: Material reads those as whole-site language
            # versions and fetches their sitemap.xml. The switch's links carry hreflang instead.
            page.meta["kb_lang"] = self.catalog.lang(ident)
        return keep_placeholders(markdown)

    on_page_markdown = CombinedEvent(_page_markdown, CacheEvents._cache_page_markdown)

    def _page_content(self, html: str, *, page: Any, config: Any, files: Files) -> str:
        """Every page's rendered Markdown through the one allow-list sanitiser (generator/content/html.py),
        except our own generated home and satisfaction pages (their forms come from our templates only)."""
        if isinstance(page, KbPage) and page.applied:  # a Rendered's content: sanitised already
            self.render_stats["applied"] += 1
            return html
        self.render_stats["rendered"] += 1
        html = self._sanitise(page, html)
        return page.finish(html) if isinstance(page, KbPage) else html

    def _sanitise(self, page: Any, html: str) -> str:
        src = page.file.src_uri
        if src in self.pages and (src == SATISFACTION_SRC or src in self.home_langs):
            return html
        return clean(html, embeds=self.config.html_embeds)

    on_page_content = CombinedEvent(_page_content, CacheEvents._cache_page_content)

    def _content_id(self, src: str) -> str | None:
        """The article or protocol id a page shows, if any."""
        article = self._article_at(src)
        if article is not None:
            return str(article.id)
        parts = src.split("/")
        if len(parts) == 2 and parts[0] == PROTOCOLS_SECTION and parts[1][:-3] in self.catalog.protocol_by_id:
            return parts[1][:-3]
        return None

    def _post_page(self, output: str, *, page: Any, config: Any) -> str:
        """Material writes the site's language on every page; a page in another language says its own."""
        if page.file.src_uri in self._built:  # a worker built it (generator/mkdocs/buildworkers.py)
            return output
        lang = page.meta.get("kb_lang")
        if lang and lang != self.renderer.lang:
            output = output.replace(f'<html lang="{self.renderer.lang}"', f'<html lang="{lang}"', 1)
        self.script_hashes |= inline_script_hashes(output)
        return output

    on_post_page = CombinedEvent(_post_page, CacheEvents._cache_post_page)

    def on_post_template(self, output_content: str, *, template_name: str, config: Any) -> str:
        self.script_hashes |= inline_script_hashes(output_content)  # 404.html
        return output_content

    def on_post_build(self, *, config: Any) -> None:
        self._stop_build_pool()  # every page is built
        # The theme's inline scripts, by hash: `kb serve` (and the documented nginx setup) allow
        # exactly these in the Content-Security-Policy, never 'unsafe-inline'.
        csp = Csp(script_hashes=tuple(sorted(self.script_hashes)), embeds=self.config.html_embeds)
        manifest = build_manifest(self.catalog, config.use_directory_urls, csp)
        Path(config.site_dir, MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        site = Path(config.site_dir)
        self._search_post_build(site)
        known: dict[str, str] = {}  # the SHA-256 of the pages the build cache stored: not read again
        if self.page_cache is not None:
            self.page_cache.render_stats = self.render_stats
            self.page_cache.search_stats = self.search_stats
            known = self.page_cache.finish(site)
            self.page_cache = None
        if self.source_cache is not None:
            self.source_cache.save()
        if self.config.service_worker and not self.preview:  # last: it hashes the finished site
            write_service_worker(THEME_DIR / "assets" / "kb" / "sw.js", site, known)

    def on_build_error(self, *, error: Exception) -> None:
        if self.source_cache is not None:
            self.source_cache.close()  # its unsaved blob removed
        if self.page_cache is not None:
            self.page_cache.close()
            self.page_cache = None
        self._stop_pool()
        self._stop_build_pool()
        if self.search_job is not None:
            self.search_job.cancel()
            self.search_job = None

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        root = Path(config.config_file_path).parent
        server.watch(str(root / self.config.protocols_dir))
        server.watch(str(THEME_DIR))
        return server
