"""The kb plugin's build-cache events (generator/mkdocs/cache.py): a mixin of :class:`KbPlugin`
(generator/mkdocs/plugin.py), whose events run after the plugin's own (priority -100: the files, the
Markdown and the HTML MkDocs really uses)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files

from generator.layout import SERVER_DIR
from generator.mkdocs.cache import BUILD_CACHE, global_key
from generator.mkdocs.page import Rendered
from generator.mkdocs.pagecache import PageCache
from generator.mkdocs.searchcache import SearchCache, search_key
from generator.mkdocs.sourcecache import SourceCache
from generator.pipeline.cachefiles import digest
from generator.pipeline.today import today


class CacheEvents:
    config: Any
    preview: bool
    data_dir: Path
    provided: dict[str, Rendered]
    script_hashes: set[str]
    # The build cache (generator/mkdocs/cache.py): None when off (--no-cache reads none, writes a new one).
    cache_key: str | None = None
    page_cache: PageCache | None = None
    search_cache: SearchCache | None = None
    search_reused: bool = False
    cache_read: bool = True
    source_cache: SourceCache | None = None
    renderer: Any
    _built: frozenset[str] | set[str]

    def _article_at(self, src: str) -> Any: ...

    def _cache_misses(self, pages: list[Any]) -> list[Any]:
        """The pages the build cache will probably not reuse (:meth:`PageCache.predict`), from what their
        sources are made of: an article's body, related articles and the catalog's outline (the source
        cache's key), any other page's file. Only these are worth a render worker's time."""
        if self.page_cache is None:
            return pages
        misses = []
        for page in pages:
            article = self._article_at(page.file.src_uri)
            if article is not None and self.source_cache is not None:
                source = digest(self.source_cache.key, article.body,
                                *self.renderer.related_articles.get(article.id, ()))
            else:
                source = page.file.content_string
            if not self.page_cache.predict(page, source):
                misses.append(page)
        return misses

    def _cache_setup(self, config: Any) -> None:
        """The build cache's global key (None: no cache in the live preview)."""

        self.cache_key, self.page_cache, self.search_cache, self.search_reused = None, None, None, False
        if self.preview:
            return
        engine = getattr(sys.modules.get("mkdocs"), "__file__", "") or ""
        self.cache_key = global_key(Path(config.config_file_path), config.theme.dirs, engine=engine,
                                    today=today().isoformat())
        self.cache_read = self.config.build_cache and os.environ.get("KB_BUILD_CACHE", "1") != "0"

    def _search_from_cache(self, config: Any, root: Path, synonyms: list[Path]) -> Mapping[str, tuple[str, ...]] | None:
        """The related articles of the cached search outputs, if their inputs are unchanged (no search process)."""
        if self.cache_key is None:
            return None
        options = json.dumps([bool(config.use_directory_urls), self.config.related_articles,
                              self.config.search_server_index])
        key = search_key([Path(config.docs_dir), root / self.config.protocols_dir], synonyms,
                         today=today().isoformat(), options=options)
        self.search_cache = SearchCache(self.data_dir / BUILD_CACHE / "search", key, read=self.cache_read)
        related = self.search_cache.related(self.data_dir / SERVER_DIR if self.config.search_server_index else None)
        if related is None:
            self.search_cache.invalidate()
            return None
        self.search_reused = True
        return related

    @event_priority(-100)  # last: the files every page's links look up
    def _cache_files(self, files: Files, *, config: Any) -> Files:
        if self.page_cache is not None:
            self.page_cache.close()
        self.page_cache = None
        if self.cache_key is not None:
            self.page_cache = PageCache(self.data_dir / BUILD_CACHE, self.cache_key, self.provided,
                                        read=self.cache_read)
            self.page_cache.start(files)
        return files

    @event_priority(-100)  # last: the Markdown MkDocs renders
    def _cache_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        if self.page_cache is not None:
            self.page_cache.before_render(page, markdown)
        return markdown

    @event_priority(-100)
    def _cache_page_content(self, html: str, *, page: Any, config: Any, files: Files) -> str:
        if self.page_cache is not None:
            self.page_cache.after_render(page)
        if not self.preview and getattr(page, "rendered", None) is not None:
            # Its content is set and the cache has taken what it keeps: the Rendered (its table of contents,
            # lookups, links, records: ≈ 10 KB a page, unpickled from a worker) is not kept for the build.
            page.rendered = None
        return html

    @event_priority(-100)  # last: the page's final HTML (or, reused, its stored file linked in)
    def _cache_post_page(self, output: str, *, page: Any, config: Any) -> str:
        if page.file.src_uri in self._built:  # a worker built it: its facts are taken (buildworkers.py)
            return output
        return self.page_cache.post_page(page, output, self.script_hashes) if self.page_cache else output
