"""The engine adapter: the only package that imports MkDocs (or Material). The rest of the generator
calls this small interface:

* :func:`build_site` — validate, then build with ``engine`` "mkdocs" (in process) or "properdocs"
  (a subprocess), into a temporary folder swapped in atomically;
* :data:`ENGINES` — the engines ``kb build --engine`` offers;
* :class:`LiveSite` — a full MkDocs build that keeps its state, and the page pipeline for single
  pages (the live preview);
* the kb plugin itself (``generator.mkdocs.plugin:KbPlugin``, entry point ``mkdocs.plugins: kb``),
  which ProperDocs loads from the same entry point.
"""

from __future__ import annotations

from generator.mkdocs.build import ENGINES, build_site
from generator.mkdocs.live import LiveSite

__all__ = ["ENGINES", "LiveSite", "build_site"]
