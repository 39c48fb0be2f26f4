"""The build cache's shortcut for a site already up to date (docs/operations.md#build-cache).

After a build with the MkDocs engine that logged no warning, ``site.json`` in the build cache records
the **input digest** of that build and a **stat manifest** of the site it swapped in (every folder,
and every file's size, modification time and inode). The next ``kb build`` skips the engine
when both still hold: its input digest is the same, and the site on disk is exactly the recorded one
(no file added, removed or rewritten; the server search index's key unchanged). The content is still
validated first, with no diagnostic allowed, so a shortcut build prints and fails exactly as the full
build would (which printed nothing either); the site is not swapped because it is the one a full
build would write again, byte for byte.

The input digest (:func:`input_digest`) is the page cache's global key (our code, the installed
packages, ``mkdocs.yml`` with its ``INHERIT`` files and ``!ENV`` variables, the theme folders,
``KB_TODAY``), the bytes of every file under the docs and protocols folders and of the synonym files,
the engine, ``--strict``, the target folder, and the build date MkDocs writes into ``sitemap.xml``
(``SOURCE_DATE_EPOCH``, else today's UTC date). Any difference: a normal (cached) build.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator.layout import SERVER_DIR
from generator.mkdocs.cache import BUILD_CACHE, STATS, global_key
from generator.pipeline.cachefiles import digest, read_json, tree_digest, write_atomic
from generator.pipeline.options import data_folder

log = logging.getLogger("mkdocs.plugins.kb")

SITE = "site.json"
FORMAT = 1


def input_digest(config: Any, config_file: Path, target: Path, *, engine: str, strict: bool,
                 synonyms: list[Path], protocols: Path) -> str:
    from generator.pipeline.today import today

    date = os.environ.get("SOURCE_DATE_EPOCH") or datetime.now(UTC).strftime("%Y-%m-%d")
    return digest(global_key(config_file, config.theme.dirs, engine=engine, today=today().isoformat()),
                  tree_digest(Path(config.docs_dir)), tree_digest(protocols),
                  *(f"{p}\0{p.read_bytes().hex() if p.is_file() else '-'}" for p in synonyms),
                  str(target), str(strict), f"date={date}")


def site_manifest(site: Path, *, deep: bool = True) -> list[Any] | None:
    """Every folder and file under ``site`` (relative path, and for a file its size, modification time in
    ns and inode; ``deep`` False: not below its first level), in a stable order; None when ``site`` is not
    a readable folder."""
    out: list[Any] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    out.append([rel + "/"])
                    if deep:
                        walk(entry.path, rel + "/")
                else:
                    st = entry.stat(follow_symlinks=False)
                    out.append([rel, st.st_size, st.st_mtime_ns, st.st_ino])

    try:
        walk(str(site), "")
    except OSError:
        return None
    return out


def _search(cache: Path, server: Path) -> list[Any]:
    """The build cache's own files (its indexes and blob, the search outputs; the stored pages are the
    site's files) and the server index in the data folder, as manifests like the site's: a cache changed
    since (restored, corrupted) is read by a normal build."""
    own = [e for e in site_manifest(cache, deep=False) or [] if len(e) == 4 and e[0] not in (SITE, STATS)]
    return [own, site_manifest(cache / "search"), site_manifest(server) if server.is_dir() else None]


def record(cache: Path, inputs: str, site: Path, server: Path, pages: int) -> None:
    """After a build without warnings: what it read and what it swapped in."""
    manifest = site_manifest(site)
    if manifest is not None:
        doc = {"format": FORMAT, "inputs": inputs, "search": _search(cache, server), "pages": pages,
               "site": manifest}
        write_atomic(cache / SITE, json.dumps(doc, separators=(",", ":")).encode("utf-8"))


def forget(cache: Path) -> None:
    """Before a build: its site will not be the recorded one (a failed build leaves no stale record)."""
    (cache / SITE).unlink(missing_ok=True)


def up_to_date(cache: Path, inputs: str, site: Path, server: Path) -> int | None:
    """The number of pages of the recorded site if ``site`` is exactly it and ``inputs`` its input digest;
    None otherwise."""
    doc = read_json(cache / SITE)
    if not (isinstance(doc, dict) and doc.get("format") == FORMAT and doc.get("inputs") == inputs):
        return None
    if doc.get("search") != _search(cache, server) or not isinstance(doc.get("pages"), int):
        return None
    manifest = site_manifest(site)
    return int(doc["pages"]) if manifest is not None and manifest == doc.get("site") else None


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class Shortcut:
    """The shortcut for one ``kb build`` (MkDocs engine, cache on): :meth:`holds` before the build,
    :meth:`recording` around it."""

    def __init__(self, cache: Path, inputs: str, target: Path, server: Path) -> None:
        self.cache, self.inputs, self.target, self.server = cache, inputs, target, server

    @classmethod
    def of(cls, config: Any, config_file: Path, target: Path, *, strict: bool) -> Shortcut | None:
        """None when the build cache is off (plugin option ``build_cache``, ``KB_BUILD_CACHE=0``)."""
        plugin = config.plugins.get("kb")
        if plugin is None or not plugin.config.build_cache or os.environ.get("KB_BUILD_CACHE", "1") == "0":
            return None
        root = config_file.resolve().parent
        data = data_folder(root, plugin.config.data_dir)
        inputs = input_digest(config, config_file, target, engine="mkdocs", strict=strict,
                              synonyms=[root / p for p in plugin.config.search_synonyms],
                              protocols=root / plugin.config.protocols_dir)
        return cls(data / BUILD_CACHE, inputs, target, data / SERVER_DIR)

    def holds(self) -> bool:
        """True (and ``stats.json`` says so) when the site is the one the last build recorded for these inputs."""
        pages = up_to_date(self.cache, self.inputs, self.target, self.server)
        if pages is None:
            return False
        stats = {"pages": pages, "reused": pages, "rendered": [], "workers": 0, "up_to_date": True}
        write_atomic(self.cache / STATS, json.dumps(stats, indent=1).encode("utf-8"))
        log.info("kb: nothing changed since the last build; %s is up to date", self.target)
        return True

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """Around a full build: recorded when it succeeds without a warning."""
        forget(self.cache)
        counter = _Count()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(counter)
        try:
            yield
        finally:
            logger.removeHandler(counter)
        stats = read_json(self.cache / STATS)
        if counter.count == 0 and isinstance(stats, dict) and isinstance(stats.get("pages"), int):
            record(self.cache, self.inputs, self.target, self.server, stats["pages"])
