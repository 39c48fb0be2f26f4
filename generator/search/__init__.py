"""Search: analyzers, the static index, the whoosh server index, related content, evaluation.

The rest of the project uses these names only:

* ``SearchBuild.prepare(catalog)`` then ``.related()``, ``.write_static(site)``, ``.write_server(site)``
  (the MkDocs plugin, at build time);
* ``open_server_index(site)`` -> an ``Engine`` (``kb serve``'s ``GET /api/search``, ``kb search``);
* ``StaticIndex(site / "search")`` -> an ``Engine`` that ranks like the browser (``kb search-eval``);
* ``SearchResult.as_json()``: the JSON of the API and of ``kb search --json``.

whoosh is imported by ``generator/search/server.py`` only. Docs: ``docs/search.md``.
"""

from __future__ import annotations

from pathlib import Path

from generator.search.results import Engine, Hit, SearchResult
from generator.search.server import SERVER_DIR, ServerIndex
from generator.search.static import STATIC_DIR, StaticIndex


def open_server_index(site: Path) -> ServerIndex:
    """The server index written by ``kb build`` into a site folder (FileNotFoundError if none)."""
    return ServerIndex(site / SERVER_DIR)


__all__ = ["SERVER_DIR", "STATIC_DIR", "Engine", "Hit", "SearchResult", "ServerIndex", "StaticIndex",
           "open_server_index"]
