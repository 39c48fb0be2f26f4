"""What both report engines (SQL in the store, sqlreport.py; in Python, metrics.py) share: the filters, the
feedback reasons, time buckets and the small statistics, each formula once (docs/metrics.md)."""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from generator.model.fields import REASONS as REASONS  # re-exported: declared once in the model
from generator.model.manifest import Manifest


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
def week_of_day(day: str) -> str:
    return week_of(date.fromisoformat(day))


def week_of_ts(value: str) -> str:
    """The ISO week of an event time; UTC times ("...Z", as browsers send) are cached per day."""
    if value.endswith("Z") and len(value) >= 10:
        return week_of_day(value[:10])
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
class ArticleCounts:
    views: int = 0
    yes: int = 0
    no: int = 0
    user_yes: int = 0
    user_votes: int = 0
    ratings: int = 0
    ratings45: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    kcs_links: int = 0
    run_uses: int = 0
    cases: int = 0  # distinct cases that linked it (KCS reuse)
    comments: list[dict[str, Any]] = field(default_factory=list)


def article_rows(manifest: Manifest, filters: Filters, counts: Mapping[str, ArticleCounts]) -> list[dict[str, Any]]:
    """One row per article of the manifest (translations count with their original), as both engines
    report it (docs/metrics.md)."""
    out = []
    canon = manifest.canonical_ids()
    for aid, info in sorted(manifest.articles.items()):
        if (filters.area and info.area != filters.area) or aid in canon:
            continue
        a = counts.get(aid, ArticleCounts())
        votes = a.yes + a.no
        refs = len(info.protocols)
        out.append({
            "id": aid, "title": info.title, "url": info.url, "area": info.area,
            "audience": info.audience, "owner": info.owner,
            "views": a.views, "yes": a.yes, "no": a.no, "helpfulness": share(a.yes, votes),
            "helpful_lower_bound": wilson_lower(a.yes, votes), "unhelpful_lower_bound": wilson_lower(a.no, votes),
            "ratings": a.ratings, "csat": share(a.ratings45, a.ratings),
            "no_reasons": {r: a.reasons.get(r, 0) for r in REASONS},
            "comments": sorted(a.comments, key=lambda c: c["ts"], reverse=True),
            "kcs_links": a.kcs_links, "run_uses": a.run_uses, "referenced_by": refs,
            "reuse": a.kcs_links + a.run_uses + refs, "self_service_success": share(a.user_yes, a.user_votes),
        })
    return out
