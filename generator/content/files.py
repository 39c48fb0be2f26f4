"""The one file walk over the content repository: nothing outside it is ever read.

A symbolic link whose target stays inside the repository is followed (a folder link too, once);
a link whose target leaves it — ``/proc/self/environ``, ``/etc/passwd``, a folder elsewhere — is
never read and becomes an error that names the link. Every reader of content files (the
read stage, the live preview, the MkDocs adapter's check of its own file list) goes through
:func:`walk` or :func:`inside`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import Diagnostic


@dataclass
class Walk:
    files: list[str] = field(default_factory=list)  # posix paths relative to the root, sorted
    problems: list[Diagnostic] = field(default_factory=list)


def link_problem(rel: str, target: str) -> Diagnostic:
    return Diagnostic(rel, 1, 1, "file", "expected a file inside the repository, found a symbolic link to "
                      f"{target}, outside it: it is never read or published")


def inside(root: Path, rel: str) -> Diagnostic | None:
    """None when ``root/rel`` (links resolved) stays inside ``root``; otherwise the problem naming ``rel``."""
    base = root.resolve()
    path = root / rel
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a link loop
        return link_problem(rel, "itself (a loop)")
    if target.is_relative_to(base):
        return None
    return link_problem(rel, _shown(path, target))


def _shown(path: Path, target: Path) -> str:
    try:
        return os.readlink(path) if path.is_symlink() else str(target)
    except OSError:
        return str(target)


def walk(root: Path, top: str) -> Walk:
    """Every regular file under ``root/top`` (hidden names included), links inside followed once."""
    out = Walk()
    base = root.resolve()
    start = root / top
    if not start.is_dir():
        return out
    problem = inside(root, top)
    if problem is not None:
        out.problems.append(problem)
        return out
    seen: set[Path] = set()
    pending = [top]
    while pending:
        rel_dir = pending.pop()
        real = (root / rel_dir).resolve()
        if real in seen:
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(root / rel_dir), key=lambda e: e.name)
        except OSError:
            continue
        real_inside = real.is_relative_to(base)
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}"
            if entry.is_symlink():
                problem = inside(root, rel)
                if problem is not None:
                    out.problems.append(problem)
                    continue
                full = Path(entry.path)
                if full.is_dir():
                    pending.append(rel)
                elif full.is_file() and full.resolve().is_relative_to(base):
                    out.files.append(rel)
            # Not a link: inside the repository, as its folder (resolved above) is.
            elif entry.is_dir(follow_symlinks=False):
                pending.append(rel)
            elif entry.is_file(follow_symlinks=False) and real_inside:
                out.files.append(rel)
    out.files.sort()
    return out
