"""Build into a temporary folder, then swap it in.

A failed or killed build leaves the previous site untouched: the new site is written to
``.site-tmp-<pid>-<random>`` next to the target and swapped in only when complete. On Linux the
swap is one atomic ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths (Linux renameat2); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    res = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(res == 0)


def swap_in(new: Path, target: Path) -> None:
    """Make ``new`` the content of ``target``; the old content is removed afterwards."""
    if target.exists():
        if _exchange(new, target):
            shutil.rmtree(new, ignore_errors=True)
            return
        old = target.with_name(f".site-old-{os.getpid()}")
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)


def temporary_site(target: Path) -> Path:
    """A new private folder next to ``target`` to build into (stale ones of killed builds removed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale(target.parent)
    return Path(tempfile.mkdtemp(prefix=f".site-tmp-{os.getpid()}-", dir=target.parent))


def publish(tmp: Path, target: Path) -> None:
    """Swap the finished ``tmp`` in as ``target``, readable by the web server."""
    # mkdtemp makes the folder private (0700); a site must be readable by the web server.
    tmp.chmod(0o777 & ~_umask())
    swap_in(tmp, target)


def _clean_stale(parent: Path) -> None:
    """Remove temporary folders left by builds that were killed."""
    for stale in parent.glob(".site-tmp-*"):
        try:
            pid = int(stale.name.split("-")[2])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
