"""Who may write to a ticket system or send mail: authenticated technicians only.

Two ways in, both checked on every request (the service sets no cookies):

* a per-technician API token, ``Authorization: Bearer <token>``; tokens are made by
  ``kb tokens add`` and kept only as SHA-256 hashes in ``<data>/tokens.json``;
* the identity header of the team's SSO reverse proxy (``X-Forwarded-User`` unless configured),
  honoured only when the request comes from a proxy named by ``--trust-proxy``
  (:func:`peer_is_trusted_proxy` is the one place that decides it).

Anything else is 401 (no or wrong credentials) or 403 (an identity header from elsewhere).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator.service.security import TrustedProxies

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
TOKEN_PREFIX = "kbt_"


@dataclass(frozen=True)
class Identity:
    name: str
    via: str  # "token" | "proxy"


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


def _hash(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    """``tokens.json`` in the data folder: name -> hash and creation time; never the token itself."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "tokens.json"
        self._cache: tuple[float, dict[str, dict[str, str]]] | None = None

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return {}
        if self._cache is None or self._cache[0] != mtime:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._cache = (mtime, dict(data.get("tokens", {})))
        return self._cache[1]

    def _write(self, tokens: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"tokens": tokens}, out, indent=1, sort_keys=True)
        os.replace(tmp, self.path)
        self._cache = None

    def add(self, name: str) -> str:
        """A new token for ``name`` (shown once); ValueError if the name is taken or malformed."""
        if not NAME_RE.match(name):
            raise ValueError("expected a technician name of lower-case letters, digits, '.', '_' or '-', "
                             f"found {name!r}")
        tokens = dict(self._read())
        if name in tokens:
            raise ValueError(f"expected a new technician name, found {name!r} already has a token "
                             "(revoke it first)")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        tokens[name] = {"hash": _hash(token), "created": datetime.now(UTC).isoformat(timespec="seconds")}
        self._write(tokens)
        return token

    def revoke(self, name: str) -> None:
        tokens = dict(self._read())
        if name not in tokens:
            raise ValueError(f"expected a technician with a token, found {name!r} (see 'kb tokens list')")
        del tokens[name]
        self._write(tokens)

    def list(self) -> list[tuple[str, str]]:
        return sorted((name, t.get("created", "")) for name, t in self._read().items())

    def identify(self, token: str) -> str | None:
        digest = _hash(token)
        found = None
        for name, t in self._read().items():  # compare with every hash: no early exit to time
            if hmac.compare_digest(digest, t.get("hash", "")):
                found = name
        return found


def peer_is_trusted_proxy(trust_proxy: Any, peer: str | None) -> bool:
    """Whether the direct peer is a proxy named by ``--trust-proxy``.

    ``trust_proxy`` is the service's one trust setting (:class:`TrustedProxies`, from ``--trust-proxy``);
    a text, a list of addresses or networks, or True (a proxy on this host) are read the same way."""
    if not peer or not trust_proxy:
        return False
    if not isinstance(trust_proxy, TrustedProxies):
        named = trust_proxy if isinstance(trust_proxy, str | bool) else ",".join(map(str, trust_proxy))
        try:
            trust_proxy = TrustedProxies.parse(named)
        except ValueError:
            return False
    return bool(trust_proxy.trusts(peer))


def authenticate(headers: Any, peer: str | None, trust_proxy: Any, tokens: TokenStore,
                 proxy_header: str = "x-forwarded-user") -> Identity | Refusal:
    """The technician behind a request, or why not (``headers`` is case-insensitive, e.g. Starlette's)."""
    proxied = headers.get(proxy_header)
    if proxied is not None:
        if not peer_is_trusted_proxy(trust_proxy, peer):
            return Refusal(403, f"{proxy_header} is honoured only from a proxy named by --trust-proxy")
        name = proxied.strip().lower()
        if not NAME_RE.match(name):
            return Refusal(403, f"{proxy_header}: expected a user name, found {proxied[:40]!r}")
        return Identity(name, "proxy")
    auth = headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return Refusal(401, "expected a technician's token (Authorization: Bearer …)")
    name = tokens.identify(token.strip())
    if name is None:
        return Refusal(401, "unknown or revoked token")
    return Identity(name, "token")
