"""The build cache of the search outputs: the static index (``site/search/``), the server index (in the
private data folder) and the related articles, reused whole when their inputs are unchanged.

Their key is our code, ``KB_TODAY``, the search options (URL style, related articles, server index),
the synonym files and every file of the content (``kb/`` and ``protocols/``). On a hit no search process
runs: the related articles are read from ``related.json`` and the static index is linked into the new
site; the server index in the data folder is the one this key wrote (``key`` is written last, removed
before a new index replaces it).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from generator.layout import STATIC_DIR
from generator.mkdocs.cache import code_version, link_or_copy
from generator.pipeline.cachefiles import digest, read_json, tree_digest, write_atomic


def search_key(content: Sequence[Path], synonyms: Sequence[Path], *, today: str, options: str) -> str:
    return digest(code_version(), today, options, *(tree_digest(p) for p in content),
                  *(p.read_bytes() for p in synonyms))


class SearchCache:
    def __init__(self, folder: Path, key: str, *, read: bool = True) -> None:
        self.folder = folder
        self.key = key
        self.read = read

    def related(self, server: Path | None) -> dict[str, tuple[str, ...]] | None:
        """The related articles when every search output of this key is stored (and the server index, if
        wanted, is in the data folder); None: a miss."""
        if not self.read:
            return None
        try:
            if (self.folder / "key").read_text(encoding="utf-8") != self.key:
                return None
        except OSError:
            return None
        doc = read_json(self.folder / "related.json")
        if not isinstance(doc, dict) or not (self.folder / "static").is_dir():
            return None
        if server is not None and not server.is_dir():
            return None
        return {str(k): tuple(str(x) for x in v) for k, v in doc.items() if isinstance(v, list)}

    def invalidate(self) -> None:
        """A new server index is about to replace the old one: the stored key no longer describes it."""
        (self.folder / "key").unlink(missing_ok=True)

    def restore(self, site: Path) -> None:
        """The stored static index into the new site (hard links, or copies)."""
        shutil.copytree(self.folder / "static", site / STATIC_DIR, copy_function=_link, dirs_exist_ok=True)

    def store(self, site: Path, related: Mapping[str, tuple[str, ...]]) -> None:
        """Keep the search outputs just built (the static index of ``site``) under this key."""
        self.invalidate()
        static = self.folder / "static"
        staging = self.folder / f".static-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(site / STATIC_DIR, staging, copy_function=_link)
        shutil.rmtree(static, ignore_errors=True)
        os.replace(staging, static)
        write_atomic(self.folder / "related.json", json.dumps(
            {k: list(v) for k, v in related.items()}, separators=(",", ":")).encode("utf-8"))
        write_atomic(self.folder / "key", self.key.encode("utf-8"))


def _link(src: str, dest: str) -> None:
    link_or_copy(Path(src), Path(dest))
