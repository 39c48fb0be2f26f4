"""Generic webhook: the note as JSON, signed, to any URL the team runs.

Headers: ``X-KB-Timestamp`` (Unix seconds), ``X-KB-Signature: sha256=<hex>`` (HMAC-SHA256 with the
shared secret over ``"<timestamp>." + body``), ``Idempotency-Key`` (the run's ``session_id``: a
receiver that sees the same key twice stores the note once). A receiver checks the signature
and that the timestamp is within its replay window (:func:`verify` does both, for Python
receivers). Any 2xx is delivered; 5xx, 408, 429 and unreachable hosts are retried by the queue
with backoff, each retry signed afresh.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.service.connectors import HttpRequest, HttpResponse, Note, judge_status, match_ticket, option

SECTION = "ticket.webhook"
REPLAY_WINDOW_S = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float,
           window: int = REPLAY_WINDOW_S) -> str | None:
    """None when the request is authentic and fresh; otherwise the reason to refuse it."""
    lower = {k.lower(): v for k, v in headers.items()}
    stamp, sig = lower.get("x-kb-timestamp", ""), lower.get("x-kb-signature", "")
    if not stamp.isdigit():
        return "expected an X-KB-Timestamp of Unix seconds"
    if abs(now - int(stamp)) > window:
        return f"expected a timestamp within {window} s of now, found {int(now) - int(stamp)} s off"
    if not hmac.compare_digest(signature(secret, stamp, body), sig):
        return "expected a valid X-KB-Signature"
    return None


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str
    pattern: str = r"(.{1,64})"  # any reference: the receiver maps it
    name: str = "webhook"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Webhook:
        secret = option(options, "secret", SECTION)
        if len(secret) < 16:
            raise ValueError(f"{SECTION}.secret: expected at least 16 characters, found {len(secret)}")
        return cls(option(options, "url", SECTION), secret, option(options, "pattern", SECTION, cls.pattern))

    def ticket_id(self, ref: str) -> str | None:
        return match_ticket(self.pattern, ref)

    def request(self, note: Note, now: float) -> HttpRequest:
        body = json.dumps({"type": "ticket_note", **note.as_json(), "text": note.text()}, ensure_ascii=False,
                          sort_keys=True).encode("utf-8")
        stamp = str(int(now))
        return HttpRequest("POST", self.url, {"Content-Type": "application/json", "X-KB-Timestamp": stamp,
                                              "X-KB-Signature": signature(self.secret, stamp, body),
                                              "Idempotency-Key": note.session_id}, body)

    def accept(self, response: HttpResponse) -> str:
        judge_status(response, ok=tuple(range(200, 300)))
        return f"HTTP {response.status}"
