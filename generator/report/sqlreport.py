"""`kb report` from the event store: SQL aggregates (generator/report/database.py) -> report.json.

The result has the keys and values of the in-Python reference
(:func:`generator.report.metrics.report_from_events`); only small, per-group rows cross from
the database into Python.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from generator.model.manifest import Manifest
from generator.report import database as q
from generator.report import lanes
from generator.report.common import REASONS, Filters, article_rows, share, translations_of, week_of_day
from generator.report.dialect import Dialect
from generator.report.health import content_health
from generator.report.runs import step_row
from generator.report.steporder import recommend
from generator.store import Reader, Store

CONNECTIONS = 2  # read connections side by side (generator/report/lanes.py): the lanes of _plan


def _kpis(row: Mapping[str, Any] | None) -> dict[str, Any]:
    r = row or {}
    n = int(r.get("runs", 0))
    return {
        "runs": n, "resolved": r.get("resolved", 0), "escalated": r.get("escalated", 0),
        "abandoned": r.get("abandoned", 0), "unresolved": r.get("unresolved", 0),
        "resolution_rate": share(r.get("resolved", 0), n), "escalation_rate": share(r.get("escalated", 0), n),
        "abandonment_rate": share(r.get("abandoned", 0), n), "fcr": share(r.get("fcr_runs", 0), n),
        "median_resolution_seconds": r.get("median_resolution_seconds"),
        "p90_resolution_seconds": r.get("p90_resolution_seconds"),
        "median_response_seconds": r.get("median_response_seconds"),
        "p90_response_seconds": r.get("p90_response_seconds"), "responses": r.get("responses", 0),
    }


def _csat(cell: tuple[int, int, int] | None) -> float | None:
    return share(cell[1], cell[0]) if cell else None


def _funnel(steps: list[str], pid: str, stats: Mapping[tuple[str, str], dict[str, Any]],
            seen: Mapping[str, set[str]]) -> list[dict[str, Any]]:
    order = steps + sorted(seen.get(pid, set()) - set(steps))
    return [step_row(s, **stats.get((pid, s), {"reached": 0})) for s in order]


def _plan(s: q.Scope) -> lanes.Plan:
    """The report's queries in two lanes: the path entries' statistics (``kb_steps``) in one, the KCS
    links and CSAT answers (``kb_links``, ``kb_runs`` indexed) in the other, everything else shared,
    heaviest first (CPU of each query at 1,000,000 events on SQLite: docs/benchmarks.md "Report")."""
    setup = {"kb_runs": lambda db: q.make_runs(db, s), "kb_steps": lambda db: q.make_steps(db, s),
             "kb_runs_keys": q.index_runs, "kb_links": lambda db: q.make_links(db, s)}
    tasks: dict[str, lanes.Query] = {
        "step_runs": q.step_runs, "step_seconds": q.step_seconds_answers,
        "options": lambda db: list(q.resolving_options(db, s)),
        "articles": lambda db: q.article_counts(db, s), "linked": q.linked_runs,
        "response": lambda db: q.run_times(db, s, "response"), "counts": lambda db: q.run_counts(db, s),
        "clients": lambda db: q.events_and_clients(db, s),
        "resolution": lambda db: q.run_times(db, s, "resolution"), "step_ends": q.step_ends,
        "csat": lambda db: q.csat_groups(db, s), "votes": lambda db: list(q.weekly_user_votes(db, s)),
        "searches": lambda db: _searches(db, s), "views": lambda db: q.protocol_views(db, s),
        "deliveries": lambda db: q.deliveries(db, s),
    }
    return lanes.Plan(setup=setup, tasks=tasks,
                      lanes=[["kb_runs", "kb_steps", "step_runs", "step_seconds"],
                             ["kb_runs", "kb_runs_keys", "kb_links", "articles", "linked", "csat"]],
                      shared=["response", "counts", "clients", "resolution", "options", "step_ends", "votes",
                              "searches", "views", "deliveries"])


def _searches(db: Reader, s: q.Scope) -> tuple[int, list[tuple[str, int]], list[tuple[str, int, int]]]:
    if s.filters.area is not None or s.filters.protocol is not None:
        return 0, [], []
    total, zero = q.searches(db, s)
    return total, list(zero), list(q.searches_shown(db, s))


def _gather(readers: Sequence[Reader], manifest: Manifest, filters: Filters) -> dict[str, Any]:
    area_ids = None
    if filters.area is not None:
        area_ids = sorted(a for a, info in manifest.articles.items() if info.area == filters.area)
    canon = manifest.canonical_ids()
    s = q.Scope(Dialect(readers[0].dialect), filters, area_ids, canon=canon)
    if filters.technician is not None:
        s.technicians = q.technician_spellings(readers[0], s)
    r = lanes.run(readers, _plan(s))
    g: dict[str, Any] = {"runs": q.run_groups(r["counts"], {"resolution": r["resolution"], "response": r["response"]}),
                         "csat": r["csat"], "articles": _merged(r["articles"], canon), "linked": r["linked"],
                         "steps": q.step_stats(r["step_runs"], r["step_seconds"], r["step_ends"])}
    views: Counter[str] = Counter()
    for pid, n in r["views"].items():
        views[canon.get(pid, pid)] += n
    g["views"] = views
    options: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pid, step, answer, cause, n in r["options"]:
        options[pid].append({"step": step, "answer": answer, "cause": cause, "runs": n})
    g["options"] = options
    area_ok = (lambda a: True) if area_ids is None else set(area_ids).__contains__
    weekly: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for aid, day, yes, votes in r["votes"]:
        if area_ok(canon.get(aid, aid)):
            cell = weekly[week_of_day(day)]
            cell[0] += yes
            cell[1] += votes
    g["weekly_votes"] = weekly
    zero: Counter[str] = Counter()
    shown: dict[str, tuple[int, int]] = {}  # query -> (searches that found something, clicked)
    g["search_total"], rows, shown_rows = r["searches"]
    for query, n in rows:
        zero[" ".join(query.lower().split())] += n
    for query, n, clicked in shown_rows:
        key = " ".join(query.lower().split())
        shown[key] = (shown.get(key, (0, 0))[0] + n, shown.get(key, (0, 0))[1] + clicked)
    g["zero"], g["shown"] = zero, shown
    g["events"], g["clients"], g["returning"] = r["clients"]
    g["deliveries"] = r["deliveries"]
    g["area_ok"] = area_ok
    return g


def _merged(counts: Mapping[str, q.ArticleCounts], canon: Mapping[str, str]) -> dict[str, q.ArticleCounts]:
    """Article counts with each translation's added to its original's (``cases`` already is: kb_links maps ids)."""
    out: dict[str, q.ArticleCounts] = {}
    for aid in sorted(counts, key=lambda a: a in canon):  # originals first
        c = counts[aid]
        target = canon.get(aid, aid)
        if target not in out:
            out[target] = q.ArticleCounts(reasons=dict.fromkeys(REASONS, 0))
            out[target].cases = counts[target].cases if target in counts else 0
        m = out[target]
        for name in ("views", "yes", "no", "user_yes", "user_votes", "ratings", "ratings45", "kcs_links", "run_uses"):
            setattr(m, name, getattr(m, name) + getattr(c, name))
        for r in REASONS:
            m.reasons[r] += c.reasons.get(r, 0)
        m.comments.extend(c.comments)
    return out


def report_from_store(store: Store, manifest: Manifest, filters: Filters, today: date) -> dict[str, Any]:
    """Every metric, computed in the database; the same dict as the in-Python reference."""
    with store.readers(CONNECTIONS) as readers:
        g = _gather(readers, manifest, filters)
    return assemble(g, manifest, filters, today)


def _csat_by(groups: Mapping[tuple[str, str], tuple[int, int, int]], key: str,
             filters: Filters) -> list[dict[str, Any]]:
    """CSAT per protocol, channel or technician; technicians as one name however typed."""
    merged: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (kind, k), cell in groups.items():
        if kind == key and cell[0]:
            name = (filters.technician_of(k) or "—") if key == "technician" else k
            for i in range(3):
                merged[name][i] += cell[i]
    return [{key: k, "answers": n, "csat": share(n45, n), "mean": total / n}
            for k, (n, n45, total) in sorted(merged.items())]


def _trends(g: Mapping[str, Any]) -> list[dict[str, Any]]:
    runs, csat = g["runs"], g["csat"]
    weeks = sorted({k for (kind, k) in runs if kind == "week"} | set(g["weekly_votes"]))
    out = []
    for wk in weeks:
        kpi = _kpis(runs.get(("week", wk)))
        yes, votes = g["weekly_votes"].get(wk, [0, 0])
        out.append({"week": wk, "runs": kpi["runs"], "fcr": kpi["fcr"], "escalation_rate": kpi["escalation_rate"],
                    "median_resolution_seconds": kpi["median_resolution_seconds"],
                    "csat": _csat(csat.get(("week", wk))), "self_service_success": share(yes, votes)})
    return out


def assemble(g: Mapping[str, Any], manifest: Manifest, filters: Filters, today: date) -> dict[str, Any]:
    canon = manifest.canonical_ids()
    counts = {a: c for a, c in g["articles"].items() if g["area_ok"](a)}
    articles = article_rows(manifest, filters, counts)
    seen: dict[str, set[str]] = defaultdict(set)
    for (pid, step), row in g["steps"].items():
        if row["reached"]:
            seen[pid].add(step)
    protocols = []
    for pid, info in sorted(manifest.protocols.items()):
        wanted = filters.protocol
        if (wanted and pid != canon.get(wanted, wanted)) or pid in canon:
            continue
        protocols.append({
            "id": pid, "title": info.title, "url": info.url, "owner": info.owner,
            "step_titles": dict(info.step_titles),
            **_kpis(g["runs"].get(("protocol", pid))), "views": g["views"].get(pid, 0),
            "csat": _csat(g["csat"].get(("protocol_id", pid))),
            "funnel": _funnel(list(info.steps), pid, g["steps"], seen),
            "resolving_options": sorted(g["options"].get(pid, []),
                                        key=lambda o: (-o["runs"], (o["step"], o["answer"], o["cause"]))),
        })
        protocols[-1]["recommendations"] = recommend(protocols[-1], info.graph, filters.min_step_runs)
        protocols[-1]["translations"] = translations_of(manifest, pid)
    overall = _kpis(g["runs"].get(("all", "")))
    all_csat = g["csat"].get(("all", ""), (0, 0, 0))
    ratings = sum(c.ratings for c in counts.values())
    cases = sum(c.cases for c in counts.values())
    linked_articles = sum(1 for c in counts.values() if c.cases)
    overall.update({
        "csat": _csat(all_csat) if all_csat[0] else None, "csat_answers": all_csat[0],
        "article_rating_csat": share(sum(c.ratings45 for c in counts.values()), ratings),
        "link_rate": share(g["linked"], overall["runs"]),
        "reuse_rate": share(cases - linked_articles, cases),
        "self_service_success": share(sum(c.user_yes for c in counts.values()),
                                      sum(c.user_votes for c in counts.values())),
        "retention": share(g["returning"], g["clients"]),
        "searches": g["search_total"], "zero_result_searches": sum(g["zero"].values()), "events": g["events"],
    })
    csat_by = {key: _csat_by(g["csat"], key, filters) for key in ("protocol_id", "channel", "technician")}
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "filters": filters.shown(),
        "overall": overall,
        "response_by_channel": [
            {"channel": k, "responses": row["responses"], "median_response_seconds": row["median_response_seconds"],
             "p90_response_seconds": row["p90_response_seconds"]}
            for (kind, k), row in sorted(g["runs"].items()) if kind == "channel" and "responses" in row],
        "csat_by": csat_by, "trends": _trends(g),
        "articles": articles, "protocols": protocols,
        "deliveries": g["deliveries"],
        "health": content_health(manifest, g["zero"], articles, protocols, today, g["shown"]),
    }
