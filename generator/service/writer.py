"""The event writer: one thread per process writes every batch ``POST /api/events`` accepts.

Requests hand their validated events to the writer's queue and wait on an asyncio future; they never
hop to a thread pool. The writer takes everything queued (up to ``max_events``) and stores it in
one transaction (:meth:`Store.insert_many`: group commit), then answers each request with its own
``(new, duplicates)``. A request is answered only after the transaction holding its events has
committed, so an acknowledged event is on disk: with SQLite's WAL and ``synchronous=NORMAL`` it
survives a crash of the process (``FULL`` for a power loss: docs/operations.md). Under light load a
group is one request and nothing waits; under heavy load the groups grow while a commit runs, and
the commits per second stay few.

The writer holds the GIL only between SQLite's steps (it binds each row, then SQLite inserts it without
the GIL). Python hands the GIL from a busy thread to a waiting one only every switch interval (5 ms by
default), so while the event loop was busy the writer waited up to 5 ms for each row: the two threads
took turns instead of overlapping. While a writer runs, the interval is :data:`SWITCH_INTERVAL` (0.5 ms;
shorter still, the writer commits smaller groups of one-event requests and pays more per event).

A group that fails is not allowed to fail its neighbours: the disk being full fails them all
(nothing can be stored), any other error makes the writer store each request's events on their own,
so only the request whose events cannot be stored gets the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator.store import StorageFull, Store

log = logging.getLogger("kb.service")

Result = tuple[int, int] | BaseException
SWITCH_INTERVAL = 0.0005  # seconds a busy thread keeps the GIL from a waiting one (Python's default: 0.005)


class _Interval:
    """The process's switch interval at most SWITCH_INTERVAL while any writer runs, its own again after."""

    lock = threading.Lock()
    running = 0
    saved = 0.0

    @classmethod
    def enter(cls) -> None:
        with cls.lock:
            if cls.running == 0:
                cls.saved = sys.getswitchinterval()
                sys.setswitchinterval(min(cls.saved, SWITCH_INTERVAL))
            cls.running += 1

    @classmethod
    def leave(cls) -> None:
        with cls.lock:
            cls.running -= 1
            if cls.running == 0:
                sys.setswitchinterval(cls.saved)


@dataclass(frozen=True)
class _Job:
    events: Sequence[dict[str, Any]]
    future: asyncio.Future[tuple[int, int]]
    loop: asyncio.AbstractEventLoop


class WriterClosed(Exception):
    """The service is stopping: the events were not stored (the client retries)."""


class EventWriter:
    def __init__(self, store: Store, max_events: int = 2000, threads: int | None = None) -> None:
        self.store = store
        self.max_events = max_events
        # SQLite: one writer (a second would only wait for the database's lock). A database server
        # takes several transactions at once; a few writers hide each commit's round trips.
        self.threads = threads or store.writers
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._closed = False
        self.commits = 0  # transactions committed (tests and benchmarks read it)
        self._count = threading.Lock()

    def start(self) -> None:
        if not self._workers:
            _Interval.enter()
            self._workers = [threading.Thread(target=self._run, name=f"kb-event-writer-{i}", daemon=True)
                             for i in range(self.threads)]
            for thread in self._workers:
                thread.start()

    async def insert(self, events: Sequence[dict[str, Any]]) -> tuple[int, int]:
        """Store ``events`` atomically; ``(new, duplicates)`` once their transaction has committed."""
        if self._closed:
            raise WriterClosed("the service is stopping")
        self.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[int, int]] = loop.create_future()
        self._queue.put(_Job(events, future, loop))
        return await future

    def close(self) -> None:
        """Store what is queued, then stop the threads."""
        self._closed = True
        for _ in self._workers:
            self._queue.put(None)  # one stop mark per thread, behind every batch already queued
        for thread in self._workers:
            thread.join()
        if self._workers:
            _Interval.leave()
        self._workers = []

    def _run(self) -> None:
        stop = False
        while not stop:
            job = self._queue.get()
            if job is None:
                break
            jobs, size = [job], len(job.events)
            while size < self.max_events:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                jobs.append(more)
                size += len(more.events)
            self._answer(jobs, self._write(jobs))
        # After close: nothing more is accepted; anything still queued is refused, never dropped silently.
        while True:
            try:
                left = self._queue.get_nowait()
            except queue.Empty:
                return
            if left is None:  # another thread's stop mark: leave it to that thread
                self._queue.put(None)
                return
            self._answer([left], [WriterClosed("the service is stopping")])

    def _write(self, jobs: list[_Job]) -> list[Result]:
        try:
            results: list[Result] = list(self.store.insert_many([j.events for j in jobs]))
            with self._count:
                self.commits += 1
            return results
        except StorageFull as exc:
            return [exc] * len(jobs)
        except Exception as exc:
            if len(jobs) == 1:
                log.exception("event store write failed")
                return [exc]
        return [r for j in jobs for r in self._write([j])]  # one request's events must not fail the others

    @staticmethod
    def _answer(jobs: list[_Job], results: list[Result]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, Result]]] = {}
        for job, result in zip(jobs, results, strict=True):
            by_loop.setdefault(job.loop, []).append((job, result))
        for loop, pairs in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(_resolve, pairs)  # one wake-up of the event loop per group


def _resolve(pairs: list[tuple[_Job, Result]]) -> None:
    for job, result in pairs:
        if job.future.done():  # the client went away; its events are stored (or not) all the same
            continue
        if isinstance(result, BaseException):
            job.future.set_exception(result)
        else:
            job.future.set_result(result)
