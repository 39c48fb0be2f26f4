"""Reuse-and-resolution metrics: pure functions over events and the site manifest.

One pass over the events (in any order) fills accumulators; :func:`compute` then derives
every metric. Formulas are documented in docs/metrics.md, under the same names as the keys
of the returned report (which is also ``report.json``). Practice runs count in no KPI.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from generator.model.manifest import Manifest
from generator.report.common import (
    ArticleCounts,
    Filters,
    article_rows,
    csat_share,
    parse_ts,
    share,
    translations_of,
    week_of,
    week_of_ts,
)
from generator.report.health import content_health
from generator.report.health import deliveries as _deliveries
from generator.report.runs import (
    Run,
    csat_groups,
    fcr_flags,
    funnel,
    resolving_options,
    response_by_channel,
    retention,
    reuse_rate,
    run_kpis,
)
from generator.report.steporder import recommend


class Accumulator:
    """Reads events one at a time; keeps only what the metrics need."""

    def __init__(self, manifest: Manifest, filters: Filters) -> None:
        self.manifest = manifest
        self.filters = filters
        self.canon = manifest.canonical_ids()
        self.articles: dict[str, ArticleCounts] = defaultdict(ArticleCounts)
        self.protocol_views: Counter[str] = Counter()
        self.runs: list[Run] = []
        self.csat: list[dict[str, Any]] = []
        self.links: list[tuple[datetime, str, str]] = []  # (time, article id, case key)
        self.searches: Counter[str] = Counter()
        self.zero_searches: Counter[str] = Counter()
        self.shown: Counter[str] = Counter()  # searches that found something, by query
        self.clicks: Counter[str] = Counter()  # ... and of those, the ones sent with a clicked result
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
            self._feedback(ev, self.articles[aid])
        elif kind == "article_used" and self._area_ok(aid):
            self._article_used(ev, aid)
        elif kind == "search":
            self._search(ev)
        elif kind == "protocol_run":
            self._run(ev)
        elif kind == "csat":
            self.csat.append(ev)
        elif kind == "delivery":
            self.deliveries.append(ev)

    def _feedback(self, ev: dict[str, Any], art: ArticleCounts) -> None:
        helpful = ev.get("helpful")
        if helpful is True:
            art.yes += 1
        elif helpful is False:
            art.no += 1
            if ev.get("reason"):
                art.reasons[ev["reason"]] = art.reasons.get(ev["reason"], 0) + 1
        if helpful is not None and not ev.get("by_technician"):
            art.user_votes += 1
            art.user_yes += helpful is True
            wk = self.weekly_votes[week_of_ts(ev["ts"])]
            wk[0] += helpful is True
            wk[1] += 1
        if ev.get("rating") is not None:
            art.ratings += 1
            art.ratings45 += int(ev["rating"]) >= 4
        if ev.get("comment"):
            art.comments.append({"ts": ev["ts"], "helpful": helpful, "reason": ev.get("reason"),
                                 "comment": ev["comment"]})

    def _article_used(self, ev: dict[str, Any], aid: str) -> None:
        link = (ev.get("session_id"), aid)
        if link[0] is not None and link in self.linked:
            return  # the runner's event and the ticket note's are one link
        self.linked.add(link)
        f = self.filters
        if f.technician is None or f.technician_of(ev.get("technician")) == f.technician_of(f.technician):
            self.articles[aid].kcs_links += 1
            case = ev.get("ticket_ref") or ev.get("session_id") or ev["id"]
            self.links.append((parse_ts(ev["ts"]), aid, f"case:{case}"))

    def _search(self, ev: dict[str, Any]) -> None:
        """Searches count in no area or protocol; by query (lower case, spaces collapsed): none found,
        or found with how many of them were sent with a clicked result (low-click searches)."""
        if self.filters.area is None and self.filters.protocol is None:
            query = " ".join(str(ev["query"]).lower().split())
            self.search_total += 1
            self.searches[query] += 1
            if ev.get("results") == 0:
                self.zero_searches[query] += 1
            elif ev.get("results"):  # found something: was a result clicked? (low-click searches)
                self.shown[query] += 1
                self.clicks[query] += ev.get("clicked") is not None

    def _run(self, ev: dict[str, Any]) -> None:
        if ev.get("protocol_id") in self.canon:
            ev = {**ev, "protocol_id": self.canon[ev["protocol_id"]]}
        if ev.get("practice") or not self._run_ok(ev):
            return
        self.runs.append(Run(ev, parse_ts(ev["started_at"]), parse_ts(ev["ended_at"])))
        case = ev.get("ticket_ref") or ev["session_id"]
        ended = parse_ts(ev["ts"])
        for used in ev.get("articles_used") or []:
            used = self.canon.get(used, used)
            if self._area_ok(used):
                self.articles[used].run_uses += 1
                self.links.append((ended, used, f"case:{case}"))


def compute(acc: Accumulator, today: date) -> dict[str, Any]:
    """Every metric, as a JSON-ready dict (the keys are documented in docs/metrics.md)."""
    window = timedelta(days=acc.filters.fcr_window_days)
    runs = acc.runs
    fcr = fcr_flags(runs, window)
    runs_by_session = {r.ev["session_id"]: r for r in runs}
    in_scope_csat = [c for c in acc.csat if c["session_id"] in runs_by_session]
    articles = article_rows(acc.manifest, acc.filters, acc.articles)
    protocols = _protocol_rows(acc, fcr, runs_by_session, in_scope_csat)
    overall = _overall(acc, fcr, in_scope_csat)
    trends = _trends(acc, fcr, runs_by_session, in_scope_csat)
    health = content_health(acc.manifest, acc.zero_searches, articles, protocols, today,
                            {q: (n, acc.clicks[q]) for q, n in acc.shown.items()})
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "filters": acc.filters.shown(),
        "overall": overall,
        "response_by_channel": response_by_channel(runs, fcr),
        "csat_by": {key: csat_groups(in_scope_csat, runs_by_session, key, acc.filters)
                    for key in ("protocol_id", "channel", "technician")},
        "trends": trends,
        "articles": articles,
        "protocols": protocols,
        "health": health,
        "deliveries": _deliveries(acc.deliveries),
    }


def _protocol_rows(acc: Accumulator, fcr: Mapping[str, bool], runs_by_session: Mapping[str, Run],
                   in_scope_csat: list[dict[str, Any]]) -> list[dict[str, Any]]:
    manifest, runs = acc.manifest, acc.runs
    runs_by_protocol: dict[str, list[Run]] = defaultdict(list)
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
        kpis = run_kpis(mine, fcr)
        protocols.append({
            "id": pid, "title": proto.title, "url": proto.url, "owner": proto.owner,
            "step_titles": dict(proto.step_titles),
            **kpis, "views": acc.protocol_views[pid],
            "csat": csat_share(csat_by_protocol.get(pid, [])),
            "funnel": funnel(mine, list(proto.steps)),
            "resolving_options": resolving_options(mine),
        })
        protocols[-1]["recommendations"] = recommend(protocols[-1], proto.graph, acc.filters.min_step_runs)
        protocols[-1]["translations"] = translations_of(manifest, pid)
    return protocols


def _overall(acc: Accumulator, fcr: Mapping[str, bool], in_scope_csat: list[dict[str, Any]]) -> dict[str, Any]:
    runs = acc.runs
    overall = run_kpis(runs, fcr)
    user_votes = sum(a.user_votes for a in acc.articles.values())
    links_by_case = {case for _, _, case in acc.links}
    overall.update({
        "csat": csat_share([int(c["rating"]) for c in in_scope_csat]),
        "csat_answers": len(in_scope_csat),
        "article_rating_csat": share(sum(a.ratings45 for a in acc.articles.values()),
                                     sum(a.ratings for a in acc.articles.values())),
        "link_rate": share(sum(1 for r in runs if f"case:{r.ev.get('ticket_ref') or r.ev['session_id']}"
                               in links_by_case), len(runs)),
        "reuse_rate": reuse_rate(acc.links),
        "self_service_success": share(sum(a.user_yes for a in acc.articles.values()), user_votes),
        "retention": retention(acc.client_weeks),
        "searches": acc.search_total,
        "zero_result_searches": sum(acc.zero_searches.values()),
        "events": acc.events,
    })
    return overall


def _trends(acc: Accumulator, fcr: Mapping[str, bool], runs_by_session: Mapping[str, Run],
            in_scope_csat: list[dict[str, Any]]) -> list[dict[str, Any]]:
    runs = acc.runs
    weeks: dict[str, list[Run]] = defaultdict(list)
    for r in runs:
        weeks[week_of(r.start)].append(r)
    all_weeks = sorted(set(weeks) | set(acc.weekly_votes))
    csat_by_week: dict[str, list[int]] = defaultdict(list)
    for c in in_scope_csat:
        csat_by_week[week_of(runs_by_session[c["session_id"]].start)].append(int(c["rating"]))
    trends = []
    for wk in all_weeks:
        wk_runs = weeks.get(wk, [])
        kpi = run_kpis(wk_runs, fcr)
        wk_csat = csat_by_week.get(wk, [])
        user_yes, user_votes = acc.weekly_votes.get(wk, [0, 0])
        trends.append({"week": wk, "runs": kpi["runs"], "fcr": kpi["fcr"], "escalation_rate": kpi["escalation_rate"],
                       "median_resolution_seconds": kpi["median_resolution_seconds"], "csat": csat_share(wk_csat),
                       "self_service_success": share(user_yes, user_votes)})
    return trends


def report_from_events(events: Iterable[dict[str, Any]], manifest: Manifest, filters: Filters,
                       today: date) -> dict[str, Any]:
    acc = Accumulator(manifest, filters)
    for ev in events:
        acc.add(ev)
    return compute(acc, today)
