"""Chart geometry for the report: computed here so templates only draw (inline SVG, no script)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    baseline: float


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float | None], *, percent: bool = False,
              width: int = 640, height: int = 180) -> Chart:
    """Vertical bars, one per label; a missing value draws no bar."""
    top, bottom = 18.0, 28.0
    plot = height - top - bottom
    peak = 1.0 if percent else max([v for v in values if v is not None] or [1.0]) or 1.0
    n = max(len(labels), 1)
    slot = width / n
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = 0.0 if value is None else plot * (value / peak)
        text = "—" if value is None else (f"{value * 100:.0f}%" if percent else f"{value:g}")
        bars.append(Bar(round(i * slot + slot * 0.15, 1), round(top + plot - h, 1), round(slot * 0.7, 1),
                        round(h, 1), label, text))
    return Chart(title, width, height, tuple(bars), top + plot)
