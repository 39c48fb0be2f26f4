"""Reuse-and-resolution metrics: pure functions over events and the site manifest.

One pass over the events (in any order) fills accumulators; :func:`compute` then derives
every metric. Formulas are documented in docs/metrics.md, under the same names as the keys
of the returned report (which is also ``report.json``). Practice runs count in no KPI.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from generator.model.manifest import Kind, Manifest
from generator.report.steporder import recommend

REASONS = ("outdated", "unclear", "did_not_work", "missing_info", "other")


@dataclass(frozen=True)
class Filters:
    """What to include. Empty filters include everything."""

    since: datetime | None = None
    until: datetime | None = None
    area: str | None = None
    protocol: str | None = None
    channel: str | None = None
    technician: str | None = None
    fcr_window_days: int = 7
    aliases: tuple[tuple[str, str], ...] = ()  # technician name (normalised) -> the name to show, from config
    min_step_runs: int = 30  # runs reaching each step of a chain before a new order is suggested

    def technician_of(self, name: Any) -> str | None:
        return technician_key(name, dict(self.aliases))

    def shown(self) -> dict[str, Any]:
        """The filters as report.json lists them."""
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in vars(self).items()
                if k not in ("aliases", "min_step_runs")}


def translations_of(manifest: Manifest, cid: str) -> dict[str, dict[str, Any]]:
    """Language -> the titles of protocol ``cid``'s translations (a report in that language shows them)."""
    out: dict[str, dict[str, Any]] = {}
    for other, info in sorted(manifest.protocols.items()):
        if info.translation_of == cid and other != cid and info.lang:
            out[info.lang] = {"title": info.title, "step_titles": dict(info.step_titles)}
    return out


def technician_key(name: Any, aliases: Mapping[str, str] | None = None) -> str | None:
    """One technician, however typed: spaces collapsed, case folded ("Ana ", "ana" -> "ana"), then the
    alias map of kb-report.yml (its keys normalised the same way)."""
    if not isinstance(name, str) or not name.strip():
        return None
    key = " ".join(name.split()).casefold()
    return (aliases or {}).get(key, key)


def parse_ts(value: str) -> datetime:
    ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def week_of(ts: date) -> str:
    year, week, _ = ts.isocalendar()
    return f"{year}-W{week:02d}"


@functools.lru_cache(maxsize=8192)
def _week_of_day(day: str) -> str:
    return week_of(date.fromisoformat(day))


def week_of_ts(value: str) -> str:
    """The ISO week of an event time; UTC times ("...Z", as browsers send) are cached per day."""
    if value.endswith("Z") and len(value) >= 10:
        return _week_of_day(value[:10])
    return week_of(parse_ts(value))


def wilson_lower(successes: int, total: int, z: float = 1.96) -> float | None:
    """Lower bound of the Wilson score interval (95%): a rate that does not reward tiny samples."""
    if total == 0:
        return None
    p = successes / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt((p * (1 - p) + z * z / (4 * total)) / total)
    return (centre - spread) / (1 + z * z / total)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least pct% of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


def csat_share(ratings: list[int]) -> float | None:
    """Share of 4 and 5 answers among 1-5 ratings."""
    return share(sum(1 for r in ratings if r >= 4), len(ratings))


@dataclass
class _Article:
    views: int = 0
    yes: int = 0
    no: int = 0
    user_yes: int = 0
    user_votes: int = 0
    ratings: list[int] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    comments: list[dict[str, Any]] = field(default_factory=list)
    kcs_links: int = 0
    run_uses: int = 0


@dataclass
class _Run:
    ev: dict[str, Any]
    start: datetime
    end: datetime


class Accumulator:
    """Reads events one at a time; keeps only what the metrics need."""

    def __init__(self, manifest: Manifest, filters: Filters) -> None:
        self.manifest = manifest
        self.filters = filters
        self.canon = manifest.canonical_ids()
        self.articles: dict[str, _Article] = defaultdict(_Article)
        self.protocol_views: Counter[str] = Counter()
        self.runs: list[_Run] = []
        self.csat: list[dict[str, Any]] = []
        self.links: list[tuple[datetime, str, str]] = []  # (time, article id, case key)
        self.searches: Counter[str] = Counter()
        self.zero_searches: Counter[str] = Counter()
        self.search_total = 0
        self.client_weeks: dict[str, set[str]] = defaultdict(set)
        self.weekly_votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # week -> [user yes, user votes]
        self.linked: set[tuple[str | None, str]] = set()  # (session, article): one KCS link per run
        self.deliveries: list[dict[str, Any]] = []  # ticket notes and e-mails delivered or given up
        self.events = 0

    def _area_ok(self, article_id: str | None) -> bool:
        if self.filters.area is None:
            return True
        info = self.manifest.articles.get(article_id or "")
        return info is not None and info.area == self.filters.area

    def _run_ok(self, ev: dict[str, Any]) -> bool:
        f = self.filters
        return ((f.protocol is None or ev.get("protocol_id") == self.canon.get(f.protocol, f.protocol))
                and (f.channel is None or ev.get("channel") == f.channel)
                and (f.technician is None or f.technician_of(ev.get("technician")) == f.technician_of(f.technician)))

    def add(self, ev: dict[str, Any]) -> None:
        f = self.filters
        if f.since or f.until:
            ts = parse_ts(ev["ts"])
            if (f.since and ts < f.since) or (f.until and ts >= f.until):
                return
        self.events += 1
        if ev.get("client"):
            self.client_weeks[ev["client"]].add(week_of_ts(ev["ts"]))
        kind = ev["type"]
        aid: str = ev.get("article_id") or ""
        aid = self.canon.get(aid, aid)
        if kind == "view":
            if aid and self._area_ok(aid):
                self.articles[aid].views += 1
            if ev.get("protocol_id"):
                self.protocol_views[self.canon.get(ev["protocol_id"], ev["protocol_id"])] += 1
        elif kind == "feedback" and self._area_ok(aid):
            art = self.articles[aid]
            helpful = ev.get("helpful")
            if helpful is True:
                art.yes += 1
            elif helpful is False:
                art.no += 1
                if ev.get("reason"):
                    art.reasons[ev["reason"]] += 1
            if helpful is not None and not ev.get("by_technician"):
                art.user_votes += 1
                art.user_yes += helpful is True
                wk = self.weekly_votes[week_of_ts(ev["ts"])]
                wk[0] += helpful is True
                wk[1] += 1
            if ev.get("rating") is not None:
                art.ratings.append(int(ev["rating"]))
            if ev.get("comment"):
                art.comments.append({"ts": ev["ts"], "helpful": helpful, "reason": ev.get("reason"),
                                     "comment": ev["comment"]})
        elif kind == "article_used" and self._area_ok(aid):
            link = (ev.get("session_id"), aid)
            if link[0] is not None and link in self.linked:
                return  # the runner's event and the ticket note's are one link
            self.linked.add(link)
            f = self.filters
            if f.technician is None or f.technician_of(ev.get("technician")) == f.technician_of(f.technician):
                self.articles[aid].kcs_links += 1
                case = ev.get("ticket_ref") or ev.get("session_id") or ev["id"]
                self.links.append((parse_ts(ev["ts"]), aid, f"case:{case}"))
        elif kind == "search":
            if self.filters.area is None and self.filters.protocol is None:
                query = " ".join(str(ev["query"]).lower().split())
                self.search_total += 1
                self.searches[query] += 1
                if ev.get("results") == 0:
                    self.zero_searches[query] += 1
        elif kind == "protocol_run":
            if ev.get("protocol_id") in self.canon:
                ev = {**ev, "protocol_id": self.canon[ev["protocol_id"]]}
            if ev.get("practice") or not self._run_ok(ev):
                return
            self.runs.append(_Run(ev, parse_ts(ev["started_at"]), parse_ts(ev["ended_at"])))
            case = ev.get("ticket_ref") or ev["session_id"]
            ended = parse_ts(ev["ts"])
            for used in ev.get("articles_used") or []:
                used = self.canon.get(used, used)
                if self._area_ok(used):
                    self.articles[used].run_uses += 1
                    self.links.append((ended, used, f"case:{case}"))
        elif kind == "csat":
            self.csat.append(ev)
        elif kind == "delivery":
            self.deliveries.append(ev)


def _outcome_counts(runs: list[_Run]) -> Counter[str]:
    return Counter(r.ev["outcome"] for r in runs)


def _fcr_flags(runs: list[_Run], window: timedelta) -> dict[str, bool]:
    """Run id -> first-contact resolution: resolved, and no other run with the same ticket within the window."""
    by_ticket: dict[str, list[_Run]] = defaultdict(list)
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


def _durations(runs: list[_Run]) -> list[float]:
    return [(r.end - r.start).total_seconds() for r in runs if r.ev["outcome"] == "resolved"]


def _run_kpis(runs: list[_Run], fcr: Mapping[str, bool]) -> dict[str, Any]:
    counts = _outcome_counts(runs)
    n = len(runs)
    durations = _durations(runs)
    responses = [(r.start - parse_ts(r.ev["contact_at"])).total_seconds() for r in runs if r.ev.get("contact_at")]
    return {
        "runs": n,
        "resolved": counts["resolved"], "escalated": counts["escalated"],
        "abandoned": counts["abandoned"], "unresolved": counts["unresolved"],
        "resolution_rate": share(counts["resolved"], n),
        "escalation_rate": share(counts["escalated"], n),
        "abandonment_rate": share(counts["abandoned"], n),
        "fcr": share(sum(1 for r in runs if fcr[r.ev["id"]]), n),
        "median_resolution_seconds": median(durations),
        "p90_resolution_seconds": percentile(durations, 90),
        "median_response_seconds": median(responses),
        "p90_response_seconds": percentile(responses, 90),
        "responses": len(responses),
    }


def _response_by_channel(runs: list[_Run], fcr: Mapping[str, bool]) -> list[dict[str, Any]]:
    """Response time (run start - contact_at) per channel, over runs that carry contact_at."""
    groups: dict[str, list[_Run]] = defaultdict(list)
    for r in runs:
        if r.ev.get("contact_at"):
            groups[str(r.ev.get("channel") or "—")].append(r)
    return [{"channel": ch, **{k: v for k, v in _run_kpis(rs, fcr).items()
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


def _funnel(runs: list[_Run], steps: list[str]) -> list[dict[str, Any]]:
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


def _resolving_options(runs: list[_Run]) -> list[dict[str, Any]]:
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


def _csat_groups(csat: list[dict[str, Any]], runs_by_session: Mapping[str, _Run], key: str,
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


def _reuse_rate(links: list[tuple[datetime, str, str]]) -> float | None:
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


def _retention(client_weeks: Mapping[str, set[str]]) -> float | None:
    """Share of anonymous clients seen in one week who come back in a later week."""
    return share(sum(1 for weeks in client_weeks.values() if len(weeks) >= 2), len(client_weeks))


def compute(acc: Accumulator, today: date) -> dict[str, Any]:
    """Every metric, as a JSON-ready dict (the keys are documented in docs/metrics.md)."""
    manifest = acc.manifest
    window = timedelta(days=acc.filters.fcr_window_days)
    runs = acc.runs
    fcr = _fcr_flags(runs, window)
    runs_by_session = {r.ev["session_id"]: r for r in runs}
    in_scope_csat = [c for c in acc.csat if c["session_id"] in runs_by_session]

    articles = []
    for aid, info in sorted(manifest.articles.items()):
        if (acc.filters.area and info.area != acc.filters.area) or aid in acc.canon:
            continue
        a = acc.articles.get(aid, _Article())
        votes = a.yes + a.no
        articles.append({
            "id": aid, "title": info.title, "url": info.url, "area": info.area,
            "audience": info.audience, "owner": info.owner,
            "views": a.views, "yes": a.yes, "no": a.no, "helpfulness": share(a.yes, votes),
            "helpful_lower_bound": wilson_lower(a.yes, votes), "unhelpful_lower_bound": wilson_lower(a.no, votes),
            "ratings": len(a.ratings), "csat": csat_share(a.ratings),
            "no_reasons": {r: a.reasons[r] for r in REASONS},
            "comments": sorted(a.comments, key=lambda c: c["ts"], reverse=True),
            "kcs_links": a.kcs_links, "run_uses": a.run_uses,
            "referenced_by": len(info.protocols),
            "reuse": a.kcs_links + a.run_uses + len(info.protocols),
            "self_service_success": share(a.user_yes, a.user_votes),
        })

    runs_by_protocol: dict[str, list[_Run]] = defaultdict(list)
    for r in runs:
        runs_by_protocol[r.ev["protocol_id"]].append(r)
    csat_by_protocol: dict[str, list[int]] = defaultdict(list)
    for c in in_scope_csat:
        csat_by_protocol[runs_by_session[c["session_id"]].ev["protocol_id"]].append(int(c["rating"]))
    protocols = []
    for pid, proto in sorted(manifest.protocols.items()):
        wanted = acc.filters.protocol
        if (wanted and pid != acc.canon.get(wanted, wanted)) or pid in acc.canon:
            continue
        mine = runs_by_protocol.get(pid, [])
        kpis = _run_kpis(mine, fcr)
        protocols.append({
            "id": pid, "title": proto.title, "url": proto.url, "owner": proto.owner,
            "step_titles": dict(proto.step_titles),
            **kpis, "views": acc.protocol_views[pid],
            "csat": csat_share(csat_by_protocol.get(pid, [])),
            "funnel": _funnel(mine, list(proto.steps)),
            "resolving_options": _resolving_options(mine),
        })
        protocols[-1]["recommendations"] = recommend(protocols[-1], proto.graph, acc.filters.min_step_runs)
        protocols[-1]["translations"] = translations_of(manifest, pid)

    overall = _run_kpis(runs, fcr)
    user_votes = sum(a.user_votes for a in acc.articles.values())
    links_by_case = {case for _, _, case in acc.links}
    overall.update({
        "csat": csat_share([int(c["rating"]) for c in in_scope_csat]),
        "csat_answers": len(in_scope_csat),
        "article_rating_csat": csat_share([r for a in acc.articles.values() for r in a.ratings]),
        "link_rate": share(sum(1 for r in runs if f"case:{r.ev.get('ticket_ref') or r.ev['session_id']}"
                               in links_by_case), len(runs)),
        "reuse_rate": _reuse_rate(acc.links),
        "self_service_success": share(sum(a.user_yes for a in acc.articles.values()), user_votes),
        "retention": _retention(acc.client_weeks),
        "searches": acc.search_total,
        "zero_result_searches": sum(acc.zero_searches.values()),
        "events": acc.events,
    })

    weeks: dict[str, list[_Run]] = defaultdict(list)
    for r in runs:
        weeks[week_of(r.start)].append(r)
    all_weeks = sorted(set(weeks) | set(acc.weekly_votes))
    csat_by_week: dict[str, list[int]] = defaultdict(list)
    for c in in_scope_csat:
        csat_by_week[week_of(runs_by_session[c["session_id"]].start)].append(int(c["rating"]))
    trends = []
    for wk in all_weeks:
        wk_runs = weeks.get(wk, [])
        kpi = _run_kpis(wk_runs, fcr)
        wk_csat = csat_by_week.get(wk, [])
        user_yes, user_votes = acc.weekly_votes.get(wk, [0, 0])
        trends.append({"week": wk, "runs": kpi["runs"], "fcr": kpi["fcr"], "escalation_rate": kpi["escalation_rate"],
                       "median_resolution_seconds": kpi["median_resolution_seconds"], "csat": csat_share(wk_csat),
                       "self_service_success": share(user_yes, user_votes)})

    health = content_health(acc.manifest, acc.zero_searches, articles, protocols, today)
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "filters": acc.filters.shown(),
        "overall": overall,
        "response_by_channel": _response_by_channel(runs, fcr),
        "csat_by": {key: _csat_groups(in_scope_csat, runs_by_session, key, acc.filters)
                    for key in ("protocol_id", "channel", "technician")},
        "trends": trends,
        "articles": articles,
        "protocols": protocols,
        "health": health,
        "deliveries": _deliveries(acc.deliveries),
    }


def _deliveries(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Outbound ticket notes and e-mails: how many arrived, after retries, and the ones given up."""
    failed = [{"ts": e["ts"], "session_id": e["session_id"], "kind": e["kind"], "channel": e["channel"],
               "attempts": e["attempts"], "error": e.get("error")}
              for e in sorted(events, key=lambda e: e["ts"]) if e["outcome"] == "failed"]
    delivered = [e for e in events if e["outcome"] == "delivered"]
    return {"delivered": len(delivered), "delivered_after_retries": sum(e["attempts"] > 1 for e in delivered),
            "failed": failed}


def content_health(manifest: Manifest, zero_searches: Mapping[str, int], articles: list[dict[str, Any]],
                   protocols: list[dict[str, Any]], today: date) -> dict[str, Any]:
    overdue: list[dict[str, Any]] = []
    kind: Kind
    for kind in ("articles", "protocols"):
        for cid, info in sorted(manifest.entries(kind).items()):
            due = info.reviewed + timedelta(days=info.review_every_days)
            if due < today:
                overdue.append({"id": cid, "kind": kind[:-1], "title": info.title,
                                "owner": info.owner, "due": due.isoformat(), "days_overdue": (today - due).days})
    overdue.sort(key=lambda o: (str(o["owner"]), -int(o["days_overdue"])))
    never_viewed = [{"id": a["id"], "kind": "article", "title": a["title"]} for a in articles if a["views"] == 0]
    never_viewed += [{"id": p["id"], "kind": "protocol", "title": p["title"]} for p in protocols
                     if p["views"] == 0 and p["runs"] == 0]
    high_no = [a for a in articles if (a["unhelpful_lower_bound"] or 0) >= 0.2 and a["no"] >= 3]
    high_no.sort(key=lambda a: -float(a["unhelpful_lower_bound"]))
    zero: list[dict[str, Any]] = [{"query": q, "searches": n} for q, n in
                                  sorted(zero_searches.items(), key=lambda kv: (-kv[1], kv[0]))]
    stalled = [p for p in protocols if p["runs"] >= 3 and (p["abandonment_rate"] or 0) >= 0.25]
    stalled.sort(key=lambda p: -float(p["abandonment_rate"]))

    fix: list[dict[str, Any]] = []
    for a in high_no:
        top = max(a["no_reasons"].items(), key=lambda kv: kv[1])
        why = f"{a['no']} of {a['yes'] + a['no']} votes say it did not solve the problem"
        if top[1]:
            why += f"; most common reason: {top[0]}"
        score = 10 * float(a["unhelpful_lower_bound"]) * int(a["no"])
        fix.append({"kind": "article", "id": a["id"], "title": a["title"], "score": score, "why": why,
                    "code": "article_no", "args": {"no": a["no"], "votes": a["yes"] + a["no"],
                                                   "reason": top[0] if top[1] else None}})
    for p in stalled:
        worst = max(p["funnel"], key=lambda s: s["abandoned_here"], default=None)
        step = worst["step"] if worst and worst["abandoned_here"] else None
        where = f"; most abandon at step '{step}'" if step else ""
        fix.append({"kind": "protocol", "id": p["id"], "title": p["title"],
                    "score": 10 * float(p["abandonment_rate"]) * int(p["abandoned"]),
                    "why": f"{p['abandoned']} of {p['runs']} runs abandoned{where}",
                    "code": "protocol_abandoned", "args": {"abandoned": p["abandoned"], "runs": p["runs"],
                                                           "step": step}})
    for z in zero[:20]:
        fix.append({"kind": "gap", "id": z["query"], "title": z["query"], "score": 2.0 * z["searches"],
                    "why": f"searched {z['searches']} times with no result: write an article or add a synonym",
                    "code": "gap", "args": {"searches": z["searches"]}})
    for o in overdue:
        fix.append({"kind": o["kind"], "id": o["id"], "title": o["title"], "score": o["days_overdue"] / 30,
                    "why": f"review {o['days_overdue']} days overdue (owner: {o['owner']})",
                    "code": "overdue", "args": {"days": o["days_overdue"], "owner": o["owner"]}})
    fix.sort(key=lambda f: (-f["score"], f["kind"], f["id"]))
    return {"overdue": overdue, "never_viewed": never_viewed,
            "high_no_rate": [{"id": a["id"], "title": a["title"], "yes": a["yes"], "no": a["no"],
                              "unhelpful_lower_bound": a["unhelpful_lower_bound"]} for a in high_no],
            "zero_result_searches": zero[:50],
            "stalled_protocols": [{"id": p["id"], "title": p["title"], "runs": p["runs"],
                                   "abandonment_rate": p["abandonment_rate"]} for p in stalled],
            "fix_next": [dict(f, score=round(f["score"], 2)) for f in fix[:30]]}


def report_from_events(events: Iterable[dict[str, Any]], manifest: Manifest, filters: Filters,
                       today: date) -> dict[str, Any]:
    acc = Accumulator(manifest, filters)
    for ev in events:
        acc.add(ev)
    return compute(acc, today)
