"""Ticket connectors: one small interface, one module per ticket system.

A connector turns a :class:`Note` (the case summary of one run) into one HTTP request and judges
the answer. It does no I/O of its own: :func:`deliver` sends the request, so each connector can be
tested against the vendor's documented request and response examples, and the outbound queue
(generator/service/outbox.py) owns retries. To add a ticket system, write a module with a class
that has the four members of :class:`TicketConnector` and name it in :data:`KINDS`.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ArticleRef:
    id: str
    title: str
    url: str


@dataclass(frozen=True)
class Note:
    """What the technician posts at the end of a run (notes included: they left the browser on purpose)."""

    session_id: str
    ticket_ref: str
    ticket_id: str
    summary: str
    technician: str
    articles: tuple[ArticleRef, ...] = ()

    def text(self) -> str:
        """The note as plain text: the summary, then the articles used (the KCS link)."""
        lines = [self.summary.rstrip()]
        if self.articles:
            lines += ["", "Artículos de la base de conocimiento usados:"]
            lines += [f"- {a.title} ({a.id}): {a.url}" for a in self.articles]
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "ticket_ref": self.ticket_ref, "ticket_id": self.ticket_id,
                "summary": self.summary, "technician": self.technician,
                "articles": [{"id": a.id, "title": a.title, "url": a.url} for a in self.articles]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Note:
        arts = tuple(ArticleRef(a["id"], a["title"], a["url"]) for a in data.get("articles", []))
        return cls(data["session_id"], data["ticket_ref"], data["ticket_id"], data["summary"],
                   data["technician"], arts)


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class DeliveryError(Exception):
    """A delivery that did not happen; ``retryable`` says whether trying again may help."""

    def __init__(self, reason: str, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class TicketConnector(Protocol):
    @property
    def name(self) -> str:
        """The connector's kind, as named in the integrations file."""

    def ticket_id(self, ref: str) -> str | None:
        """The ticket system's id for the run's ``ticket_ref``; None when it does not match the pattern."""

    def request(self, note: Note, now: float) -> HttpRequest:
        """The one HTTP request that posts ``note`` as an internal note or comment."""

    def accept(self, response: HttpResponse) -> str:
        """Judge the answer: a short receipt (e.g. the new note's id), or raise :class:`DeliveryError`."""


def match_ticket(pattern: str, ref: str) -> str | None:
    """``pattern`` is a regular expression with one group, matched against the whole reference."""
    found = re.fullmatch(pattern, ref.strip())
    return found.group(1) if found else None


def judge_status(response: HttpResponse, ok: tuple[int, ...] = (200, 201, 204)) -> None:
    """The common HTTP verdict: 5xx, 408 and 429 may pass; any other non-success will not."""
    if response.status in ok:
        return
    excerpt = response.body[:200].decode("utf-8", "replace").strip()
    retryable = response.status >= 500 or response.status in (408, 425, 429)
    raise DeliveryError(f"HTTP {response.status}" + (f": {excerpt}" if excerpt else ""), retryable)


def json_post(url: str, authorization: str, body: Mapping[str, Any],
              content_type: str = "application/json") -> HttpRequest:
    """A POST of ``body`` as JSON, as the ticket systems' REST APIs take it."""
    return HttpRequest("POST", url, {"Content-Type": content_type, "Accept": "application/json",
                                     "Authorization": authorization},
                       json.dumps(body, ensure_ascii=False).encode("utf-8"))


def json_answer(response: HttpResponse, vendor: str, ok: tuple[int, ...], empty: bytes = b"") -> Any:
    """The JSON body of a successful answer; a non-JSON one is a retryable :class:`DeliveryError`."""
    judge_status(response, ok=ok)
    try:
        return json.loads(response.body or empty)
    except json.JSONDecodeError:
        raise DeliveryError(f"{vendor} answered with something that is not JSON", retryable=True) from None


def send(req: HttpRequest, timeout: float = 15.0) -> HttpResponse:
    """Send one request; a refused or timed-out connection is a retryable :class:`DeliveryError`."""
    raw = urllib.request.Request(req.url, data=req.body or None, method=req.method, headers=dict(req.headers))
    try:
        with urllib.request.urlopen(raw, timeout=timeout) as resp:
            return HttpResponse(resp.status, resp.read(1 << 20), dict(resp.headers))
    except urllib.error.HTTPError as exc:
        return HttpResponse(exc.code, exc.read(1 << 20) if exc.fp else b"", dict(exc.headers or {}))
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"cannot reach {req.url.split('?')[0]}: {reason}", retryable=True) from None


def deliver(connector: TicketConnector, note: Note, now: float) -> str:
    """Post ``note`` through ``connector``: the receipt, or :class:`DeliveryError`."""
    return connector.accept(send(connector.request(note, now)))


def option(options: Mapping[str, Any], key: str, section: str, default: str | None = None) -> str:
    """A text option; without a default it is required and may not be empty (the error names ``section.key``)."""
    value = options.get(key, default)
    if value is None or value == "":
        raise ValueError(f"{section}.{key}: expected a value, found none")
    if not isinstance(value, str):
        raise ValueError(f"{section}.{key}: expected a text, found {value!r}")
    return value


def basic_auth(user: str, secret: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")


KINDS = ("rt", "webhook", "zammad", "freshdesk")


def build_connector(kind: str, options: Mapping[str, Any]) -> TicketConnector:
    """The connector named ``kind``, configured from its table of the integrations file."""
    if kind == "rt":
        from generator.service.connectors.rt import RequestTracker

        return RequestTracker.from_options(options)
    if kind == "webhook":
        from generator.service.connectors.webhook import Webhook

        return Webhook.from_options(options)
    if kind == "zammad":
        from generator.service.connectors.zammad import Zammad

        return Zammad.from_options(options)
    if kind == "freshdesk":
        from generator.service.connectors.freshdesk import Freshdesk

        return Freshdesk.from_options(options)
    raise ValueError(f"ticket.connector: expected one of {', '.join(KINDS)}, found {kind!r}")
