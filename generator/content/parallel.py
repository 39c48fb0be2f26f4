"""Ordered work across the machine's cores, in forked processes.

``fork_chunks(work, items)`` cuts ``items`` into one contiguous chunk per core, runs
``work(chunk)`` on the first chunk in this process and on the others in forked children,
and returns the results in chunk order: the caller concatenates them and gets exactly what
``[work(items)]`` would give. Children inherit everything (no pickling on the way in); only
their results travel back, pickled through a pipe.

Sequential (one chunk, no fork) when the work is small, when ``KB_JOBS=1``, where fork is
not available, or when this process runs other threads (forking a threaded process can
copy a lock held by another thread: a live preview or a server validates in-process).

``share_work(work, items)`` gives the same result, but balances the work as it goes: ``items``
are cut into contiguous batches, large ones first and small ones last, and this process and its
children each take the next batch as soon as they are free (a shared pipe holds one token per
batch). Cost per item may vary (protocols cost more than articles, other processes may slow one
core): nobody waits for long at the end.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
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
    return hasattr(os, "fork") and threading.active_count() == 1


def in_background(task: Callable[[], object]) -> Callable[[], None]:
    """``task`` run in a forked child while this process goes on; the returned function waits for
    it to end. Its failure is its own (it has nothing to return). Where this process cannot fork
    (see :func:`jobs`), ``task`` runs right away."""
    if not _can_fork():
        task()
        return lambda: None
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: the task, then leave without running the parent's exit handlers
        code = 1
        try:
            task()
            code = 0
        finally:
            os._exit(code)
    return lambda: _wait_quietly(pid)


def _wait_quietly(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


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
    ``own_share``: the size of this process's chunk relative to each child's.

    Children are made with ``os.fork`` itself, not multiprocessing: a build validates in a
    daemonic multiprocessing child, which multiprocessing does not let have children."""
    n = jobs(len(items), min_per_job)
    if n == 1:
        return [work(items)]
    chunks = split(items, n, own_share)
    sys.stdout.flush()  # a child leaves with os._exit: nothing buffered here is written twice
    sys.stderr.flush()
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    reaped: set[int] = set()
    try:
        for chunk in chunks[1:]:
            children.append(_spawn(work, chunk))
        results = [work(chunks[0])]
        for pid, fd in children:
            results.append(_receive(pid, fd))
            reaped.add(pid)
    finally:
        _reap(children, reaped)  # this process failed first: its children's work is not wanted
    return results


def _spawn(work: Callable[[Sequence[T]], R], chunk: Sequence[T]) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, write, leave without running the parent's exit handlers
        code = 0
        try:
            os.close(read_fd)
            try:
                message: tuple[str, Any] = ("ok", work(chunk))
            except BaseException as exc:  # the parent raises it, with its message
                message = ("error", f"{type(exc).__name__}: {exc}")
            with os.fdopen(write_fd, "wb") as out:
                pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def _receive(pid: int, fd: int) -> Any:
    """The result of the child ``pid`` from the read end ``fd`` of its pipe; waits for it to end."""
    with os.fdopen(os.dup(fd), "rb") as conn:
        data = conn.read()
    _, status = os.waitpid(pid, 0)
    try:
        outcome, value = pickle.loads(data)
    except Exception:
        raise RuntimeError("a worker process ended without a result "
                           f"(exit code {os.waitstatus_to_exitcode(status)})") from None
    if outcome != "ok":
        raise RuntimeError(f"a worker process failed: {value}")
    return value


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def batches(n_items: int, n_jobs: int, smallest: int = 16) -> list[tuple[int, int]]:
    """(start, end) of contiguous batches over ``n_items``: each a share of what remains (large
    first, small last, so the last one taken is short), at least ``smallest`` items; at most 255."""
    out: list[tuple[int, int]] = []
    start = 0
    while start < n_items:
        size = max(smallest, (n_items - start) // (2 * n_jobs), (n_items + 254) // 255)
        out.append((start, min(n_items, start + size)))
        start += size
    return out


def share_work(work: Callable[[Sequence[T]], R], items: Sequence[T], *,
               min_per_job: int = MIN_PER_JOB) -> list[R]:
    """``work`` over contiguous batches of ``items`` (:func:`batches`), results in batch order, the
    batches taken in turn by this process and one forked child per other core."""
    n = jobs(len(items), min_per_job)
    if n == 1:
        return [work(items)]
    spans = batches(len(items), n)
    tokens, feed = os.pipe()
    os.write(feed, bytes(range(len(spans))))  # one byte per batch, in order; far below a pipe's capacity
    os.close(feed)  # all written: a read on the empty pipe ends (EOF) instead of waiting

    def take() -> dict[int, R]:
        done: dict[int, R] = {}
        while (token := os.read(tokens, 1)):
            start, end = spans[token[0]]
            done[token[0]] = work(items[start:end])
        return done

    sys.stdout.flush()
    sys.stderr.flush()
    children: list[tuple[int, int]] = []
    reaped: set[int] = set()
    results: dict[int, R] = {}
    try:
        for _ in range(n - 1):
            children.append(_spawn(lambda _: take(), items[:0]))
        results.update(take())
        for pid, fd in children:
            results.update(_receive(pid, fd))
            reaped.add(pid)
    finally:
        _close(tokens)
        _reap(children, reaped)
    return [results[i] for i in range(len(spans))]


def _reap(children: list[tuple[int, int]], reaped: set[int]) -> None:
    """Close the pipes of ``children``; those not ``reaped`` yet (this process failed first) are killed."""
    for pid, fd in children:
        _close(fd)
        if pid not in reaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
