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

    def each_text(self, array: str, alias: str) -> str:
        """Rows of a JSON array of strings: ``alias.value`` as text."""
        if self.sqlite:
            return f"json_each({array}) AS {alias}"
        return f"jsonb_array_elements_text({array}) AS {alias}(value)"

    def seconds(self, expr: str) -> str:
        """A difference of two times in seconds (``runs.t0``, ``t1``, ``tc``), to the millisecond on SQLite."""
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

    def in_list(self, expr: str) -> str:
        return f"{expr} IN (SELECT value FROM json_each(?))" if self.sqlite else f"{expr} = ANY(?)"

    def list_param(self, values: Sequence[str]) -> Any:
        return json.dumps(list(values)) if self.sqlite else list(values)

    def events(self, index: str, alias: str = "") -> str:
        """The events table read through one of the report's covering indexes (generator/store/facts.py):
        SQLite's planner, without statistics, would otherwise take ``events_type_ts`` and read each row."""
        named = f"events {alias}".strip()
        return f"{named} INDEXED BY {index}" if self.sqlite else named

    def temp_table(self, name: str, select: str) -> str:
        return f"CREATE TEMP TABLE {name} AS {select}"
