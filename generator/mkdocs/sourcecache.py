"""The build cache of the Markdown our renderer makes (generator/render/pages.py): the generated pages
(protocols, indexes, home) and each article's page Markdown, reused when their inputs are unchanged.

Their inputs: the global key (our code and fragments, the configuration), the catalog's **outline** (every
article's id, place and front matter, every protocol's id, place and file version: titles, summaries,
tags, translations and links between them, but no article body), and for an article page its own file
(its body) and its related articles. An article's body edit therefore renders that article's
Markdown only; a title edit renders the generated pages and every article Markdown again (cheap: the
pages whose Markdown comes out the same are still reused whole).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from generator.mkdocs.cache import digest, read_json, write_atomic
from generator.model.catalog import Catalog
from generator.render.pages import GeneratedPage


def outline(catalog: Catalog) -> str:
    parts: list[str] = []
    for a in catalog.articles:
        parts += [a.id, a.area, a.path, a.meta.model_dump_json()]
    for p in catalog.protocols:
        parts += [p.id, p.path, p.version, p.model.model_dump_json()]
    return digest(*parts)


class SourceCache:
    def __init__(self, folder: Path, key: str, catalog: Catalog, *, read: bool = True) -> None:
        self.folder = folder
        self.key = digest(key, outline(catalog))
        doc = read_json(folder / "sources.json") if read else None
        ok = isinstance(doc, dict) and doc.get("key") == self.key
        self.old_pages: Any = doc.get("generated") if ok and isinstance(doc, dict) else None
        articles = doc.get("articles") if ok and isinstance(doc, dict) else None
        self.old_articles: dict[str, Any] = articles if isinstance(articles, dict) else {}
        self.generated: list[list[str]] = []
        self.generated_key = ""
        self.articles: dict[str, list[str]] = {}

    def generated_pages(self, make: Callable[[], Sequence[GeneratedPage]], *, home: bool,
                        existing: frozenset[str]) -> list[GeneratedPage]:
        self.generated_key = digest(self.key, str(home), *sorted(existing))
        old = self.old_pages
        if isinstance(old, dict) and old.get("key") == self.generated_key and isinstance(old.get("pages"), list):
            try:
                pages = [GeneratedPage(str(s), str(t), str(m), str(d)) for s, t, m, d in old["pages"]]
            except (TypeError, ValueError):
                pages = None
            if pages is not None:
                self.generated = old["pages"]
                return pages
        made = list(make())
        self.generated = [[p.src_uri, p.title, p.markdown, p.description] for p in made]
        return made

    def article_markdown(self, src: str, body: str, related: Sequence[str], make: Callable[[], str]) -> str:
        key = digest(body, *related)
        old = self.old_articles.get(src)
        if isinstance(old, list) and len(old) == 2 and old[0] == key and isinstance(old[1], str):
            self.articles[src] = old
            return old[1]
        text = make()
        self.articles[src] = [key, text]
        return text

    def save(self) -> None:
        old = self.old_pages
        if (self.articles == self.old_articles and isinstance(old, dict) and old.get("key") == self.generated_key
                and old.get("pages") is self.generated):
            return  # everything came from the stored file
        doc = {"key": self.key, "generated": {"key": self.generated_key, "pages": self.generated},
               "articles": self.articles}
        write_atomic(self.folder / "sources.json", json.dumps(doc, separators=(",", ":")).encode("utf-8"))
