"""CSV cells that a spreadsheet will not run as formulas (CSV injection)."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """The cell as text, prefixed with ' when it starts like a formula (= + - @ tab CR)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
