"""The few SQL expressions that differ between SQLite 3.40 and PostgreSQL.

The report's queries (generator/report/database.py) are written once, with ``?`` placeholders,
and ask this module for JSON access, times, week numbers and list parameters. Everything else is
SQL both databases share: window functions, ``FILTER`` on aggregates, ``UNION ALL``, CTEs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


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

    def week_number(self, day: str) -> str:
        """The Monday-to-Sunday week of a ``YYYY-MM-DD`` text as a number (weeks since Monday 0001-01-01):
        two days share an ISO week when their numbers are equal. Arithmetic on the day number, no
        date formatting: the retention query compares it for every anonymous client."""
        if self.sqlite:
            return f"CAST((julianday({day}) - 1721425.5) / 7 AS INTEGER)"
        return f"((({day})::date - DATE '0001-01-01') / 7)"

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
