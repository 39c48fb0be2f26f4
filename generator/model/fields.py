"""Field types shared by the content models. Pure: no I/O, no framework imports."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
ID_RE = re.compile(ID_PATTERN)
# Names Windows refuses as files: an id becomes a file and a URL path.
RESERVED_IDS = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_id(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in RESERVED_IDS:
        raise PydanticCustomError(
            "reserved_id", "expected an id that can be a file name on every system, found the reserved name {found}",
            {"found": repr(value)},
        )
    return value


def _parse_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_format", "expected a date as YYYY-MM-DD, found {found}",
                              {"found": repr(value)})


Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    BeforeValidator(_check_id),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN, "maxLength": 64}),
]
"""Lower-case letters, digits and hyphens, starting with a letter or digit, at most 64."""

Day = Annotated[date, BeforeValidator(_parse_date), WithJsonSchema({"type": "string", "format": "date"})]
"""A calendar date written as YYYY-MM-DD."""

Line = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
"""A short, non-empty line of text: titles, labels, targets."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
"""Free text or Markdown, at most 10,000 characters."""

Audience = Literal["technician", "end-user", "both"]
Channel = Literal["phone", "chat", "remote", "email"]
ALL_CHANNELS: tuple[Channel, ...] = ("phone", "chat", "remote", "email")
Lang = Literal["es", "en"]

STRICT = ConfigDict(strict=True, extra="forbid", frozen=True, str_strip_whitespace=False)

ReviewDays = Annotated[int, Field(ge=1, le=3650)]
Minutes = Annotated[int, Field(ge=1, le=480)]
