"""Zammad: the note becomes an internal ``note`` article.

Built from Zammad's documented API (not run against a live Zammad here):
https://docs.zammad.org/en/latest/api/ticket/articles.html ("Create": ``POST /api/v1/ticket_articles``
with ``ticket_id``, ``subject``, ``body``, ``content_type``, ``type``, ``internal``; the answer is the
article, as in the page's sample responses) and https://docs.zammad.org/en/latest/api/intro.html
(token access: ``Authorization: Token token=…``).
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
    json_answer,
    json_post,
    match_ticket,
    option,
)

SECTION = "ticket.zammad"


@dataclass(frozen=True)
class Zammad:
    url: str
    token: str
    pattern: str = r"(?:Z-?|#)?(\d+)"
    name: str = "zammad"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Zammad:
        return cls(option(options, "url", SECTION).rstrip("/"), option(options, "token", SECTION),
                   option(options, "pattern", SECTION, cls.pattern))

    def ticket_id(self, ref: str) -> str | None:
        return match_ticket(self.pattern, ref)

    def request(self, note: Note, now: float) -> HttpRequest:
        body = {"ticket_id": int(note.ticket_id), "subject": "Knowledge base: case summary",
                "body": note.text(), "content_type": "text/plain", "type": "note", "internal": True}
        return json_post(f"{self.url}/api/v1/ticket_articles", f"Token token={self.token}", body)

    def accept(self, response: HttpResponse) -> str:
        article = json_answer(response, "Zammad", ok=(200, 201))
        if not isinstance(article, dict) or "id" not in article:
            raise DeliveryError(f"Zammad answered without an article id: {str(article)[:120]}", retryable=False)
        return f"article {article['id']} on ticket {article.get('ticket_id', '?')}"
