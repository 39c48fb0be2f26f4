"""`kb events export|import`: JSONL and CSV out, idempotent JSONL in."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from generator.csvsafe import csv_safe
from generator.service.events import validate_batch
from generator.store import Store

CSV_FIELDS = ("id", "type", "ts", "page", "article_id", "protocol_id", "session_id", "practice", "payload")


def export_events(store: Store, target: Path | None, fmt: str) -> int:
    """Write every event to ``target`` (standard output when None); returns how many."""
    if target is None:
        return write_events(store, sys.stdout, fmt)
    with target.open("w", encoding="utf-8", newline="") as out:
        return write_events(store, out, fmt)


def write_events(store: Store, out: IO[str], fmt: str) -> int:
    n = 0
    if fmt == "jsonl":
        for ev in store.iter_events():
            out.write(json.dumps(ev, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
        return n
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for ev in store.iter_events():
        row = [ev.get(k) for k in CSV_FIELDS[:-1]]
        row.append(json.dumps(ev, ensure_ascii=False, sort_keys=True))
        writer.writerow([csv_safe(v) for v in row])
        n += 1
    return n


@dataclass
class ImportReport:
    stored: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"imported {self.stored} new events, {self.duplicates} already stored, "
                 f"{len(self.problems)} rejected", *self.problems]
        return "\n".join(lines)


def import_events(store: Store, source: Path, batch_size: int = 500) -> ImportReport:
    with source.open(encoding="utf-8") as fh:
        return import_lines(store, fh, source.as_posix(), batch_size)


def import_lines(store: Store, lines: Iterable[str], name: str, batch_size: int = 500) -> ImportReport:
    """Validate each line as an event and store it once; bad lines are reported, never stored."""
    report = ImportReport()
    pending: list[dict[str, object]] = []
    # Exports may be old: accept any past time, as the report may cover years.
    epoch_now = datetime.now(UTC)

    def flush() -> None:
        if pending:
            new, dup = store.insert(pending)
            report.stored += new
            report.duplicates += dup
            pending.clear()

    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            report.problems.append(f"{name}:{lineno}:{exc.colno}: expected a JSON event, found invalid JSON")
            continue
        batch = validate_batch({"events": [event]}, None, now=_now_for(event, epoch_now))
        if batch.problems:
            p = batch.problems[0]
            report.problems.append(f"{name}:{lineno}:1: {p.key}: {p.message}")
            continue
        pending.extend(batch.events)
        if len(pending) >= batch_size:
            flush()
    flush()
    return report


def _now_for(event: object, now: datetime) -> datetime:
    """Judge an imported event's time against its own time, so old exports import."""
    if isinstance(event, dict) and isinstance(event.get("ts"), str):
        try:
            ts = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
            if ts.tzinfo is not None and ts <= now + timedelta(hours=24):
                return ts
        except ValueError:
            pass
    return now
