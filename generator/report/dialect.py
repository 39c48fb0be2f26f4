"""The few SQL expressions that differ between SQLite 3.40 and PostgreSQL.

The report's queries (generator/report/database.py) are written once, with ``?`` placeholders,
and ask this module for JSON access, times, ISO weeks and list parameters. Everything else is
SQL both databases share: window functions, ``FILTER`` on aggregates, ``UNION ALL``, CTEs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# SQLite has no ISO week before 3.46 (%V): the week is the one of the Thursday of the same
# Monday-to-Sunday week ('-3 days' then the next Thursday), its year the Thursday's year.
_SQLITE_THURSDAY = "date({d}, '-3 days', 'weekday 4')"


@dataclass(frozen=True)
class Dialect:
    name: str  # "sqlite" | "postgresql"

    @property
    def sqlite(self) -> bool:
        return self.name == "sqlite"

    def text(self, expr: str, key: str) -> str:
        """A JSON member as text (NULL when absent)."""
        return f"({expr} ->> '$.{key}')" if self.sqlite else f"({expr} ->> '{key}')"

    def number(self, expr: str, key: str) -> str:
        return f"({expr} ->> '$.{key}')" if self.sqlite else f"(({expr} ->> '{key}')::double precision)"

    def json(self, expr: str, key: str) -> str:
        """A JSON member as JSON (arrays kept for :meth:`each`)."""
        return f"({expr} -> '$.{key}')" if self.sqlite else f"({expr} -> '{key}')"

    def is_(self, expr: str, key: str, value: bool) -> str:
        """The member is JSON ``true`` (or ``false``): not 1, not "true"; false (never NULL) when absent."""
        word = "true" if value else "false"
        if self.sqlite:
            return f"(json_type({expr}, '$.{key}') IS '{word}')"
        return f"(({expr} -> '{key}') IS NOT DISTINCT FROM '{word}'::jsonb)"

    def each(self, array: str, alias: str) -> str:
        """Rows of a JSON array: ``alias.value`` (an element) and ``alias.key`` (its index from 0 or 1)."""
        if self.sqlite:
            return f"json_each({array}) AS {alias}"
        return f"jsonb_array_elements({array}) WITH ORDINALITY AS {alias}(value, key)"

    def each_text(self, array: str, alias: str) -> str:
        """Rows of a JSON array of strings: ``alias.value`` as text."""
        if self.sqlite:
            return f"json_each({array}) AS {alias}"
        return f"jsonb_array_elements_text({array}) AS {alias}(value)"

    def last_step(self, payload: str) -> str:
        return f"({payload} ->> '$.path[#-1].step')" if self.sqlite else f"({payload} -> 'path' -> -1 ->> 'step')"

    def epoch(self, ts_text: str) -> str:
        """Seconds since 1970 of an ISO time with a zone (SQLite: to the millisecond; PostgreSQL: exact)."""
        if self.sqlite:
            return f"round((julianday({ts_text}) - 2440587.5) * 86400.0, 3)"
        return f"extract(epoch from ({ts_text})::timestamptz)"

    def seconds(self, expr: str) -> str:
        """A difference of two :meth:`epoch` values as a float, rounded like them."""
        return f"round({expr}, 3)" if self.sqlite else f"(({expr})::double precision)"

    def week(self, day: str) -> str:
        """ISO week (``2026-W47``) of a ``YYYY-MM-DD`` text."""
        if self.sqlite:
            thu = _SQLITE_THURSDAY.format(d=day)
            return (f"(strftime('%Y', {thu}) || '-W' || "
                    f"printf('%02d', (CAST(strftime('%j', {thu}) AS INTEGER) - 1) / 7 + 1))")
        return f"to_char(({day})::date, 'IYYY-\"W\"IW')"

    def ts_text(self, alias: str = "") -> str:
        """The event's time as it was sent (its own zone kept: weeks use its local date)."""
        prefix = f"{alias}." if alias else ""
        return f"{prefix}ts" if self.sqlite else f"({prefix}payload ->> 'ts')"

    def since(self, alias: str = "") -> str:
        prefix = f"{alias}." if alias else ""
        return f"julianday({prefix}ts) >= julianday(?)" if self.sqlite else f"{prefix}ts >= ?::timestamptz"

    def until(self, alias: str = "") -> str:
        prefix = f"{alias}." if alias else ""
        return f"julianday({prefix}ts) < julianday(?)" if self.sqlite else f"{prefix}ts < ?::timestamptz"

    def in_list(self, expr: str) -> str:
        return f"{expr} IN (SELECT value FROM json_each(?))" if self.sqlite else f"{expr} = ANY(?)"

    def list_param(self, values: Sequence[str]) -> Any:
        return json.dumps(list(values)) if self.sqlite else list(values)

    def temp_table(self, name: str, select: str) -> str:
        return f"CREATE TEMP TABLE {name} AS {select}"
