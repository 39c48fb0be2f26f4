"""Where things live in the built site: page sources, URLs, and the names of the files the build
writes (manifest, search indexes). Pure: no I/O. Render, search, the service and the engine share
these, so a URL or a file name is spelt once."""

from __future__ import annotations

import posixpath
from typing import Final

from generator.model.article import Article

MANIFEST: Final = "kb-manifest.json"
"""The site manifest (ids, versions, URLs, CSP hashes) the service and the report read."""
STATIC_DIR: Final = "search"
"""The static search index, inside the site."""
SERVER_DIR: Final = "search/server"
"""The whoosh server index, inside the private data folder."""

PROTOCOLS_SECTION: Final = "protocolos"
SATISFACTION_SRC: Final = "satisfaccion/index.md"
INDEX_PAGES: Final = {
    "protocols": f"{PROTOCOLS_SECTION}/index.md",
    "areas": "areas/index.md",
    "tags": "etiquetas/index.md",
    "audiences": "audiencias/index.md",
}


HOME_LANGS: Final = ("es", "en")
"""Each language has a home: the site's language at the root, the others at ``<lang>/`` (docs/authoring.md)."""


def home_src(lang: str, site_lang: str) -> str:
    """The home of a language: ``index.md`` for the site's language, ``<lang>/index.md`` (``/en/``) otherwise."""
    return "index.md" if lang == site_lang else f"{lang}/index.md"


def article_src(article: Article) -> str:
    """The page source of an article, ``<area>/<id>.md``."""
    return f"{article.area}/{article.id}.md"


def protocol_src(protocol_id: str) -> str:
    return f"{PROTOCOLS_SECTION}/{protocol_id}.md"


def area_src(area: str) -> str:
    return f"{area}/index.md"


def page_path(src: str, *, directory_urls: bool = True) -> str:
    """The URL path the engine writes for a page source, relative to the site root, e.g. ``red/dns/``."""
    stem = src[:-3] if src.endswith(".md") else src
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    return stem[: -len("/index")] + "/" if stem.endswith("/index") else stem + "/"


def page_url(src: str, *, directory_urls: bool = True) -> str:
    """The absolute URL path of a page source, e.g. ``/red/dns/``."""
    return "/" + page_path(src, directory_urls=directory_urls)


def relative_url(from_src: str, to_src: str, *, directory_urls: bool = True) -> str:
    """Link from one page to another as it works in the built site (``../../red/dns/``)."""
    here = page_path(from_src, directory_urls=directory_urls)
    there = page_path(to_src, directory_urls=directory_urls)
    base = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
    target = there.rstrip("/") or "."
    out = posixpath.relpath(target, base.rstrip("/") or ".")
    return out + "/" if there.endswith("/") or not there else out
