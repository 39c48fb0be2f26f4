"""``GET /api/search``: parameters checked here, framework-free; ``generator/service/app.py`` serves it.

    GET /api/search?q=no+me+carga&limit=10&type=solution&audience=end-user&area=red&channel=phone&facets=1&lang=es

-> 200 ``{"query", "total", "source": "server", "results": [{"id", "type", "title", "url", "score",
"audience", "area", "symptom"}, ...], "facets": {...}, "corrected": {...}}``; 400 ``{"error": reason}``.
Text is returned as it is (JSON needs no HTML escaping); the browser inserts it with textContent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from generator.model.fields import AUDIENCES, CHANNELS, ID_RE, LANGS
from generator.search.documents import TYPES
from generator.search.query import MAX_QUERY_CHARS
from generator.search.results import Engine

MAX_LIMIT: Final = 50
FILTERS: Final[dict[str, tuple[str, ...] | None]] = {"type": TYPES, "audience": AUDIENCES, "channel": CHANNELS,
                                                     "area": None}
PARAMS: Final = ("q", "limit", "facets", "lang", *FILTERS)


class BadRequest(ValueError):
    """A reason to answer 400."""


def parse(params: Mapping[str, str]) -> tuple[str, int, dict[str, str], bool]:
    """(query, limit, filters, facets) from the query string, or BadRequest with the reason
    (``lang`` is checked by :func:`language`)."""
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise BadRequest(f"expected only the parameters {', '.join(PARAMS)}, found {unknown[0]!r}")
    q = params.get("q", "").strip()
    if not q:
        raise BadRequest("expected a query in q, found none")
    if len(q) > MAX_QUERY_CHARS:
        raise BadRequest(f"expected q of at most {MAX_QUERY_CHARS} characters, found {len(q)}")
    raw = params.get("limit", "10")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"expected limit to be a whole number from 1 to {MAX_LIMIT}, found {raw[:20]!r}")
    filters: dict[str, str] = {}
    for name, allowed in FILTERS.items():
        value = params.get(name)
        if value is None or value == "":
            continue
        if (allowed is not None and value not in allowed) or (allowed is None and not ID_RE.match(value)):
            what = f"one of {', '.join(allowed)}" if allowed else "an area id (lower-case letters, digits, -)"
            raise BadRequest(f"expected {name} to be {what}, found {value[:40]!r}")
        filters[name] = value
    facets = params.get("facets", "0")
    if facets not in ("0", "1", "true", "false"):
        raise BadRequest(f"expected facets to be 1 or 0, found {facets[:20]!r}")
    return q, int(raw), filters, facets in ("1", "true")


def language(params: Mapping[str, str]) -> str | None:
    """The reader's language (``lang``): a page found in several languages is shown in this one."""
    value = params.get("lang") or None
    if value is not None and value not in LANGS:
        raise BadRequest(f"expected lang to be one of {', '.join(LANGS)}, found {value[:20]!r}")
    return value


def answer(engine: Engine, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for one request."""
    try:
        q, limit, filters, facets = parse(params)
        lang = language(params)
    except BadRequest as exc:
        return 400, {"error": str(exc)}
    kwargs: dict[str, Any] = {"facets": True} if facets else {}
    return 200, engine.search(q, limit=limit, filters=filters, lang=lang, **kwargs).as_json()
