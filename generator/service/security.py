"""What `kb serve` does for every request, before and after the routes: one place for each rule.

* **Trust** (:class:`TrustedProxies`): forwarded headers are read only from the proxies named by
  ``--trust-proxy`` (addresses/networks, or a hop count); the one source of trust in them, for
  the rate limits now and identity headers later. uvicorn's own proxy handling is off.
* **Headers** (:class:`SecurityHeaders`): a CSP without ``'unsafe-inline'``/``'unsafe-eval'`` in
  ``script-src`` (the inline scripts of the theme are allowed by their hashes, collected by the
  build into ``kb-manifest.json``), ``nosniff``, a referrer policy, no framing, a cache policy;
  CORS for the configured site origins only (preflight, ``Access-Control-Allow-Origin``,
  ``Vary: Origin``) on ``/api/``.
* **Files** (:class:`SiteFiles`): the path is normalised before any check; dotfiles, the server
  search index and the report folder are never served as files.
* **Rates** (:class:`RateLimiter`): token buckets per client address, in memory only.
* **Bodies** (:func:`parse_json`): UTF-8 JSON only, no byte order mark, no duplicate keys, bounded
  nesting and number sizes: every malformed body is a 400 with a reason.
"""

from __future__ import annotations

import ipaddress
import json
import posixpath
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from generator.layout import SERVER_DIR
from generator.model.manifest import Csp

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


# --- trust ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrustedProxies:
    """``--trust-proxy``: the proxies whose ``X-Forwarded-For`` is believed. Empty: none (the default)."""

    networks: tuple[Network, ...] = ()
    hops: int = 0

    @classmethod
    def parse(cls, text: str | bool | None) -> TrustedProxies:
        """``"127.0.0.1,10.0.0.0/8"`` (addresses or networks), ``"2"`` (proxies in front, a hop count),
        ``"loopback"`` or True (a proxy on this host: ``--trust-proxy`` alone)."""
        if text is True or text == "loopback":
            return cls(networks=(ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")))
        text = (text or "").strip() if isinstance(text, str) else ""
        if not text:
            return cls()
        if text.isdigit():
            hops = int(text)
            if not 1 <= hops <= 10:
                raise ValueError(f"--trust-proxy: expected a hop count from 1 to 10, found {text}")
            return cls(hops=hops)
        nets = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            try:
                nets.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"--trust-proxy: expected addresses or networks (127.0.0.1, 10.0.0.0/8) or a "
                                 f"hop count, found {part!r}") from None
        return cls(networks=tuple(nets))

    def __str__(self) -> str:
        return str(self.hops) if self.hops else ",".join(str(n) for n in self.networks)

    @property
    def enabled(self) -> bool:
        return bool(self.hops or self.networks)

    def trusts(self, peer: str) -> bool:
        """Whether a direct peer is one of the named proxies (identity headers may be read from it)."""
        if self.hops:
            return True
        if not self.networks:
            return False  # nothing trusted: no need to parse the address (every request asks)
        address = _address(peer)
        return address is not None and any(address in n for n in self.networks)

    def client(self, peer: str, forwarded_for: Sequence[str]) -> str:
        """The client's address: the peer, or the right entry of X-Forwarded-For when the peer is trusted.

        Entries are read from the right (each proxy appends the address it saw); with addresses, the
        first entry that is not a named proxy is the client; with ``hops``, the one ``hops`` from the
        right. The leftmost entries are whatever the client wrote: never believed on their own."""
        if not self.trusts(peer):
            return peer
        chain = [e.strip() for header in forwarded_for for e in header.split(",") if e.strip()]
        if not chain:
            return peer
        if self.hops:
            entry = chain[-self.hops] if len(chain) >= self.hops else chain[0]
            return entry if _address(entry) is not None else peer
        for entry in reversed(chain):
            if _address(entry) is None:
                return peer  # garbage in the chain: the last trusted hop is all we know
            if not self.trusts(entry):
                return entry
        return chain[0]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


@dataclass
class RateLimiter:
    """Token bucket per client key: ``per_minute`` requests, bursts up to the same number."""

    per_minute: int
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def has_tokens(self, key: str) -> bool:
        """Whether ``key`` could be allowed now, without spending anything."""
        if self.per_minute <= 0:
            return True
        with self.lock:
            tokens, last = self.buckets.get(key, (float(self.per_minute), time.monotonic()))
        return tokens + (time.monotonic() - last) * self.per_minute / 60.0 >= 1

    def allow(self, key: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = time.monotonic()
        rate = self.per_minute / 60.0
        with self.lock:
            tokens, last = self.buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if len(self.buckets) > 50_000:  # forget idle clients; memory stays bounded
                self.buckets.clear()
            if tokens < 1:
                self.buckets[key] = (tokens, now)
                return False
            self.buckets[key] = (tokens - 1, now)
            return True


# --- bodies --------------------------------------------------------------------------------------------

NUL = b"\x00"
MAX_DEPTH = 16
MAX_NUMBER_CHARS = 20
_TOKENS = re.compile(rb'"(?:\\.|[^"\\])*"|[\[\]{}]')
# the bytes of a JSON number as 1, any other byte as 0: a number longer than MAX_NUMBER_CHARS is a run of 1s
_NUMBER_BYTES = bytes.maketrans(bytes(range(256)), bytes(c in b"-+.0123456789eE" for c in range(256)))
_LONG_RUN = b"\x01" * (MAX_NUMBER_CHARS + 1)


class BadBody(ValueError):
    pass


def _depth(body: bytes) -> int:
    depth = deepest = 0
    for m in _TOKENS.finditer(body):
        c = m.group()
        if c in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif c in (b"]", b"}"):
            depth -= 1
    return deepest


def _too_deep(value: Any, room: int) -> bool:
    """Whether decoded arrays and objects nest deeper than ``room`` levels (the same as :func:`_depth` of
    the text they came from, at the cost of the containers, not of every byte)."""
    if room == 0:
        return True
    items = value.values() if isinstance(value, dict) else value
    return any(isinstance(v, dict | list) and _too_deep(v, room - 1) for v in items)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):  # a key given twice: name the first
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise BadBody(f"expected each key once in an object, found {key[:40]!r} twice")
            seen.add(key)
    return out


def _number(text: str) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadBody(f"expected a number of at most {MAX_NUMBER_CHARS} characters, found {len(text)}")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _constant(name: str) -> Any:
    raise BadBody(f"expected a JSON number, found {name}")


# Made once: ``json.loads`` with any option builds a new decoder (and its scanner) on every call.
_DECODER = json.JSONDecoder(object_pairs_hook=_pairs)
# Each number checked (a Python call each): only for a body that could hold a long one, NaN or Infinity;
# any other body gets the same values from the C parser's own int() and float().
_NUMBER_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_number, parse_float=_number,
                                   parse_constant=_constant)


def parse_json(body: bytes) -> Any:
    """A request body as JSON, or :class:`BadBody` with the reason."""
    if body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise BadBody("expected UTF-8 JSON without a byte order mark, found one")
    if NUL in body:  # never in JSON text; UTF-16 and UTF-32 are full of them
        raise BadBody(f"expected UTF-8 JSON, found the byte 0x00 at {body.index(NUL)}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadBody(f"expected UTF-8 JSON, found the byte 0x{body[exc.start]:02x} at {exc.start}") from None
    deep = BadBody(f"expected JSON nested at most {MAX_DEPTH} levels deep, found deeper")
    brackets = body.count(b"[") + body.count(b"{") > MAX_DEPTH  # few brackets: not deep
    numbers = b"NaN" in body or b"Infinity" in body or _LONG_RUN in body.translate(_NUMBER_BYTES)
    try:
        value = (_NUMBER_DECODER if numbers else _DECODER).decode(text)
    except (BadBody, json.JSONDecodeError, RecursionError, ValueError) as exc:
        if brackets and _depth(body) > MAX_DEPTH:  # too deep is the reason given first, as it always was
            raise deep from None
        if isinstance(exc, BadBody):
            raise
        raise BadBody(f"expected a JSON body, found invalid JSON ({exc.__class__.__name__}: {exc})"[:300]) from None
    if brackets and isinstance(value, dict | list) and _too_deep(value, MAX_DEPTH):
        raise deep
    return value


# --- headers -------------------------------------------------------------------------------------------

def content_security_policy(script_hashes: Iterable[str], *, embeds: bool = False,
                            connect: Iterable[str] = ()) -> str:
    scripts = " ".join(["'self'", *(f"'{h}'" for h in sorted(set(script_hashes)))])
    return "; ".join([
        "default-src 'self'", f"script-src {scripts}", "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:", "font-src 'self' data:", "connect-src " + " ".join(["'self'", *connect]),
        "frame-src " + ("https:" if embeds else "'none'"), "media-src 'self'" + (" https:" if embeds else ""),
        "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
    ])


BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
_BASE_RAW = tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in BASE_HEADERS.items())
_ASSET = re.compile(r"\.(css|js|woff2?|svg|png|jpe?g|gif|webp|ico)$")


def cache_policy(path: str) -> str:
    if path.startswith(("/api/", "/report")):
        return "no-store"
    if path.startswith("/assets/") and _ASSET.search(path):
        return "public, max-age=3600"
    return "no-cache"  # pages and indexes: revalidate, so a new build shows at once


def _vary_origin(raw: list[tuple[bytes, bytes]]) -> None:
    for i, (name, value) in enumerate(raw):
        if name.lower() == b"vary":
            if b"origin" not in value.lower():
                raw[i] = (name, value + b", Origin")
            return
    raw.append((b"vary", b"Origin"))


class SecurityHeaders:
    """ASGI middleware: the headers above on every response; CORS on /api/ for ``origins``."""

    def __init__(self, app: ASGIApp, csp: Callable[[], str], origins: Iterable[str]) -> None:
        self.app = app
        self.csp = csp
        self.origins = frozenset(origins)
        self._csp = ("", b"")  # the policy last seen and its bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        origin = Headers(scope=scope).get("origin")
        cors = path.startswith("/api/") and origin in self.origins
        if path.startswith("/api/") and scope["method"] == "OPTIONS":
            await self._preflight(scope, send, origin if cors else None)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message["headers"] = list(message.get("headers", ()))
                self._add(raw, path)
                if path.startswith("/api/"):
                    _vary_origin(raw)
                if cors and origin is not None:
                    raw.append((b"access-control-allow-origin", origin.encode("latin-1")))
            await send(message)

        await self.app(scope, receive, with_headers)

    def _add(self, raw: list[tuple[bytes, bytes]], path: str) -> None:
        """The headers above on raw ASGI headers (bytes, once per response: every request pays for it);
        a route's own stricter value (the report's) stays."""
        csp = self.csp()
        if csp != self._csp[0]:
            self._csp = (csp, csp.encode("latin-1"))
        present = {name.lower() for name, _ in raw}
        for name, value in (*_BASE_RAW, (b"content-security-policy", self._csp[1]),
                            (b"cache-control", cache_policy(path).encode("latin-1"))):
            if name not in present:
                raw.append((name, value))

    async def _preflight(self, scope: Scope, send: Send, origin: str | None) -> None:
        headers = MutableHeaders()
        self._add(headers.raw, scope["path"])
        headers["Vary"] = "Origin"
        if origin is None:
            status, body = 403, b'{"error": "origin not allowed"}'
        else:
            status, body = 204, b""
            headers.update({"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": "GET, POST",
                            "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "600"})
        if body:
            headers["Content-Type"] = "application/json"
        headers["Content-Length"] = str(len(body))
        await send({"type": "http.response.start", "status": status, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})


# --- files ---------------------------------------------------------------------------------------------

PRIVATE_PREFIXES = (SERVER_DIR, "report")


class SiteFiles(StaticFiles):
    """The built site as files: normalised paths only, no dotfiles, nothing private."""

    def get_path(self, scope: Scope) -> str:
        raw: str = scope["path"]
        parts = [p for p in raw.split("/") if p]
        if "\x00" in raw or "\\" in raw or any(p.startswith(".") for p in parts):
            raise HTTPException(404)  # dotfiles, '.', '..': never a file of the site
        clean = posixpath.normpath("/".join(parts)) if parts else "."
        if any(clean == p or clean.startswith(p + "/") for p in PRIVATE_PREFIXES):
            raise HTTPException(404)
        return super().get_path({**scope, "path": "/" + ("" if clean == "." else clean)})


def manifest_hashes(csp: Csp) -> list[str]:
    """The well-formed script hashes of the built site's manifest."""
    return [h for h in csp.script_hashes if re.fullmatch(r"sha256-[A-Za-z0-9+/=]{44}", h)]
