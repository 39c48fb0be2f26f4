"""What an insert writes besides the event: the fields the report groups and counts by.

The report (generator/report/database.py) must not read every event's JSON: at 10,000,000 events
that alone takes minutes. So each insert also writes, in the same transaction:

- on the ``events`` row, columns taken from the event (``FACT_COLUMNS``): its instant in seconds
  (``at``), its local day as sent, the anonymous client, and the few fields of feedback, searches,
  KCS links and CSAT answers the report counts; covering indexes let the report count them without
  reading the table;
- for a protocol run, one row in ``runs`` (times in seconds, outcome, ticket, channel, technician,
  ISO week, resolving step, last step, articles used) and one row per path entry in ``run_steps``.

Both are computed here, in Python, once per event, with the same rules as the in-Python report
(generator/report/metrics.py): the two engines read the same values. A store created before these
columns existed is filled by :func:`backfill` (schema migration 2 of each store).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

FACT_COLUMNS = ("at", "day", "client", "technician", "channel", "ticket_ref", "helpful", "by_technician", "rating",
                "reason", "comment", "query", "results", "clicked")
RUN_COLUMNS = ("id", "ts", "at", "session_id", "protocol_id", "practice", "outcome", "t0", "t1", "tc", "ticket",
               "channel", "technician", "week", "resolved_step", "cause", "last_step", "used")
STEP_COLUMNS = ("run", "idx", "step", "seconds", "answer", "back")

# covering indexes: each report query reads one of them, never the events' rows and JSON (both stores);
# ``type`` leads each partial index: SQLite 3.40 reads the row for a column of the WHERE not in the index
INDEXES = """
    CREATE INDEX events_client ON events (client, day, at);
    CREATE INDEX events_views ON events (type, article_id, at) WHERE type = 'view';
    CREATE INDEX events_protocol_views ON events (type, protocol_id, at)
        WHERE type = 'view' AND protocol_id IS NOT NULL;
    CREATE INDEX events_feedback ON events (type, article_id, at, helpful, by_technician, rating, reason, day)
        WHERE type = 'feedback';
    CREATE INDEX events_comments ON events (type, at) WHERE type = 'feedback' AND comment IS NOT NULL;
    CREATE INDEX events_links ON events (type, article_id, at, session_id, technician, ticket_ref, id)
        WHERE type = 'article_used';
    CREATE INDEX events_searches ON events (type, results, at, query, clicked) WHERE type = 'search';
    CREATE INDEX events_csat ON events (type, session_id, at, rating) WHERE type = 'csat';
    CREATE INDEX runs_session ON runs (session_id);
"""

# migration 3 (both stores): indexes no query reads (the report reads the covering ones above and copies
# ``runs`` into indexed temporary tables), each maintained on every insert: dropped for the event path
UNUSED_INDEXES = ("events_article", "events_protocol", "runs_session")
DROP_UNUSED_INDEXES = "; ".join(f"DROP INDEX IF EXISTS {name}" for name in UNUSED_INDEXES)


def epoch(value: Any) -> float | None:
    """Seconds since 1970 of an ISO time (UTC when it names no zone); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).timestamp()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _week(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        year, week, _ = date.fromisoformat(value[:10]).isocalendar()
    except ValueError:
        return None
    return f"{year}-W{week:02d}"


def facts_of(ev: dict[str, Any]) -> tuple[Any, ...]:
    """The values of ``FACT_COLUMNS`` for one event."""
    helpful = ev.get("helpful")
    ts = ev.get("ts")
    comment = ev.get("comment")
    return (
        epoch(ts), ts[:10] if isinstance(ts, str) else None, _text(ev.get("client")) or None,
        _text(ev.get("technician")), _text(ev.get("channel")), _text(ev.get("ticket_ref")),
        1 if helpful is True else 0 if helpful is False else None, 1 if ev.get("by_technician") is True else 0,
        _number(ev.get("rating")), _text(ev.get("reason")), comment if isinstance(comment, str) and comment else None,
        _text(ev.get("query")), _number(ev.get("results")), 1 if ev.get("clicked") is not None else 0,
    )


def run_of(ev: dict[str, Any]) -> tuple[Any, ...] | None:
    """The ``runs`` row of a protocol run (None for other events)."""
    if ev.get("type") != "protocol_run":
        return None
    path = ev.get("path") if isinstance(ev.get("path"), list) else []
    last = path[-1] if path and isinstance(path[-1], dict) else {}
    used = ev.get("articles_used")
    return (
        ev["id"], ev["ts"], epoch(ev["ts"]), ev.get("session_id"), ev.get("protocol_id"),
        bool(ev.get("practice", False)), _text(ev.get("outcome")), epoch(ev.get("started_at")),
        epoch(ev.get("ended_at")), epoch(ev.get("contact_at")), _text(ev.get("ticket_ref")),
        _text(ev.get("channel")), _text(ev.get("technician")), _week(ev.get("started_at")),
        _text(ev.get("resolved_step")), _text(ev.get("cause")), _text(last.get("step")),
        json.dumps(used, ensure_ascii=False) if isinstance(used, list) and used else None,
    )


def steps_of(ev: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The ``run_steps`` rows of a protocol run: one per path entry, in order."""
    if ev.get("type") != "protocol_run" or not isinstance(ev.get("path"), list):
        return
    for i, entry in enumerate(ev["path"]):
        if isinstance(entry, dict):
            yield (ev["id"], i, _text(entry.get("step")), _number(entry.get("seconds")), _text(entry.get("answer")),
                   1 if entry.get("back") is True else 0)


def side_rows(events: Iterable[dict[str, Any]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(``runs`` rows, ``run_steps`` rows) of a batch of events."""
    runs: list[tuple[Any, ...]] = []
    steps: list[tuple[Any, ...]] = []
    for ev in events:
        row = run_of(ev)
        if row is not None:
            runs.append(row)
            steps.extend(steps_of(ev))
    return runs, steps


def insert_sql(table: str, columns: Sequence[str], mark: str = "?", last: str | None = None) -> str:
    """An INSERT of one row that keeps the row already stored under the same key."""
    marks = [mark] * (len(columns) - 1) + [last or mark]
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)}) ON CONFLICT DO NOTHING"


def backfill(batches: Iterable[list[tuple[Any, dict[str, Any]]]],
             write: Callable[[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]], None]) -> None:
    """Migration 2 of a store made before the fact columns: for each batch of (key, event) stored,
    ``write(fact updates (facts…, key), runs rows, run_steps rows)``."""
    for batch in batches:
        updates = [(*facts_of(ev), key) for key, ev in batch]
        runs, steps = side_rows(ev for _, ev in batch)
        write(updates, runs, steps)
