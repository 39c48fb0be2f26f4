"""What the caches share (generator/pipeline/vcache.py, generator/mkdocs/cache.py, the search caches): the
digests they are keyed on, their files read back (missing or unreadable: a miss, never an error), and
their files written atomically (a temporary file in the same folder, then ``os.replace``: a reader finds
the old file or the new one, never half of one)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def read_json(path: Path) -> Any:
    """The JSON document at ``path``; None when it is missing or unreadable (a cache miss)."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or chunks written as they come) to ``path``, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in [data] if isinstance(data, bytes) else data:
                out.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def digest(*parts: str | bytes) -> str:
    """One SHA-256 of ``parts``, each length-prefixed (no two sequences of parts hash alike)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


_trees: dict[str, str] | None = None  # inside trees_read_once(): each folder's digest, computed once


@contextlib.contextmanager
def trees_read_once() -> Iterator[None]:
    """Within this block each folder's :func:`tree_digest` is computed once (a build keys both its
    up-to-date check and its search cache on the content folders: one read of 10,000 files, not two)."""
    global _trees
    outer = _trees
    _trees = {} if outer is None else outer
    try:
        yield
    finally:
        _trees = outer


def tree_digest(folder: Path) -> str:
    """Every file of ``folder`` (relative path and bytes; Python's byte-code caches left out); an absent
    folder hashes as empty."""
    if _trees is not None:
        key = os.path.abspath(folder)
        if key not in _trees:
            _trees[key] = _tree_digest(folder)
        return _trees[key]
    return _tree_digest(folder)


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()
