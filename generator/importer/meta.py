"""Front matter of a source article -> our fields, through the mapping's ``fields`` table.

Each source key is looked up (as snake case: ``Last-Modified`` -> ``last_modified``); a mapped
key gives its value to one of our fields, ``ignore`` drops it quietly, and any other key is
reported as unmapped with its position. Values are read leniently (a list where one text was
expected, ``{name: …}`` objects from API exports, comma-separated tags, many date formats).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from generator.diagnostics import Diagnostic
from generator.importer.mapping import Mapping, norm_key
from generator.importer.report import finding
from generator.importer.source import SourceDoc

LIST_TARGETS = frozenset({"tags", "symptoms", "products", "protocols"})
_MONTHS = {name: i + 1 for i, names in enumerate([
    "january enero jan ene", "february febrero feb", "march marzo mar", "april abril apr abr",
    "may mayo", "june junio jun", "july julio jul", "august agosto aug ago",
    "september septiembre setiembre sep sept set", "october octubre oct", "november noviembre nov",
    "december diciembre dec dic"]) for name in names.split()}


@dataclass
class SourceMeta:
    """What the front matter said, in our terms; each value with the key and line it came from."""

    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # target -> key, line, col
    dates: list[tuple[date, str, int, int]] = field(default_factory=list)
    raw: dict[str, tuple[str, Any]] = field(default_factory=dict)  # normalized key -> (key as written, value)

    def text(self, target: str) -> str | None:
        value = self.values.get(target)
        return value if isinstance(value, str) else None

    def items(self, target: str) -> list[str]:
        value = self.values.get(target)
        return list(value) if isinstance(value, list) else []

    def at(self, target: str) -> tuple[int, int]:
        _, line, col = self.origin.get(target, ("", 1, 1))
        return line, col


def clean_line(text: str, limit: int = 200) -> str:
    """One line of text: no control characters, single spaces, at most ``limit`` characters."""
    text = "".join(" " if (c in "\t\n\u2028\u2029" or ord(c) < 32 or 0x7F <= ord(c) < 0xA0) else c for c in text)
    text = " ".join(text.replace("\ufeff", "").split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"
    return text


def as_text(value: Any) -> str | None:
    """A scalar as text: objects give their name or title, lists their first item."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in ("name", "title", "label", "value", "display_name", "email", "id"):
            if key in value:
                return as_text(value[key])
        return None
    if isinstance(value, list):
        for item in value:
            found = as_text(item)
            if found:
                return found
    return None


def as_list(value: Any, split: bool = True) -> list[str]:
    """A list of texts: a list, or a text separated by commas or semicolons (unless ``split`` is off)."""
    if isinstance(value, list):
        return [t for item in value if (t := as_text(item))]
    text = as_text(value)
    if text is None:
        return []
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()] if split else [text]


def parse_date(value: Any, day_first: bool = True) -> date | None:
    """ISO dates and times, epoch seconds, RFC 2822, dd/mm/yyyy, '4 de mayo de 2023', 'May 4, 2023'."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if 19000101 <= value <= 21001231:
            return _ymd(value // 10000, value // 100 % 100, value % 100)
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, UTC).date() if 10**8 < seconds < 5 * 10**9 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]|$)", text)
    if m:
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.match(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[T ,]|$)", text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (a, b) if (day_first and b <= 12) or a > 12 else (b, a)
        return _ymd(year, month, day)
    low = text.casefold()
    m = re.search(r"(\d{1,2})\s+(?:de\s+)?([a-záéíóú]+)\.?,?\s+(?:de\s+)?(\d{4})", low)
    if m and m.group(2).replace("é", "e") in _MONTHS:
        return _ymd(int(m.group(3)), _MONTHS[m.group(2).replace("é", "e")], int(m.group(1)))
    m = re.search(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", low)
    if m and m.group(1) in _MONTHS:
        return _ymd(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def _ymd(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, dict | list) else ("a mapping" if isinstance(value, dict)
                                                                   else f"a list of {len(value)}")
    return text if len(text) <= 60 else text[:57] + "..."


def map_front_matter(doc: SourceDoc, mapping: Mapping, day_first: bool = True) -> tuple[SourceMeta, list[Diagnostic]]:
    """Apply ``fields``; every unmapped key and unreadable value becomes a finding."""
    meta = SourceMeta()
    findings: list[Diagnostic] = []
    loc = doc.located

    def give(target: str, value: Any, key: str, path: tuple[str, ...]) -> None:
        line, col = loc.pos(path)
        if target == "ignore":
            return
        if target == "reviewed":
            day = parse_date(value, day_first)
            if day is None:
                findings.append(finding(doc.rel, line, col, "warning", "bad-date",
                                        f"expected a date, found {_shown(value)}; not used", key))
            else:
                meta.dates.append((day, key, line, col))
            return
        if target in LIST_TARGETS:
            items = as_list(value, split=target != "symptoms")
            if items:
                meta.values.setdefault(target, [])
                meta.values[target] += [i for i in items if i not in meta.values[target]]
                meta.origin.setdefault(target, (key, line, col))
            return
        text = as_text(value)
        if text is None:
            findings.append(finding(doc.rel, line, col, "warning", "bad-value",
                                    f"expected a text for {target}, found {_shown(value)}; not used", key))
        elif target in meta.values:
            first = meta.origin[target][0]
            findings.append(finding(doc.rel, line, col, "info", "duplicate-field",
                                    f"{target} already taken from '{first}'; this value ({_shown(value)}) "
                                    "is not used", key))
        else:
            meta.values[target] = text
            meta.origin[target] = (key, line, col)

    for key, value in doc.data.items():
        nk = norm_key(str(key))
        meta.raw[nk] = (str(key), value)
        used = False
        if isinstance(value, dict):
            for sub, sub_value in value.items():
                target = mapping.fields.get(f"{nk}.{norm_key(str(sub))}")
                if target is not None:
                    give(target, sub_value, f"{key}.{sub}", (key, sub))
                    used = True
        target = mapping.fields.get(nk)
        if target is not None:
            if not (used and target == "ignore"):
                give(target, value, str(key), (key,))
        elif not used:
            line, col = loc.key_pos((key,))
            findings.append(finding(doc.rel, line, col, "warning", "unmapped-key",
                                    f"no field of ours takes this key (value {_shown(value)}); not imported. "
                                    "Map it under fields: in the mapping file, or to ignore", str(key)))
    return meta, findings
