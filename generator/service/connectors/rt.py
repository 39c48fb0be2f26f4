"""Request Tracker 5: the note becomes a comment through REST2.

``POST <url>/REST/2.0/ticket/<id>/comment`` with ``{"Subject", "Content", "ContentType"}``
answers 201 and ``["Comments added"]`` (RT 5 REST2, docs: https://docs.bestpractical.com/rt/5.0.3/RT/REST2.html,
"Ticket Transactions"). Auth: an RT auth token (``Authorization: token …``) or a user and password.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.service.connectors import (
    DeliveryError,
    HttpRequest,
    HttpResponse,
    Note,
    basic_auth,
    json_answer,
    json_post,
    match_ticket,
    option,
)

SECTION = "ticket.rt"


@dataclass(frozen=True)
class RequestTracker:
    url: str
    authorization: str
    pattern: str = r"(?:RT-?|#)?(\d+)"
    name: str = "rt"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> RequestTracker:
        token = options.get("token")
        auth = f"token {token}" if token else basic_auth(option(options, "user", SECTION),
                                                         option(options, "password", SECTION))
        return cls(option(options, "url", SECTION).rstrip("/"), auth,
                   option(options, "pattern", SECTION, cls.pattern))

    def ticket_id(self, ref: str) -> str | None:
        return match_ticket(self.pattern, ref)

    def request(self, note: Note, now: float) -> HttpRequest:
        body = {"Subject": f"Knowledge base: case summary ({note.session_id[:8]})", "Content": note.text(),
                "ContentType": "text/plain"}
        return json_post(f"{self.url}/REST/2.0/ticket/{note.ticket_id}/comment", self.authorization, body,
                         content_type="application/json; charset=utf-8")

    def accept(self, response: HttpResponse) -> str:
        messages = json_answer(response, "RT", ok=(200, 201), empty=b"[]")
        if isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
            return "; ".join(messages)
        raise DeliveryError(f"RT answered {str(messages)[:120]}", retryable=False)
