"""The build cache of the Markdown our renderer makes (generator/render/pages.py): the generated pages
(protocols, indexes, home) and each article's page Markdown, reused when their inputs are unchanged.

Their inputs: the global key (our code and fragments, the configuration), the catalog's **outline** (every
article's id, place and front matter, every protocol's id, place and file version: titles, summaries,
tags, translations and links between them, but no article body), and for an article page its own file
(its body) and its related articles. An article's body edit therefore renders that article's
Markdown only; a title edit renders the generated pages and every article Markdown again (cheap: the
pages whose Markdown comes out the same are still reused whole).

The article Markdown is not held in memory (≈ 6 KB an article: 60 MB at 10,000): each new text is
appended to a new blob file as it is made, each reused one read from the stored blob when asked for
(checked against its SHA-256: a modified or truncated blob is a miss); ``sources.json`` indexes the blob.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from generator.model.catalog import Catalog
from generator.pipeline.cachefiles import digest, read_json, write_atomic
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
        blob = doc.get("blob") if ok and isinstance(doc, dict) else None
        self.old_blob = folder / blob if isinstance(blob, str) and _blob_name(blob) else None
        self.old_articles: dict[str, Any] = articles if isinstance(articles, dict) else {}
        self.generated: list[list[str]] = []
        self.generated_key = ""
        # src -> [where ("old": the stored blob, "new": this build's), its key, offset, length, SHA-256]
        self.articles: dict[str, list[Any]] = {}
        self._pid = os.getpid()  # a forked render worker keeps nothing (its texts are made again here if need be)
        self._old: IO[bytes] | None = None
        self._new: IO[bytes] | None = None
        self._new_path = Path()

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
        if isinstance(old, list) and len(old) == 4 and old[0] == key:
            text = self._read(old)
            if text is not None:
                if os.getpid() == self._pid:
                    self.articles[src] = ["old", *old]
                return text
        text = make()
        if os.getpid() == self._pid:
            self._append(src, key, text)
        return text

    def _read(self, entry: list[Any]) -> str | None:
        """A stored text; None when the blob is missing, short or not what was stored."""
        _, offset, length, sha = entry
        if self.old_blob is None or not (isinstance(offset, int) and isinstance(length, int) and length >= 0):
            return None
        try:
            if self._old is None:
                self._old = self.old_blob.open("rb")
            data = os.pread(self._old.fileno(), length, offset)  # no shared file offset (forked workers)
            if len(data) != length or hashlib.sha256(data).hexdigest() != sha:
                return None
            return data.decode("utf-8")
        except (OSError, ValueError):
            return None

    def _append(self, src: str, key: str, text: str) -> None:
        data = text.encode("utf-8")
        if self._new is None:
            self._open_new()
        assert self._new is not None
        offset = self._new.seek(0, os.SEEK_END)
        self._new.write(data)
        self.articles[src] = ["new", key, offset, len(data), hashlib.sha256(data).hexdigest()]

    def save(self) -> None:
        old = self.old_pages
        try:
            if (all(e[0] == "old" for e in self.articles.values()) and set(self.articles) == set(self.old_articles)
                    and isinstance(old, dict) and old.get("key") == self.generated_key
                    and old.get("pages") is self.generated):
                return  # everything came from the stored files
            self._write()
        finally:
            self.close()

    def _write(self) -> None:
        """The new blob (this build's texts, then the reused ones copied from the stored blob), then the index."""
        if self._new is None:
            self._open_new()
        assert self._new is not None
        articles: dict[str, list[Any]] = {}
        for src, (where, key, offset, length, sha) in self.articles.items():
            if where == "old":
                text = self._read([key, offset, length, sha])
                if text is None:
                    continue
                data = text.encode("utf-8")
                offset = self._new.seek(0, os.SEEK_END)
                self._new.write(data)
            articles[src] = [key, offset, length, sha]
        self._new.flush()
        name = f"sources-{digest(str(self._new_path), str(os.getpid()), str(len(articles)))[:16]}.txt"
        os.replace(self._new_path, self.folder / name)
        doc = {"key": self.key, "blob": name, "generated": {"key": self.generated_key, "pages": self.generated},
               "articles": articles}
        write_atomic(self.folder / "sources.json", json.dumps(doc, separators=(",", ":")).encode("utf-8"))
        for other in [*self.folder.glob("sources-*.txt"), *self.folder.glob(".sources-*.tmp")]:
            if other.name != name and other.name != self._new_path.name:
                other.unlink(missing_ok=True)

    def _open_new(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".sources-", suffix=".tmp", dir=self.folder)
        self._new, self._new_path = os.fdopen(fd, "w+b"), Path(tmp)

    def close(self) -> None:
        """Close the blobs; an unsaved new blob is removed."""
        for fh in (self._old, self._new):
            if fh is not None:
                fh.close()
        if self._new is not None:
            self._new_path.unlink(missing_ok=True)
        self._old = self._new = None


def _blob_name(name: str) -> bool:
    return name.startswith("sources-") and name.endswith(".txt") and "/" not in name and "\\" not in name
