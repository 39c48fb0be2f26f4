"""What the HTML report shows, in its language: codes as words, steps by title, rates with their
denominators, protocols without runs folded into one line. Computed here so the template only
prints (report.json and the CSV files keep the codes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def rate(part: int | None, whole: int | None, t: Mapping[str, str]) -> str:
    """``54 % (14 de 26)``; ``—`` without a denominator."""
    if not whole or part is None:
        return "—"
    return f"{part / whole * 100:.0f} % ({part} {t['of']} {whole})"


def code(t: Mapping[str, str], prefix: str, value: str | None) -> str:
    """A code in words (``channel_phone`` -> Teléfono); an unknown code stays as it came."""
    if value is None or value == "—":
        return t["unknown"]
    return t.get(f"{prefix}{value}", value)


def step_title(protocol: Mapping[str, Any], step: str | None) -> str:
    if not step:
        return "—"
    return str(protocol.get("step_titles", {}).get(step) or step)


def why(fix: Mapping[str, Any], t: Mapping[str, str], protocols: Mapping[str, Mapping[str, Any]]) -> str:
    args = dict(fix.get("args") or {})
    kind = fix.get("code")
    if kind == "article_no":
        text = t["why_article_no"].format(**args)
        return text + (t["why_article_reason"].format(reason=t[args["reason"]]) if args.get("reason") else "")
    if kind == "protocol_abandoned":
        text = t["why_protocol_abandoned"].format(**args)
        if args.get("step"):
            text += t["why_protocol_step"].format(step=step_title(protocols.get(fix["id"], {}), args["step"]))
        return text
    if kind == "gap":
        return t["why_gap"].format(**args)
    if kind == "overdue":
        return t["why_overdue"].format(days=args["days"], owner=args["owner"] or t["unknown"])
    return str(fix.get("why", ""))


@dataclass(frozen=True)
class Row:
    """One table row of words and numbers, ready to print."""

    cells: tuple[str, ...]


def fix_rows(report: Mapping[str, Any], t: Mapping[str, str]) -> list[Row]:
    protocols = {p["id"]: p for p in report["protocols"]}
    return [Row((t[f"kind_{f['kind']}"], str(f["title"]), why(f, t, protocols))) for f in report["health"]["fix_next"]]


def csat_rows(report: Mapping[str, Any], key: str, t: Mapping[str, str]) -> list[Row]:
    titles = {p["id"]: p["title"] for p in report["protocols"]}
    out = []
    for r in report["csat_by"][key]:
        name = r[key]
        if key == "channel":
            name = code(t, "channel_", name)
        elif key == "protocol_id":
            name = titles.get(name, name)
        elif name == "—":
            name = t["unknown"]
        positive = round((r["csat"] or 0) * r["answers"])
        out.append(Row((str(name), rate(positive, r["answers"], t), f"{r['mean']:.1f}")))
    return out


def funnel_rows(protocol: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(s, title=step_title(protocol, s["step"])) for s in protocol["funnel"]]


def option_rows(protocol: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(o, title=step_title(protocol, o["step"])) for o in protocol["resolving_options"]]


def filter_rows(report: Mapping[str, Any], t: Mapping[str, str]) -> list[tuple[str, str]]:
    """The filters in use, as (label, value) in words."""
    titles = {p["id"]: p["title"] for p in report["protocols"]}
    out = []
    for key, value in report["filters"].items():
        if value is None:
            continue
        shown = code(t, "channel_", value) if key == "channel" else titles.get(value, value) if key == "protocol" \
            else str(value)
        out.append((t[f"filter_{key}"], shown))
    return out


def seconds_text(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def recommendation_lines(protocol: Mapping[str, Any], t: Mapping[str, str]) -> list[str]:
    """"What to change in this protocol", one sentence per chain of checks."""
    out = []
    for rec in protocol.get("recommendations", []):
        def order(steps: list[str]) -> str:
            return " → ".join(step_title(protocol, s) for s in steps)

        if "recommended" not in rec:
            out.append(t["too_few"].format(order=order(rec["chain"]), min=rec["min_runs"], n=rec["fewest_runs"]))
        elif not rec["changed"]:
            out.append(t["keep_order"].format(order=order(rec["chain"])))
        else:
            low, high = rec["saving_interval"]
            out.append(t["reorder"].format(
                order=order(rec["recommended"]), now=seconds_text(rec["expected_seconds"]),
                then=seconds_text(rec["expected_seconds_recommended"]), saving=seconds_text(rec["saving_seconds"]),
                low=seconds_text(low), high=seconds_text(high)))
    return out


# (key, label key, kind, denominator key, lower is better, weekly trend key)
SUMMARY = (
    ("runs", "runs", "count", None, False, "runs"),
    ("fcr", "fcr", "rate", "runs", False, "fcr"),
    ("csat", "csat", "rate", "csat_answers", False, "csat"),
    ("escalation_rate", "escalation_rate", "rate", "runs", True, "escalation_rate"),
    ("median_resolution_seconds", "median_resolution", "seconds", None, True, "median_resolution_seconds"),
    ("median_response_seconds", "median_response", "seconds", "responses", True, None),
    ("link_rate", "link_rate", "rate", "runs", False, None),
    ("self_service_success", "self_service", "rate", None, False, "self_service_success"),
)


@dataclass(frozen=True)
class Card:
    """One KPI of the one-screen summary."""

    label: str
    value: str
    detail: str  # the rate's denominator, "33 % (52 de 156)"
    delta: str  # change against the previous period, with an arrow; "" without one
    trend: str  # "better" | "worse" | "same" | ""
    target: str  # "meta ≥ 66 %"; "" without a target
    status: str  # "met" | "missed" | ""
    spark: str  # points of the weekly sparkline; "" when there is no trend


def _shown(kind: str, value: float | None) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.0f} %"
    if kind == "seconds":
        return seconds_text(value)
    return f"{value:g}"


def _delta(kind: str, now: float | None, before: float | None, lower_better: bool) -> tuple[str, str]:
    if now is None or before is None:
        return "", ""
    diff = now - before
    if abs(diff) < 1e-9:
        return "= 0", "same"
    arrow = "▲" if diff > 0 else "▼"
    text = f"{abs(diff) * 100:.0f} pp" if kind == "rate" else seconds_text(abs(diff)) if kind == "seconds" \
        else f"{abs(diff):g}"
    return f"{arrow} {text}", "better" if (diff < 0) == lower_better else "worse"


def summary_cards(report: Mapping[str, Any], t: Mapping[str, str]) -> list[Card]:
    from generator.report.charts import sparkline

    o = report["overall"]
    before = (report.get("previous") or {}).get("overall", {})
    targets = report.get("targets") or {}
    cards = []
    for key, label, kind, whole, lower, trend_key in SUMMARY:
        value = o.get(key)
        detail = rate(round(value * o[whole]), o[whole], t) if kind == "rate" and whole and value is not None else ""
        if kind == "seconds" and whole:
            detail = f"{t['of']} {o.get(whole, 0)}"
        delta, trend = _delta(kind, value, before.get(key), lower)
        goal, status = targets.get(key), ""
        target = ""
        if goal is not None:
            target = f"{t['target']} {'≤' if lower else '≥'} {_shown(kind, goal)}"
            status = "" if value is None else "met" if (value <= goal if lower else value >= goal) else "missed"
        spark = sparkline([w.get(trend_key) for w in report["trends"]]) if trend_key else ""
        cards.append(Card(t[label], _shown(kind, value), detail, delta, trend, target, status, spark))
    return cards
