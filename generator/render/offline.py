"""The service worker of a built site: ``sw.js`` at its root, from ``theme/assets/kb/sw.js``.

Its cache is versioned by the build id, a content hash of the built site: the same content gives the
same id (files whose bytes vary between identical builds are left out: the server index, whose segment
names are random, gzip files, which carry a time, and the sitemap's build date), and a new build gives a
new cache that replaces the old one whole. It precaches the assets only (Material's and ours, fonts and
images), never the live preview's script.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

SW = "sw.js"
_SKIP_PREFIXES = ("search/server/",)
_SKIP_NAMES = frozenset({SW, "sitemap.xml", "sitemap.xml.gz", "assets/kb/sw.js", "assets/kb/preview.js"})


def _files(site: Path) -> list[str]:
    out: list[str] = []

    def walk(folder: str, prefix: str) -> None:  # os.scandir: no stat a file beyond its directory entry
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, rel + "/")
                elif entry.is_file() and rel not in _SKIP_NAMES and not rel.startswith(_SKIP_PREFIXES) \
                        and not rel.endswith(".gz"):
                    out.append(rel)

    walk(str(site), "")
    return sorted(out)


def build_id(site: Path, files: list[str] | None = None, known: Mapping[str, str] | None = None) -> str:
    """A content hash of the built site (16 hex digits). ``known``: the SHA-256 (hex) of some files,
    known already (the build cache's reused pages), so they are not read again."""
    digest = hashlib.sha256()
    for rel in files if files is not None else _files(site):
        digest.update(rel.encode("utf-8") + b"\0")
        sha = (known or {}).get(rel)
        digest.update(bytes.fromhex(sha) if sha else hashlib.sha256((site / rel).read_bytes()).digest())
    return digest.hexdigest()[:16]


def service_worker(template: str, site: Path, known: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The text of ``sw.js`` for the site in ``site``, and the build id."""
    files = _files(site)
    assets = [f for f in files if f.startswith("assets/") and not f.endswith((".map", ".LICENSE"))]
    ident = build_id(site, files, known)
    return template.replace('"__KB_BUILD__"', json.dumps(ident)).replace(
        "__KB_ASSETS__", json.dumps(assets, separators=(",", ":"))), ident


def write_service_worker(template: Path, site: Path, known: Mapping[str, str] | None = None) -> str:
    """Write ``site/sw.js``; returns the build id."""
    text, ident = service_worker(template.read_text(encoding="utf-8"), site, known)
    (site / SW).write_text(text, encoding="utf-8")
    return ident
