"""Chart geometry for the report: computed here so templates only draw (inline SVG, no script).

Labels never overlap: a vertical bar chart labels only every k-th bar, k chosen so that a
label's estimated width fits in k slots; a horizontal bar chart (the step funnel) gives each
label a row of its own and shortens it with "…" to the label column (the full text stays in
the bar's ``<title>`` and in the table under the chart). Widths are estimated from the
stylesheet's 11 px labels (0.62 em per character, a wide estimate for system-ui).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LABEL_PX = 11 * 0.62  # width of one character of .chart__label (11 px), generously estimated


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # full text (the bar's tooltip)
    value: str
    shown: str  # the label drawn under or beside the bar ("" when thinned out)
    value_shown: str  # the value drawn on the bar ("" when bars are too narrow for it)


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    baseline: float
    horizontal: bool = False
    label_x: float = 0.0  # horizontal charts: where labels end (text-anchor: end)


def _text(value: float | None, percent: bool) -> str:
    return "—" if value is None else (f"{value * 100:.0f}%" if percent else f"{value:g}")


def shorten(text: str, px: float) -> str:
    """``text`` cut with "…" to fit ``px`` pixels of label."""
    fits = max(1, int(px / LABEL_PX))
    return text if len(text) <= fits else text[: max(1, fits - 1)].rstrip() + "…"


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float | None], *, percent: bool = False,
              width: int = 640, height: int = 180) -> Chart:
    """Vertical bars, one per label; a missing value draws no bar; every k-th label is drawn."""
    top, bottom = 18.0, 28.0
    plot = height - top - bottom
    peak = 1.0 if percent else max([v for v in values if v is not None] or [1.0]) or 1.0
    n = max(len(labels), 1)
    slot = width / n
    texts = [_text(v, percent) for v in values]
    widest = max((len(t) for t in [*labels, *texts]), default=1) * LABEL_PX + 6
    every = max(1, math.ceil(widest / slot))
    bars = []
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        h = 0.0 if value is None else plot * (value / peak)
        shown = label if i % every == 0 else ""
        bars.append(Bar(round(i * slot + slot * 0.15, 1), round(top + plot - h, 1), round(slot * 0.7, 1),
                        round(h, 1), label, text, shown, text if every == 1 else ""))
    return Chart(title, width, height, tuple(bars), top + plot)


def hbar_chart(title: str, labels: Sequence[str], values: Sequence[float | None], *, width: int = 640,
               row: int = 22, label_px: int = 240) -> Chart:
    """Horizontal bars, one row per label (the funnel): labels stand in a column of their own."""
    peak = max([v for v in values if v is not None] or [1.0]) or 1.0
    plot = width - label_px - 48
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        w = 0.0 if value is None else plot * (value / peak)
        bars.append(Bar(float(label_px + 8), float(i * row + 4), round(w, 1), float(row - 8), label,
                        _text(value, False), shorten(label, label_px - 8), _text(value, False)))
    return Chart(title, width, max(row * len(bars), row) + 4, tuple(bars), float(label_px + 8), True,
                 float(label_px))


def sparkline(values: Sequence[float | None], width: int = 100, height: int = 24) -> str:
    """SVG polyline points of a small trend line (missing values skipped); "" with fewer than two values."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}" for i, v in known)
