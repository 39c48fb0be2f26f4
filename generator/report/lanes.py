"""The report's queries side by side: one lane per read connection, all on one snapshot of the store.

The metric queries are independent of each other once their temporary tables exist, so two
connections (a thread each: SQLite releases the GIL inside each step, PostgreSQL gets a backend
each) halve the wall time on two cores. The store gives the connections one snapshot
(:meth:`generator.store.Store.readers`): the report equals the report of a store that nobody
writes to while it runs.

Each lane runs its own tasks first (those that need a temporary table only it builds), then
takes the shared tasks one at a time, heaviest first, until none is left. A temporary table is
built once per connection (``setup`` tasks); with one connection every task runs on it in turn.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from generator.store import Reader

Query = Callable[[Reader], Any]


@dataclass
class Plan:
    setup: dict[str, Query]  # temporary tables: name -> what builds it (once per connection)
    lanes: list[list[str]]  # each lane's own tasks, in order (setup names and task names)
    shared: list[str]  # tasks any lane may run (needing only setups every lane builds), heaviest first
    tasks: dict[str, Query] = field(default_factory=dict)


def run(readers: Sequence[Reader], plan: Plan) -> dict[str, Any]:
    """Every task of ``plan`` on ``readers``; each task's result by name."""
    results: dict[str, Any] = {}
    queue = deque(plan.shared)
    lock = threading.Lock()

    def lane(db: Reader, own: list[str]) -> None:
        built: set[str] = set()
        for name in own:
            if name in plan.setup:
                if name not in built:
                    plan.setup[name](db)
                    built.add(name)
            else:
                results[name] = plan.tasks[name](db)
        while True:
            with lock:
                if not queue:
                    return
                name = queue.popleft()
            results[name] = plan.tasks[name](db)

    if len(readers) == 1:
        lane(readers[0], [name for own in plan.lanes for name in own])
        return results
    if len(readers) != len(plan.lanes):
        raise ValueError(f"{len(plan.lanes)} lanes need 1 or {len(plan.lanes)} connections, not {len(readers)}")
    with ThreadPoolExecutor(max_workers=len(readers), thread_name_prefix="kb-report") as pool:
        for done in [pool.submit(lane, db, own) for db, own in zip(readers, plan.lanes, strict=True)]:
            done.result()
    return results
