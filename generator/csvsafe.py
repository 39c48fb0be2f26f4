"""CSV cells that a spreadsheet will not run as formulas (CSV injection)."""

from __future__ import annotations

# = + - @ and their full-width forms (spreadsheets read ＝ as =), tab, CR, LF.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe(value: object) -> str:
    """The cell as text, prefixed with ' when it starts like a formula, after any leading spaces
    (`` =1+1``, ``＝1+1``, a tab or a line break)."""
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip(" \u00a0\u3000").startswith(_FORMULA_START) or text.startswith(
        _FORMULA_START) else text
