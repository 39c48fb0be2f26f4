"""Zammad: the note becomes an internal ``note`` article.

Built from Zammad's documented API (not run against a live Zammad here):
https://docs.zammad.org/en/latest/api/ticket/articles.html ("Create": ``POST /api/v1/ticket_articles``
with ``ticket_id``, ``subject``, ``body``, ``content_type``, ``type``, ``internal``; the answer is the
article, as in the page's sample responses) and https://docs.zammad.org/en/latest/api/intro.html
(token access: ``Authorization: Token token=…``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.service.connectors import (
    DeliveryError,
    HttpRequest,
    HttpResponse,
    Note,
    judge_status,
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
        return HttpRequest("POST", f"{self.url}/api/v1/ticket_articles",
                           {"Content-Type": "application/json", "Accept": "application/json",
                            "Authorization": f"Token token={self.token}"},
                           json.dumps(body, ensure_ascii=False).encode("utf-8"))

    def accept(self, response: HttpResponse) -> str:
        judge_status(response, ok=(200, 201))
        try:
            article = json.loads(response.body)
        except json.JSONDecodeError:
            raise DeliveryError("Zammad answered with something that is not JSON", retryable=True) from None
        if not isinstance(article, dict) or "id" not in article:
            raise DeliveryError(f"Zammad answered without an article id: {str(article)[:120]}", retryable=False)
        return f"article {article['id']} on ticket {article.get('ticket_id', '?')}"
