"""The persistent build cache: its keys and its store, in the private data folder (``.kb-data/cache/build/``).

A rebuild reuses a page's finished HTML file when everything it depends on is unchanged:

* the **global key** (:func:`global_key`): the cache format, our code (every file of ``generator/`` and
  ``theme/``), the installed distributions and their versions (MkDocs or ProperDocs, Material, Markdown
  extensions, plugins), ``mkdocs.yml`` with its ``INHERIT`` files and the ``!ENV`` variables they read,
  the files of every theme folder outside an installed package (``custom_dir`` overrides), the engine
  and ``KB_TODAY``. Any change empties the cache;
* the page's **render key** (:func:`render_key`): its source path and URL, its final Markdown (related
  articles, translations and the titles it lists are in it) and its meta; and every path its links looked
  up in the site's files must still resolve to the same file (recorded during the render);
* the page's **output key**, once every page is read: its title, its place in the navigation (previous,
  next, ancestors) and the whole navigation's titles and URLs.

Entries are JSON (never pickle: a cache restored from CI must not execute code) in ``pages.json``,
written atomically; the HTML files are content-addressed (``pages/<output key>.html``) and linked
(hard link, or a copy on another file system) into the new site. A missing, corrupt, foreign-format or
modified entry is a miss, never an error: a modified file is detected by its size and mtime.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sysconfig
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from generator.pipeline.cachefiles import digest, read_json, tree_digest, write_atomic

FORMAT = 2  # 2: an entry's render and script hashes as strings
BUILD_CACHE = Path("cache") / "build"
STATS = "stats.json"
_REPO = Path(__file__).resolve().parent.parent.parent


@functools.cache
def code_version() -> str:
    """Our code: the generator's and the theme's files (a changed template or module empties the cache)."""
    return digest(tree_digest(_REPO / "generator"), tree_digest(_REPO / "theme"))


@functools.cache
def environment_versions() -> str:
    """Every installed distribution and its version (engines, Material, Markdown extensions, plugins)."""
    names = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    return "\n".join(names)


def config_digest(config_file: Path) -> str:
    """``mkdocs.yml``, the files it inherits from, and the values of the environment variables they read."""
    parts: list[str] = []
    seen: set[Path] = set()
    path: Path | None = config_file.resolve()
    while path is not None and path not in seen and path.is_file():
        seen.add(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        parts += [str(path), text]
        for names in re.findall(r"!ENV\s*\[?([A-Za-z0-9_, ]+)", text):
            for name in names.split(","):
                parts.append(f"{name.strip()}={os.environ.get(name.strip())}")
        match = re.search(r"^INHERIT:\s*['\"]?([^'\"\n#]+?)['\"]?\s*$", text, re.MULTILINE)
        path = (path.parent / match.group(1)).resolve() if match else None
    return digest(*parts)


def _installed(folder: Path) -> bool:
    """A folder inside an installed package: its distribution's version stands for its files."""
    roots = {Path(sysconfig.get_paths()[k]).resolve() for k in ("purelib", "platlib")}
    return any(folder.resolve().is_relative_to(r) for r in roots)


def theme_digest(dirs: Iterable[str]) -> str:
    return digest(*(f"{d}\0{'installed' if _installed(Path(d)) else tree_digest(Path(d))}" for d in dirs))


def global_key(config_file: Path, theme_dirs: Iterable[str], *, engine: str, today: str, extra: str = "") -> str:
    return digest(str(FORMAT), code_version(), environment_versions(), config_digest(config_file),
                  theme_digest(theme_dirs), engine, today, extra)


def render_key(global_: str, src_uri: str, dest_uri: str, url: str, markdown: str, meta: dict[str, Any]) -> str:
    return digest(global_, src_uri, dest_uri, url, markdown, json.dumps(meta, sort_keys=True, default=repr))


def link_or_copy(src: Path, dest: Path) -> None:
    """``dest`` becomes a hard link to ``src``; a copy where links are not possible (another file system)."""
    try:
        os.link(src, dest)
    except FileExistsError:
        dest.unlink()
        link_or_copy(src, dest)
    except OSError:
        shutil.copyfile(src, dest)


class PageStore:
    """``pages.json`` (one entry per page source) and the content-addressed HTML files under ``pages/``."""

    def __init__(self, folder: Path, key: str, *, read: bool = True) -> None:
        self.folder = folder
        self.key = key
        doc = read_json(folder / "pages.json") if read else None
        ok = isinstance(doc, dict) and doc.get("format") == FORMAT and doc.get("global") == key
        pages = doc.get("pages") if ok and isinstance(doc, dict) else None
        self.old: dict[str, dict[str, Any]] = pages if isinstance(pages, dict) else {}
        self.new: dict[str, dict[str, Any]] = {}

    def entry(self, src: str, render: str) -> dict[str, Any] | None:
        """The stored entry of ``src`` when its render key is ``render``."""
        entry = self.old.get(src)
        if isinstance(entry, dict) and entry.get("render") == render:
            return entry
        return None

    def output(self, entry: dict[str, Any], output_key: str) -> Path | None:
        """The stored HTML file of ``entry`` if its output key is ``output_key`` and the file is unmodified."""
        if entry.get("output") != output_key:
            return None
        path = self.folder / "pages" / f"{output_key}.html"
        try:
            st = path.stat()
        except OSError:
            return None
        return path if [st.st_size, st.st_mtime_ns] == entry.get("stat") else None

    def keep(self, src: str, entry: dict[str, Any]) -> None:
        self.new[src] = entry

    def store(self, src: str, entry: dict[str, Any], built: Path) -> None:
        """Record ``entry`` for ``src`` with the just-built HTML file ``built`` (linked, or copied)."""
        target = self.folder / "pages" / f"{entry['output']}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        link_or_copy(built, tmp)
        os.replace(tmp, target)
        st = target.stat()
        sha = hashlib.sha256(target.read_bytes()).hexdigest()
        self.new[src] = {**entry, "stat": [st.st_size, st.st_mtime_ns], "sha256": sha}

    def _chunks(self) -> Iterator[bytes]:
        """``pages.json``, one entry at a time: the whole document is never one string (≈ 60 MB less peak
        memory at 10,000 pages)."""
        yield json.dumps({"format": FORMAT, "global": self.key}, separators=(",", ":"))[:-1].encode("utf-8")
        yield b',"pages":{'
        for i, (src, entry) in enumerate(self.new.items()):
            yield (("," if i else "") + json.dumps(src) + ":" + json.dumps(entry, separators=(",", ":"))).encode()
        yield b"}}"

    def save(self) -> None:
        """Write the new ``pages.json`` and remove the HTML files no entry names any more."""
        if self.new == self.old and (self.folder / "pages.json").is_file():
            return  # nothing changed: the index and the files are the ones stored
        write_atomic(self.folder / "pages.json", self._chunks())
        wanted = {f"{e['output']}.html" for e in self.new.values()}
        folder = self.folder / "pages"
        if folder.is_dir():
            for name in os.listdir(folder):
                if name not in wanted:
                    (folder / name).unlink(missing_ok=True)
