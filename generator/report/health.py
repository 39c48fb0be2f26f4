"""Content health (what to fix next) and outbound deliveries: the parts of the report both engines
compute the same way from rows they have already made.

Search gaps are of two kinds: searches that found nothing, and **low-click searches**: searches
that found something but whose results were rarely opened (at least ``LOW_CLICK_MIN_SEARCHES``
searches, a click on at most ``LOW_CLICK_MAX_RATE`` of them): the words are there, the right page
is not (or not first). Both feed ``kb synonyms suggest``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from generator.model.manifest import Kind, Manifest

LOW_CLICK_MIN_SEARCHES = 3
LOW_CLICK_MAX_RATE = 0.2


def low_click_searches(shown: Mapping[str, tuple[int, int]]) -> list[dict[str, Any]]:
    """Queries that found something but were rarely followed by a click, most searched first.

    ``shown``: normalised query -> (searches with results, of them with a clicked result). The
    search box sends one event when the person pauses and one per result clicked, so a click counts
    among the searches too: 5 searches and one click is 6 searches, 1 click (0.17)."""
    rows = [{"query": q, "searches": n, "clicks": c} for q, (n, c) in shown.items()
            if n >= LOW_CLICK_MIN_SEARCHES and c <= LOW_CLICK_MAX_RATE * n]
    return sorted(rows, key=lambda r: (-r["searches"], r["clicks"], r["query"]))


def deliveries(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Outbound ticket notes and e-mails: how many arrived, after retries, and the ones given up."""
    failed = [{"ts": e["ts"], "session_id": e["session_id"], "kind": e["kind"], "channel": e["channel"],
               "attempts": e["attempts"], "error": e.get("error")}
              for e in sorted(events, key=lambda e: e["ts"]) if e["outcome"] == "failed"]
    delivered = [e for e in events if e["outcome"] == "delivered"]
    return {"delivered": len(delivered), "delivered_after_retries": sum(e["attempts"] > 1 for e in delivered),
            "failed": failed}


def content_health(manifest: Manifest, zero_searches: Mapping[str, int], articles: list[dict[str, Any]],
                   protocols: list[dict[str, Any]], today: date,
                   shown: Mapping[str, tuple[int, int]] | None = None) -> dict[str, Any]:
    """The report's ``health``; ``shown``: query -> (searches with results, clicked), for low-click searches."""
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
            "low_click_searches": low_click_searches(shown or {})[:50],
            "stalled_protocols": [{"id": p["id"], "title": p["title"], "runs": p["runs"],
                                   "abandonment_rate": p["abandonment_rate"]} for p in stalled],
            "fix_next": [dict(f, score=round(f["score"], 2)) for f in fix[:30]]}
