"""Subprocess work started as soon as the session's tests are collected, while other tests run.

A test whose work is one long chain of subprocesses (a whole `pytest -m unit`, the pull-request
workflow's steps) declares that chain here as a job. When such a test is among the collected
tests, ``tests/conftest.py`` starts its job in a background thread right after collection; the
test itself waits for the job's outcome and makes its assertions on it, as if it had run the
chain itself. The main session is one process, mostly on one core (it waits on `kb build`,
Chromium and servers), so on a 2-core machine the job runs beside it instead of adding to it.

One job at a time (a single worker), so the background never takes more than one core. A job a
test asks for before it has started is taken off the queue and run in the test, as before.
Nothing is skipped or weakened: the same commands, the same checks, only started earlier.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_procs: set[subprocess.Popen[str]] = set()
_folders: list[str] = []
_pool: ThreadPoolExecutor | None = None


class Job(Generic[T]):
    """``fn``, run once for the tests named ``tests`` (function names in module ``module``)."""

    def __init__(self, fn: Callable[[], T], module: str, tests: Iterable[str]) -> None:
        self.fn = fn
        self.keys = {(module, name) for name in tests}
        self.future: Future[T] | None = None
        JOBS.append(self)

    def start(self, pool: ThreadPoolExecutor) -> None:
        with _lock:
            if self.future is None:
                self.future = pool.submit(self.fn)

    def result(self) -> T:
        """The job's outcome (its exception re-raised here); runs it now if it has not started."""
        with _lock:
            future = self.future
            if future is None or future.cancel():  # not started (not collected early, or still queued)
                self.future = None
                future = None
        if future is None:
            return self.fn()
        return future.result()


JOBS: list[Job[Any]] = []


def job(module: str, *tests: str) -> Callable[[Callable[[], T]], Job[T]]:
    """Decorator: the function becomes the early job of the given tests of ``module``."""
    return lambda fn: Job(fn, module, tests)


def start_for(items: Iterable[tuple[str, str]]) -> None:
    """Queue, in order, the jobs of the collected tests, given as (module name, test name). The worker
    thread ends when the queue is empty: a process with threads reads content without forking
    (generator/content/parallel.py), so it must not outlive its work."""
    global _pool
    wanted = set(items)
    todo = [j for j in JOBS if j.keys & wanted]
    if not todo:
        return
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(1, thread_name_prefix="kb-early")
        pool = _pool
    for j in todo:
        j.start(pool)
    pool.shutdown(wait=False)  # the queued jobs still run; then the thread exits


def run(args: list[str], *, timeout: float, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``subprocess.run(args, capture_output=True, text=True)`` that :func:`stop` can end with its children."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kwargs)
    with _lock:
        _procs.add(proc)
    try:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            proc.communicate()
            raise
        return subprocess.CompletedProcess(args, proc.returncode, out, err)
    finally:
        with _lock:
            _procs.discard(proc)


def tempdir(prefix: str) -> Path:
    """A new private folder for a job's output, removed at the end of the session (:func:`stop`)."""
    folder = tempfile.mkdtemp(prefix=prefix)
    with _lock:
        _folders.append(folder)
    return Path(folder)


def _kill(proc: subprocess.Popen[str]) -> None:
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: the process and what it started


def stop() -> None:
    """End of the session: drop queued jobs, end the processes of a running one (a test that failed
    early, ``-x``, Ctrl-C), wait for the worker."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
        for j in JOBS:
            if j.future is not None:
                j.future.cancel()
        procs = list(_procs)
    for proc in procs:
        _kill(proc)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
    with _lock:
        folders = _folders[:]
        _folders.clear()
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
