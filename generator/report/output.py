"""Report outputs: HTML (templates in theme/report/), one CSV per table, report.json.

The HTML has no script and no inline style: charts are inline SVG with a table beside
each one, the stylesheet is a file next to it, and every text from events (comments,
queries) is autoescaped. CSV cells that a spreadsheet would run as a formula are made inert.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator.csvsafe import csv_safe
from generator.model.fields import OUTCOMES
from generator.report.charts import Chart, bar_chart, hbar_chart
from generator.report.labels import labels
from generator.report.view import (
    Card,
    Row,
    code,
    csat_rows,
    filter_rows,
    fix_rows,
    funnel_rows,
    option_rows,
    rate,
    recommendation_lines,
    summary_cards,
)

THEME_REPORT = Path(__file__).resolve().parent.parent.parent / "theme" / "report"

Table = tuple[Sequence[str], list[Sequence[Any]]]


def tables(report: dict[str, Any]) -> dict[str, Table]:
    """Every table of the report, for CSV (and for anyone who wants rows)."""
    overall = report["overall"]
    out: dict[str, Table] = {
        "overall": (["metric", "value"], [[k, v] for k, v in overall.items()]),
        "trends": (["week", "runs", "fcr", "escalation_rate", "median_resolution_seconds", "csat",
                    "self_service_success"],
                   [[t[k] for k in ("week", "runs", "fcr", "escalation_rate", "median_resolution_seconds", "csat",
                                    "self_service_success")] for t in report["trends"]]),
    }
    art_cols = ["id", "title", "area", "audience", "owner", "views", "yes", "no", "helpfulness",
                "helpful_lower_bound", "unhelpful_lower_bound", "ratings", "csat", "kcs_links", "run_uses",
                "referenced_by", "reuse", "self_service_success"]
    out["articles"] = (art_cols + [f"no_{r}" for r in report["articles"][0]["no_reasons"]] if report["articles"]
                       else art_cols,
                       [[a[k] for k in art_cols] + list(a["no_reasons"].values()) for a in report["articles"]])
    out["comments"] = (["article_id", "ts", "helpful", "reason", "comment"],
                       [[a["id"], c["ts"], c["helpful"], c["reason"], c["comment"]]
                        for a in report["articles"] for c in a["comments"]])
    proto_cols = ["id", "title", "owner", "runs", *OUTCOMES,
                  "resolution_rate", "escalation_rate", "abandonment_rate", "fcr", "median_resolution_seconds",
                  "p90_resolution_seconds", "median_response_seconds", "csat", "views"]
    out["protocols"] = (proto_cols, [[p[k] for k in proto_cols] for p in report["protocols"]])
    out["funnel"] = (["protocol_id", "step", "reached", "ended_here", "abandoned_here", "median_seconds",
                      "total_seconds"],
                     [[p["id"], s["step"], s["reached"], s["ended_here"], s["abandoned_here"], s["median_seconds"],
                       s["total_seconds"]] for p in report["protocols"] for s in p["funnel"]])
    out["resolving_options"] = (["protocol_id", "step", "answer", "cause", "runs"],
                                [[p["id"], o["step"], o["answer"], o["cause"], o["runs"]]
                                 for p in report["protocols"] for o in p["resolving_options"]])
    for key, rows in report["csat_by"].items():
        out[f"csat_by_{key}"] = ([key, "answers", "csat", "mean"],
                                 [[r[key], r["answers"], r["csat"], r["mean"]] for r in rows])
    health = report["health"]
    out["overdue"] = (["kind", "id", "title", "owner", "due", "days_overdue"],
                      [[o["kind"], o["id"], o["title"], o["owner"], o["due"], o["days_overdue"]]
                       for o in health["overdue"]])
    out["zero_result_searches"] = (["query", "searches"],
                                   [[z["query"], z["searches"]] for z in health["zero_result_searches"]])
    out["low_click_searches"] = (["query", "searches", "clicks"],
                                 [[z["query"], z["searches"], z["clicks"]]
                                  for z in health.get("low_click_searches", [])])
    out["fix_next"] = (["kind", "id", "title", "score", "why"],
                       [[f["kind"], f["id"], f["title"], f["score"], f["why"]] for f in health["fix_next"]])
    return out


def write_csv(path: Path, table: Table) -> None:
    headers, rows = table
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([csv_safe("" if v is None else v) for v in row])


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


@dataclass(frozen=True)
class ReportContext:
    """Context of ``theme/report/report.html``."""

    report: dict[str, Any]
    t: dict[str, str]
    lang: str
    charts: dict[str, Chart]
    fix: list[Row]  # "fix next", in words
    csat_by: dict[str, list[Row]]  # CSAT per protocol (title), channel (word), technician
    active: list[dict[str, Any]]  # protocols with runs in the period
    idle: list[str]  # titles of the protocols without runs (one line, not one row each)
    funnels: dict[str, list[dict[str, Any]]]  # protocol id -> funnel rows with step titles
    options: dict[str, list[dict[str, Any]]]  # protocol id -> resolving options with step titles
    filters: list[tuple[str, str]]  # the filters in use, in words
    changes: dict[str, list[str]]  # protocol id -> "what to change in this protocol", in sentences
    cards: list[Card]  # the one-screen summary
    previous: str  # what the arrows compare with; "" without a previous period
    periods: list[tuple[str, str, bool]]  # /report: (label, link, current) of the period choices; [] in files
    responses: list[Row]  # response time by channel


def in_language(report: dict[str, Any], lang: str) -> dict[str, Any]:
    """The report with each protocol's title and step titles from its translation into ``lang``, if any."""
    protocols = [{**p, **p.get("translations", {}).get(lang, {})} for p in report["protocols"]]
    return {**report, "protocols": protocols}


def context(report: dict[str, Any], lang: str, periods: Sequence[tuple[str, str, bool]] = ()) -> ReportContext:
    t = labels(lang)
    report = in_language(report, lang)
    active = [p for p in report["protocols"] if p["runs"]]
    prev = report.get("previous")
    previous = t["vs_previous"].format(since=prev["filters"]["since"][:10], until=prev["filters"]["until"][:10]) \
        if prev else ""
    responses = [Row((code(t, "channel_", r["channel"]), str(r["responses"]), _dur(r["median_response_seconds"]),
                      _dur(r["p90_response_seconds"]))) for r in report.get("response_by_channel", [])]
    return ReportContext(
        report, t, lang, charts(report, t), fix_rows(report, t),
        {key: csat_rows(report, key, t) for key in report["csat_by"]}, active,
        [p["title"] for p in report["protocols"] if not p["runs"]],
        {p["id"]: funnel_rows(p) for p in active}, {p["id"]: option_rows(p) for p in active},
        filter_rows(report, t), {p["id"]: recommendation_lines(p, t) for p in active}, summary_cards(report, t),
        previous, list(periods), responses)


def charts(report: dict[str, Any], t: dict[str, str]) -> dict[str, Chart]:
    weeks = [w["week"] for w in report["trends"]]
    out = {
        "fcr": bar_chart(t["fcr"], weeks, [w["fcr"] for w in report["trends"]], percent=True),
        "csat": bar_chart(t["csat"], weeks, [w["csat"] for w in report["trends"]], percent=True),
        "runs": bar_chart(t["runs"], weeks, [w["runs"] for w in report["trends"]]),
    }
    for p in report["protocols"]:
        if p["runs"]:
            rows = funnel_rows(p)
            out[f"funnel:{p['id']}"] = hbar_chart(f"{t['funnel']}: {p['title']}", [s["title"] for s in rows],
                                                  [s["reached"] for s in rows])
    return out


def render_html(report: dict[str, Any], lang: str = "es", template_dir: Path = THEME_REPORT,
                periods: Sequence[tuple[str, str, bool]] = ()) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    ctx = context(report, lang, periods)

    def rate_of(value: float | None, whole: int | None) -> str:
        """A rate with its denominator: 54 % (14 de 26)."""
        return rate(None if value is None else round(value * (whole or 0)), whole, ctx.t)

    env.filters.update(pct=_pct, dur=_dur, num=_num, rate=rate_of)
    return env.get_template("report.html").render(c=ctx)


def write_report(report: dict[str, Any], out_dir: Path, lang: str = "es") -> list[Path]:
    """report.html + report.css + report.json + csv/<table>.csv in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "report.html", out_dir / "report.css", out_dir / "report.json"]
    written[0].write_text(render_html(report, lang), encoding="utf-8")
    shutil.copyfile(THEME_REPORT / "report.css", written[1])
    written[2].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / "csv").mkdir(exist_ok=True)
    for name, table in tables(report).items():
        path = out_dir / "csv" / f"{name}.csv"
        write_csv(path, table)
        written.append(path)
    return written
