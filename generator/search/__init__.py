"""Search: analyzers, the static index, the whoosh server index, related content, evaluation.

The rest of the project uses these names only:

* ``SearchBuild.prepare(catalog)`` then ``.related()``, ``.write_static(site)``, ``.write_server(data)``
  (the MkDocs plugin, at build time; ``data`` is the private data folder, never the site);
* ``open_server_index(data)`` -> an ``Engine`` (``kb serve``'s ``GET /api/search``, ``kb search``);
* ``StaticIndex(site / "search")`` -> an ``Engine`` that ranks like the browser (``kb search-eval``);
* ``SearchResult.as_json()``: the JSON of the API and of ``kb search --json``.

whoosh is imported by ``generator/search/server.py`` only. Docs: ``docs/search.md``.
"""

from __future__ import annotations

from pathlib import Path

from generator.layout import SERVER_DIR, STATIC_DIR
from generator.search.results import Engine, Hit, SearchResult
from generator.search.server import ServerIndex
from generator.search.static import StaticIndex


def open_server_index(data: Path) -> ServerIndex:
    """The server index written by ``kb build`` into the private data folder (FileNotFoundError if none)."""
    return ServerIndex(data / SERVER_DIR)


__all__ = ["SERVER_DIR", "STATIC_DIR", "Engine", "Hit", "SearchResult", "ServerIndex", "StaticIndex",
           "open_server_index"]
