"""The kb plugin's search events: a mixin of :class:`KbPlugin` (generator/mkdocs/plugin.py).

Search (option ``search``, on by default) replaces Material's lunr search: the header box is ours
(``theme/partials/header.html``, ``assets/kb/search.js``). A build analyses the catalog and writes
both indexes in a forked process (``SearchJob``), whose related articles the first article page
waits for; the live preview keeps the analysis in this process (``SearchBuild``) for its updates.
When no content file changed, the build cache gives the indexes and related articles instead
(generator/mkdocs/cacheevents.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.exceptions import PluginError

from generator.layout import SERVER_DIR
from generator.model.fields import AUDIENCES, LANGS
from generator.render.i18n import in_register, strings
from generator.search.documents import TYPES

if TYPE_CHECKING:
    from generator.mkdocs.searchcache import SearchCache
    from generator.model.catalog import Catalog
    from generator.search.build import SearchBuild, SearchJob

log = logging.getLogger("mkdocs.plugins.kb")


class SearchEvents:
    config: Any
    catalog: Catalog
    preview: bool
    register: dict[str, str]
    data_dir: Path
    search_cache: SearchCache | None
    search_reused: bool
    search_stats: dict[str, float]  # the search's timings and counts: the build cache's stats.json
    search_build: SearchBuild | None = None  # search analysed in this process (live preview; no fork)
    search_job: SearchJob | None = None  # search analysed and indexed in a forked process (builds)

    if TYPE_CHECKING:  # given by CacheEvents (generator/mkdocs/cacheevents.py)
        def _search_from_cache(self, config: Any, root: Path,
                               synonyms: list[Path]) -> Mapping[str, tuple[str, ...]] | None: ...

    def _setup_search(self, config: Any, root: Path, lang: str) -> Mapping[str, tuple[str, ...]]:
        """Analyse the catalog for search, wire the header box, return the related articles."""
        self.search_build = None
        self.search_job = None
        self.search_stats = {}
        if not self.config.search:
            return {}
        from generator.search.build import Later, Reuse, SearchBuild, SearchJob

        extra = [root / p for p in self.config.search_synonyms]
        for path in extra:
            if not path.is_file():
                raise PluginError(f"kb: search_synonyms: expected a file, found nothing at {path}")
        for name in ("material/search", "search"):  # ours replaces Material's lunr search (docs/search.md)
            plugin = config.plugins.get(name)
            if plugin is not None and hasattr(plugin, "config") and "enabled" in plugin.config:
                plugin.config.enabled = False
        for css in ("assets/kb/search.css",):
            if css not in config.extra_css:
                config.extra_css.append(css)
        if "assets/kb/search.js" not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append("assets/kb/search.js")
        def box(language: str) -> dict[str, dict[str, str]]:
            t = in_register(strings(language), language, self.register)
            return {"strings": {k[7:]: v for k, v in t.items() if k.startswith("search_")},
                    "labels": {k: t[k] for k in (*TYPES, *AUDIENCES)}}

        config.extra["kb_search"] = {"endpoint": self.config.search_endpoint, "index": "search/", **box(lang),
                                     "languages": {other: box(other) for other in LANGS if other != lang}}
        urls = bool(config.use_directory_urls)
        if not self.preview:  # the live preview keeps the analysis in this process for its updates
            reused = self._search_from_cache(config, root, extra)
            if reused is not None:
                return reused
            cache = self.search_cache
            reuse = Reuse() if cache is None else Reuse(cache.folder, cache.read, self.data_dir / SERVER_DIR)
            try:
                self.search_job = SearchJob.start(self.catalog, Path(config.site_dir).resolve().parent,
                                                  directory_urls=urls, synonyms=extra,
                                                  related=self.config.related_articles,
                                                  server=self.config.search_server_index, reuse=reuse)
            except RuntimeError as exc:
                raise PluginError(f"kb: {exc}") from None
            if self.search_job is not None:
                return Later(self._related_from_job)  # waited for at the first article page
        self.search_build = SearchBuild.prepare(self.catalog, directory_urls=urls, synonyms=extra)
        return self.search_build.related(self.config.related_articles)

    def _related_from_job(self) -> Mapping[str, tuple[str, ...]]:
        assert self.search_job is not None
        try:
            return self.search_job.wait_related()
        except RuntimeError as exc:
            raise PluginError(f"kb: {exc}") from None

    def _search_post_build(self, site: Path) -> None:
        if self.search_reused and self.search_cache is not None:
            self.search_cache.restore(site)
            log.debug("kb: search: the indexes and related articles of the build cache")
            return
        if self.search_job is not None:
            try:
                related = self.search_job.wait_related()
                stats, timings = self.search_job.finish(site, self.data_dir if self.config.search_server_index
                                                        else None)
            except RuntimeError as exc:
                raise PluginError(f"kb: {exc}") from None
            finally:
                self.search_job = None
            if self.search_cache is not None:
                self.search_cache.store(site, related)
        elif self.search_build is not None:
            stats = self.search_build.write_static(site)
            if self.config.search_server_index:
                self.search_build.write_server(self.data_dir)
            timings = self.search_build.timings
        else:
            return
        self.search_stats = dict(timings)
        log.debug("kb: search: %d documents, %d terms, %d bytes of static index; %s", stats.docs, stats.terms,
                  stats.bytes, {k: round(v, 2) for k, v in timings.items()})

