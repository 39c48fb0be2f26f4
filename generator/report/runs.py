"""Protocol runs: first-contact resolution, escalation, durations, the step funnel, resolving options
and CSAT groups, from the runs the accumulator kept (docs/metrics.md)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from generator.report.common import Filters, csat_share, median, parse_ts, percentile, share


@dataclass
class Run:
    ev: dict[str, Any]
    start: datetime
    end: datetime


def outcome_counts(runs: list[Run]) -> Counter[str]:
    return Counter(r.ev["outcome"] for r in runs)


def fcr_flags(runs: list[Run], window: timedelta) -> dict[str, bool]:
    """Run id -> first-contact resolution: resolved, and no other run with the same ticket within the window."""
    by_ticket: dict[str, list[Run]] = defaultdict(list)
    for r in runs:
        if r.ev.get("ticket_ref"):
            by_ticket[r.ev["ticket_ref"]].append(r)
    flags = {}
    for r in runs:
        ok = r.ev["outcome"] == "resolved"
        ticket = r.ev.get("ticket_ref")
        if ok and ticket:
            ok = not any(o is not r and abs(o.start - r.start) <= window for o in by_ticket[ticket])
        flags[r.ev["id"]] = ok
    return flags


def durations(runs: list[Run]) -> list[float]:
    return [(r.end - r.start).total_seconds() for r in runs if r.ev["outcome"] == "resolved"]


def run_kpis(runs: list[Run], fcr: Mapping[str, bool]) -> dict[str, Any]:
    counts = outcome_counts(runs)
    n = len(runs)
    seconds = durations(runs)
    responses = [(r.start - parse_ts(r.ev["contact_at"])).total_seconds() for r in runs if r.ev.get("contact_at")]
    return {
        "runs": n,
        "resolved": counts["resolved"], "escalated": counts["escalated"],
        "abandoned": counts["abandoned"], "unresolved": counts["unresolved"],
        "resolution_rate": share(counts["resolved"], n),
        "escalation_rate": share(counts["escalated"], n),
        "abandonment_rate": share(counts["abandoned"], n),
        "fcr": share(sum(1 for r in runs if fcr[r.ev["id"]]), n),
        "median_resolution_seconds": median(seconds),
        "p90_resolution_seconds": percentile(seconds, 90),
        "median_response_seconds": median(responses),
        "p90_response_seconds": percentile(responses, 90),
        "responses": len(responses),
    }


def response_by_channel(runs: list[Run], fcr: Mapping[str, bool]) -> list[dict[str, Any]]:
    """Response time (run start - contact_at) per channel, over runs that carry contact_at."""
    groups: dict[str, list[Run]] = defaultdict(list)
    for r in runs:
        if r.ev.get("contact_at"):
            groups[str(r.ev.get("channel") or "—")].append(r)
    return [{"channel": ch, **{k: v for k, v in run_kpis(rs, fcr).items()
                               if k in ("responses", "median_response_seconds", "p90_response_seconds")}}
            for ch, rs in sorted(groups.items())]


def step_row(step: str, reached: int, *, n: int = 0, total: float = 0.0, squares: float = 0.0,
             median_seconds: float | None = None, **counts: Any) -> dict[str, Any]:
    """One step of the funnel (docs/metrics.md): ``n`` path entries with ``total`` seconds and ``squares``
    (sum of squared seconds); ``counts``: ended_here, resolved_here, escalated_here, abandoned_here,
    back_runs, top_answer."""
    mean = total / n if n else None
    row: dict[str, Any] = {"step": step, "reached": reached, "ended_here": 0, "resolved_here": 0, "escalated_here": 0,
           "abandoned_here": 0, "back_runs": 0, "top_answer": None, "median_seconds": median_seconds,
           "mean_seconds": mean, "total_seconds": float(total),
           "sd_seconds": None if mean is None else math.sqrt(max(0.0, squares / n - mean * mean))}
    row.update(counts)
    row["back_rate"] = share(row["back_runs"], reached)
    return row


def funnel(runs: list[Run], steps: list[str]) -> list[dict[str, Any]]:
    reached: Counter[str] = Counter()
    at: dict[str, Counter[str]] = defaultdict(Counter)  # step -> ended_here, resolved_here, ... -> runs
    answers: dict[str, Counter[str]] = defaultdict(Counter)
    seconds: dict[str, list[float]] = defaultdict(list)
    for r in runs:
        path = r.ev.get("path") or []
        for step in {p["step"] for p in path}:
            reached[step] += 1
        for step in {p["step"] for p in path if p.get("back") is True}:
            at[step]["back_runs"] += 1
        for p in path:
            seconds[p["step"]].append(float(p["seconds"]))
            if p.get("answer"):
                answers[p["step"]][p["answer"]] += 1
        outcome = r.ev["outcome"]
        if path:
            last = path[-1]["step"]
            at[last]["ended_here"] += 1
            if outcome in ("abandoned", "escalated"):
                at[last][f"{outcome}_here"] += 1
        if outcome == "resolved":
            at[r.ev.get("resolved_step") or (path[-1]["step"] if path else "")]["resolved_here"] += 1
    order = steps + sorted(set(reached) - set(steps))
    return [step_row(s, reached[s], n=len(seconds[s]), total=sum(seconds[s]), squares=sum(x * x for x in seconds[s]),
                     median_seconds=median(seconds[s]), **at[s], top_answer=top_answer(answers[s]))
            for s in order if s in reached or s in steps]


def top_answer(counts: Mapping[str, int]) -> str | None:
    """The most common answer; the first in alphabetical order among equals."""
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else None


def resolving_options(runs: list[Run]) -> list[dict[str, Any]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for r in runs:
        if r.ev["outcome"] != "resolved":
            continue
        path = r.ev.get("path") or []
        step = r.ev.get("resolved_step") or (path[-1]["step"] if path else "")
        answer = next((p.get("answer") or "" for p in reversed(path) if p["step"] == step), "")
        counts[(step, answer, r.ev.get("cause") or "")] += 1
    return [{"step": s, "answer": a, "cause": c, "runs": n}
            for (s, a, c), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def csat_groups(csat: list[dict[str, Any]], runs_by_session: Mapping[str, Run], key: str,
                 filters: Filters) -> list[dict[str, Any]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for c in csat:
        run = runs_by_session.get(c["session_id"])
        if run is None:
            continue
        value = filters.technician_of(run.ev.get(key)) if key == "technician" else run.ev.get(key)
        groups[str(value or "—")].append(int(c["rating"]))
    return [{key: k, "answers": len(v), "csat": csat_share(v), "mean": sum(v) / len(v)}
            for k, v in sorted(groups.items())]


def reuse_rate(links: list[tuple[datetime, str, str]]) -> float | None:
    """Share of links to an article that some earlier case had already linked."""
    seen: dict[str, set[str]] = defaultdict(set)
    reused = total = 0
    for _, article, case in sorted(links):
        if case in seen[article]:
            continue  # the same case linking the same article twice is one link
        total += 1
        reused += bool(seen[article])
        seen[article].add(case)
    return share(reused, total)


def retention(client_weeks: Mapping[str, set[str]]) -> float | None:
    """Share of anonymous clients seen in one week who come back in a later week."""
    return share(sum(1 for weeks in client_weeks.values() if len(weeks) >= 2), len(client_weeks))
