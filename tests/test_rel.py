"""`rel()` (generator/render/pages.py) gives the links posixpath.relpath gives, without the file system."""

from __future__ import annotations

import itertools
import posixpath

from generator.render.pages import rel


def test_rel_matches_relpath_on_every_small_case() -> None:
    dirs = ["", "a/", "b/", "a/b/", "a/c/", "b/a/", "red/", "a/b/c/"]
    files = ["x.md", "index.md", "c.md", "b.md"]
    pages = [d + f for d, f in itertools.product(dirs, files)]
    for src, dst in itertools.product(pages, pages):
        assert rel(src, dst) == posixpath.relpath(dst, posixpath.dirname(src) or "."), (src, dst)
