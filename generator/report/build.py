"""`kb report`: read events and content, compute the metrics, write the outputs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from generator.diagnostics import ContentError, Diagnostic
from generator.model.manifest import Manifest
from generator.pipeline.validation import validate_tree
from generator.render.manifest import build_manifest
from generator.report.common import Filters
from generator.report.config import ReportConfig, load_config
from generator.report.metrics import report_from_events
from generator.report.output import write_report
from generator.report.sqlreport import report_from_store
from generator.store import Store


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Events exported by `kb events export` (one JSON object per line)."""
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                raise ContentError([Diagnostic(path.as_posix(), lineno, 1, "event",
                                               "expected a JSON event, found invalid JSON")]) from None
            if isinstance(event, dict) and "type" in event and "ts" in event:
                yield event


def content_manifest(root: Path, today: date) -> Manifest:
    """What the report knows about the content: the same manifest the build writes."""
    result = validate_tree(root, today, lint=False)
    return build_manifest(result.catalog)



def previous_period(filters: Filters, today: date) -> Filters | None:
    """The period of the same length just before ``filters``' (None without a start). An open end is the
    end of ``today``."""
    if filters.since is None:
        return None
    until = filters.until or datetime.combine(today + timedelta(days=1), time(), UTC)
    return replace(filters, since=filters.since - (until - filters.since), until=filters.since)


def compute_report(*, manifest: Manifest, filters: Filters, today: date, config: ReportConfig,
                   store: Store | None = None, events_file: Path | None = None, engine: str = "sql") -> dict[str, Any]:
    """The report of a store (computed by SQL in it; ``engine="python"``: the in-Python reference, which
    reads every event into memory) or of an exported JSONL file (always the in-Python reference); with the
    previous period's overall KPIs when a period is chosen, and the targets of kb-report.yml."""
    filters = replace(filters, aliases=config.aliases(), min_step_runs=config.min_step_runs)

    def one(f: Filters) -> dict[str, Any]:
        if store is not None and engine == "sql":
            return report_from_store(store, manifest, f, today)
        events = read_jsonl(events_file) if events_file else store.iter_events(ordered=False) if store else iter(())
        return report_from_events(events, manifest, f, today)

    report = one(filters)
    before = previous_period(filters, today)
    if before is not None:
        report["previous"] = {"filters": before.shown(), "overall": one(before)["overall"]}
    report["targets"] = config.targets.as_report()
    return report


def run_report(*, root: Path, out_dir: Path, filters: Filters, today: date, lang: str,
               store: Store | None = None, events_file: Path | None = None,
               engine: str = "sql") -> tuple[list[Path], dict[str, Any]]:
    report = compute_report(manifest=content_manifest(root, today), filters=filters, today=today,
                            config=load_config(root), store=store, events_file=events_file, engine=engine)
    return write_report(report, out_dir, lang), report


def protocol_text(report: dict[str, Any], lang: str) -> str:
    """`kb report --protocol ID` on the terminal: per step, then what to change in the protocol."""
    from generator.report.labels import labels
    from generator.report.view import funnel_rows, rate, recommendation_lines, seconds_text

    t = labels(lang)
    lines = []
    for p in report["protocols"]:
        lines.append(f"{p['title']} — {t['runs']}: {p['runs']}")
        for s in funnel_rows(p):
            median = "—" if s["median_seconds"] is None else seconds_text(s["median_seconds"])
            lines.append(f"  {s['title']}: {t['reached']} {s['reached']}, {t['resolved_here']} {s['resolved_here']}, "
                         f"{t['escalated_here']} {s['escalated_here']}, {t['abandoned_here']} {s['abandoned_here']}, "
                         f"{t['back_rate']} {rate(s['back_runs'], s['reached'], t)}, {t['median_seconds']} {median}, "
                         f"{t['top_answer']} {s['top_answer'] or '—'}")
        changes = recommendation_lines(p, t)
        if changes:
            lines.append(f"{t['change']}:")
            lines += [f"  - {line}" for line in changes]
    return "\n".join(lines)
