"""Ordered work across the machine's cores, in forked processes.

``fork_chunks(work, items)`` cuts ``items`` into one contiguous chunk per core, runs
``work(chunk)`` on the first chunk in this process and on the others in forked children,
and returns the results in chunk order: the caller concatenates them and gets exactly what
``[work(items)]`` would give. Children inherit everything (no pickling on the way in); only
their results travel back, pickled through a pipe.

Sequential (one chunk, no fork) when the work is small, when ``KB_JOBS=1``, where fork is
not available, or when this process runs other threads (forking a threaded process can
copy a lock held by another thread: a live preview or a server validates in-process).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

JOBS_ENV = "KB_JOBS"
MIN_PER_JOB = 200  # below this many items per process, forking costs more than it saves


def jobs(n_items: int, min_per_job: int = MIN_PER_JOB) -> int:
    """How many processes to use for ``n_items`` items (1: this process only)."""
    wanted = os.environ.get(JOBS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        cores = int(wanted)
    else:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    n = min(cores, n_items // max(1, min_per_job))
    return n if n > 1 and _can_fork() else 1


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def split(items: Sequence[T], n: int, own_share: float = 1.0) -> list[Sequence[T]]:
    """``items`` in ``n`` contiguous chunks; the first is ``own_share`` times the size of the others
    (this process also joins the results: it may take less), the rest nearly equal."""
    first = round(len(items) * own_share / (own_share + n - 1)) if n > 1 else len(items)
    out: list[Sequence[T]] = [items[:first]]
    size, extra = divmod(len(items) - first, n - 1) if n > 1 else (0, 0)
    start = first
    for i in range(n - 1):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def fork_chunks(work: Callable[[Sequence[T]], R], items: Sequence[T], *,
                min_per_job: int = MIN_PER_JOB, own_share: float = 1.0) -> list[R]:
    """``work`` over contiguous chunks of ``items``, one per core, results in chunk order.
    ``own_share``: the size of this process's chunk relative to each child's."""
    n = jobs(len(items), min_per_job)
    if n == 1:
        return [work(items)]
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    chunks = split(items, n, own_share)
    children = []
    for chunk in chunks[1:]:
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(work, chunk, send), daemon=True)
        proc.start()
        send.close()
        children.append((proc, receive))
    try:
        results = [work(chunks[0])]
        for proc, receive in children:
            results.append(_receive(proc, receive))
    finally:
        for proc, receive in children:
            receive.close()
            if proc.is_alive():
                proc.kill()
            proc.join()
    return results


def _receive(proc: Any, receive: Any) -> Any:
    try:
        status, value = receive.recv()
    except EOFError:
        proc.join()
        raise RuntimeError(f"a worker process ended without a result (exit code {proc.exitcode})") from None
    if status != "ok":
        raise RuntimeError(f"a worker process failed: {value}")
    return value


def _child(work: Callable[[Sequence[T]], R], chunk: Sequence[T], conn: Any) -> None:
    try:
        result = work(chunk)
    except BaseException as exc:  # the parent raises it, with its message
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(("ok", result))
    finally:
        conn.close()
