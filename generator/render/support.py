"""Support contacts from the site configuration: the end user's way to a person.

``mkdocs.yml`` (plugin ``kb``, option ``support``)::

    support:
      phone: "+34 900 123 456"
      email: soporte@example.com
      chat_url: https://chat.example.com/
      ticket_url: https://tickets.example.com/new?subject={subject}&description={body}
      hours:
        timezone: Europe/Madrid
        mon-fri: "08:00-18:00"
        sat: "09:00-13:00"

Checked once, at build time, into the small JSON document the pages carry (``<meta name="kb-support">``)
and ``assets/kb/support.js`` turns into contacts: after "No" on an article, and at the end of a
self-service guide that did not solve the problem. ``{subject}`` and ``{body}`` in ``ticket_url``
are replaced, URL-encoded, by the page's title and the user's comment or summary.
"""

from __future__ import annotations

import json
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KEYS = ("phone", "email", "chat_url", "ticket_url", "hours")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{2,30}$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https://[^\s<>\"']{3,2000}$")
_SPAN = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")


class SupportError(ValueError):
    """A bad ``support`` setting: names the key, what was expected and what was found."""


def _fail(key: str, expected: str, found: object) -> SupportError:
    return SupportError(f"support.{key}: expected {expected}, found {found!r}")


def _text(raw: dict[str, Any], key: str, pattern: re.Pattern[str], expected: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not pattern.match(value.strip()):
        raise _fail(key, expected, value)
    return value.strip()


def _days(spec: str) -> list[int]:
    if spec in DAYS:
        return [DAYS.index(spec)]
    first, _, last = spec.partition("-")
    if first in DAYS and last in DAYS and DAYS.index(first) <= DAYS.index(last):
        return list(range(DAYS.index(first), DAYS.index(last) + 1))
    raise _fail(f"hours.{spec}", "a day (mon … sun) or a range of days (mon-fri)", spec)


def _hours(raw: object) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _fail("hours", "a mapping with timezone and days", raw)
    zone = raw.get("timezone")
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail("hours.timezone", "an IANA time zone such as Europe/Madrid", zone) from None
    week: list[list[int] | None] = [None] * 7
    for spec, span in raw.items():
        if spec == "timezone":
            continue
        m = _SPAN.match(span) if isinstance(span, str) else None
        if not m or int(m[1]) * 60 + int(m[2]) >= int(m[3]) * 60 + int(m[4]):
            raise _fail(f"hours.{spec}", "opening-closing as HH:MM-HH:MM, opening first", span)
        for day in _days(str(spec)):
            week[day] = [int(m[1]) * 60 + int(m[2]), int(m[3]) * 60 + int(m[4])]
    return {"timezone": str(zone), "week": week}


def support_data(raw: object) -> dict[str, Any]:
    """The checked contacts (empty when none are configured); raises SupportError on a bad value."""
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise SupportError(f"support: expected a mapping of {', '.join(_KEYS)}, found {raw!r}")
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise _fail(unknown[0], "one of " + ", ".join(_KEYS), unknown[0])
    out: dict[str, Any] = {
        "phone": _text(raw, "phone", _PHONE, "a phone number such as +34 900 123 456"),
        "email": _text(raw, "email", _EMAIL, "an e-mail address"),
        "chat_url": _text(raw, "chat_url", _URL, "an https:// URL"),
        "ticket_url": _text(raw, "ticket_url", _URL, "an https:// URL, with {subject} and {body} where they go"),
        "hours": _hours(raw.get("hours")),
    }
    return {k: v for k, v in out.items() if v is not None}


def support_json(data: dict[str, Any]) -> str:
    """Compact JSON for the ``kb-support`` meta tag (the template escapes it)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
