"""Small HTTP helpers shared by the service's routes: error answers and bounded JSON bodies."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from generator.service.security import BadBody, parse_json


def error(status: int, reason: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": reason, **extra}, status_code=status)


class BodyTooLarge(Exception):
    pass


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ValueError("expected a numeric Content-Length")
        if int(declared) > limit:
            raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


async def read_json(request: Request, limit: int, types: tuple[str, ...] = ("application/json",)) -> Any:
    """The decoded JSON body, or the 4xx answer explaining why there is none. ``types``: the content
    types accepted (the event queue's ``sendBeacon`` sends JSON as text/plain)."""
    got = await read_json_body(request, limit, types)
    return got if isinstance(got, JSONResponse) else got[0]


async def read_json_body(request: Request, limit: int,
                         types: tuple[str, ...] = ("application/json",)) -> tuple[Any, bytes] | JSONResponse:
    """:func:`read_json` with the raw body beside the decoded one (the event path looks at both)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in types:
        return error(415, f"expected Content-Type application/json, found {ctype or 'none'!r}")
    try:
        body = await read_limited(request, limit)
    except BodyTooLarge:
        return error(413, f"expected a body of at most {limit} bytes")
    except ValueError as exc:
        return error(400, str(exc))
    except ClientDisconnect:
        return error(400, "the client closed the connection")
    try:
        return parse_json(body), body  # UTF-8 only, no duplicate keys, bounded depth and numbers
    except BadBody as exc:
        return error(400, str(exc))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return error(400, f"expected a JSON body, found invalid JSON ({exc.__class__.__name__}: {exc})"[:300])
