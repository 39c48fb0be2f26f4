"""Build into a temporary folder, then swap it in.

A failed or killed build leaves the previous site untouched: the new site is written to
``.site-tmp-<pid>-<random>`` next to the target and swapped in only when complete. On Linux the
swap is one atomic ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames.

The previous site is then removed by a detached process (:func:`remove_later`), not by the build:
deleting 20,000 files and folders waits on the file system's journal for seconds while using almost
no CPU, and nothing the build returns depends on it. The old tree is renamed
``.site-old-<remover's pid>-<random>`` first; one whose remover is gone (killed, or the machine
restarted) is handed to a new remover by the next build.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import os
import shutil
import subprocess
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
    """Make ``new`` the content of ``target``; the old content is removed afterwards, in the background."""
    if target.exists():
        if _exchange(new, target):
            remove_later(new)
            return
        old = new.with_name(f".site-swap-{os.getpid()}-{new.name.rsplit('-', 1)[-1]}")
        os.replace(target, old)
        os.replace(new, target)
        remove_later(old)
    else:
        os.replace(new, target)


_removers: list[subprocess.Popen[str]] = []  # started by this process; reaped when done (no zombies)


# The remover: reads the folder's name from stdin once it is renamed after the remover's pid.
_REMOVER = "import shutil,sys\np=sys.stdin.readline().rstrip('\\n')\nif p: shutil.rmtree(p, ignore_errors=True)"


def remove_later(folder: Path) -> None:
    """Remove ``folder`` in a detached process: renamed ``.site-old-<its pid>-<random>`` first, so a
    later build knows whether its remover still runs. Removed here if no process can be started."""
    _removers[:] = [p for p in _removers if p.poll() is None]
    try:
        proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _REMOVER], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                                text=True)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    _removers.append(proc)
    assert proc.stdin is not None
    old = folder.with_name(f".site-old-{proc.pid}-{folder.name.rsplit('-', 1)[-1]}")
    try:
        os.replace(folder, old)
        proc.stdin.write(f"{old}\n")
        proc.stdin.flush()
    except OSError:  # not renamed: removed here; the remover gone: the next build hands it on
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        with contextlib.suppress(OSError):
            proc.stdin.close()


@atexit.register
def _outlive() -> None:
    """At exit, the removers still running outlive this process on purpose (no ResourceWarning)."""
    for proc in _removers:
        if proc.poll() is None:
            proc.returncode = 0
    _removers.clear()


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
    """Remove temporary folders left by builds that were killed, and hand old sites whose remover is
    gone to a new one."""
    for stale in [*parent.glob(".site-tmp-*"), *parent.glob(".site-old-*"), *parent.glob(".site-swap-*")]:
        try:
            pid = int(stale.name.split("-")[2])
        except (IndexError, ValueError):
            continue
        if pid == os.getpid() or _alive(pid):
            continue
        if stale.name.startswith(".site-tmp-"):
            shutil.rmtree(stale, ignore_errors=True)
        else:
            remove_later(stale)


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
