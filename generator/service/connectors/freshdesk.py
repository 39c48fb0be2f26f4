"""Freshdesk: the note becomes a private note.

Built from Freshdesk's documented API v2 (not run against a live Freshdesk here):
https://developers.freshdesk.com/api/#add_note_to_a_ticket (``POST /api/v2/tickets/[id]/notes`` with
``body`` (HTML) and ``private``; 201 Created with the note, whose ``id``, ``ticket_id`` and
``private`` the page's example shows) and https://developers.freshdesk.com/api/#authentication
(Basic auth with the API key as user name and ``X`` as password).
"""

from __future__ import annotations

import html
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

SECTION = "ticket.freshdesk"


@dataclass(frozen=True)
class Freshdesk:
    url: str  # https://<domain>.freshdesk.com
    api_key: str
    pattern: str = r"(?:FD-?|#)?(\d+)"
    name: str = "freshdesk"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Freshdesk:
        return cls(option(options, "url", SECTION).rstrip("/"), option(options, "api_key", SECTION),
                   option(options, "pattern", SECTION, cls.pattern))

    def ticket_id(self, ref: str) -> str | None:
        return match_ticket(self.pattern, ref)

    def request(self, note: Note, now: float) -> HttpRequest:
        body = {"body": "<br>".join(html.escape(line) for line in note.text().splitlines()), "private": True}
        return json_post(f"{self.url}/api/v2/tickets/{note.ticket_id}/notes", basic_auth(self.api_key, "X"), body)

    def accept(self, response: HttpResponse) -> str:
        created = json_answer(response, "Freshdesk", ok=(201,))
        if not isinstance(created, dict) or "id" not in created:
            raise DeliveryError(f"Freshdesk answered without a note id: {str(created)[:120]}", retryable=False)
        return f"note {created['id']} on ticket {created.get('ticket_id', '?')}"
