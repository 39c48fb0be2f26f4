"""From the end of a run to the ticket and the customer: ``/api/ticket-note``, ``/api/followup``.

Only authenticated technicians (generator/service/auth.py) may post. A note goes to the
configured ticket connector; a follow-up e-mail to the SMTP server, after a preview and the
technician's confirmation. Both pass through the outbound queue (generator/service/outbox.py):
an attempt is made at once, and a system that is down gets the item later, once. Posting a note
records its articles as ``article_used`` events (the KCS link); a delivered e-mail records
``followup_sent`` (never the address); every delivered or given-up item records a ``delivery``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from generator.model.fields import ID_PATTERN
from generator.model.manifest import Manifest
from generator.pipeline.manifest import read_manifest
from generator.service.auth import Identity, Refusal, TokenStore, authenticate
from generator.service.connectors import ArticleRef, DeliveryError, Note, deliver
from generator.service.events import UUID_RE
from generator.service.http import error, read_json
from generator.service.integrations import Integrations
from generator.service.mail import build_message, check_address, send_message
from generator.service.outbox import Item, Outbox
from generator.store import Store

MAX_BODY = 64 * 1024
_NS = uuid.UUID("5f0b1c9e-2d7a-4c1e-9a57-6b3f1d2e8c40")  # server-made event ids: one per fact


class NoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    session_id: Annotated[StrictStr, Field(pattern=UUID_RE)]
    ticket_ref: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    summary: Annotated[StrictStr, Field(min_length=1, max_length=20_000)]
    articles: Annotated[list[Annotated[StrictStr, Field(pattern=ID_PATTERN)]], Field(max_length=50)] = []


class FollowupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    session_id: Annotated[StrictStr, Field(pattern=UUID_RE)]
    to: Annotated[StrictStr, Field(min_length=3, max_length=254)]
    message: Annotated[StrictStr, Field(min_length=1, max_length=20_000)]
    confirm: StrictBool = False


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _event(event_type: str, key: str, **fields: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid5(_NS, f"{event_type}:{key}")), "type": event_type, "ts": _now_iso(), **fields}


def _invalid(exc: ValidationError) -> JSONResponse:
    first = exc.errors(include_url=False)[0]
    name = ".".join(str(p) for p in first["loc"]) or "body"
    return error(400, f"{name}: {first['msg']}")


class Outbound:
    """The routes, the tokens and the outbound queue of one service."""

    def __init__(self, data_dir: Path, site_dir: Path, store: Store, integrations: Integrations,
                 trust_proxy: Any, origin_allowed: Callable[[Request], bool]) -> None:
        self.store, self.integrations, self.trust_proxy = store, integrations, trust_proxy
        self.origin_allowed = origin_allowed
        self.site_dir = site_dir
        self.tokens = TokenStore(data_dir)
        opts = integrations.outbound
        self.outbox = Outbox(data_dir, {"note": self._send_note, "mail": self._send_mail},
                             base_delay=opts.base_delay_seconds, max_delay=opts.max_delay_seconds,
                             retention=opts.retention_days * 86_400, on_final=self._record_final)

    # --- delivery (in the queue's thread) ------------------------------------------------------
    def _send_note(self, payload: Any, now: float) -> str:
        connector = self.integrations.connector
        if connector is None:
            raise DeliveryError("no ticket connector is configured any more", retryable=True)
        return deliver(connector, Note.from_json(payload), now)

    def _send_mail(self, payload: Any, now: float) -> str:
        smtp = self.integrations.smtp
        if smtp is None:
            raise DeliveryError("no SMTP server is configured any more", retryable=True)
        return send_message(smtp, build_message(smtp, payload["to"], payload["body"], payload["session_id"]))

    def _record_final(self, item: Item) -> None:
        # one delivery event per queueing (an item given up may be queued again, corrected)
        events = [_event("delivery", f"{item.key}:{item.created_at}", page="/api/outbound",
                         session_id=item.session_id, kind=item.kind, channel=item.channel, outcome=item.status,
                         attempts=item.attempts, **({"error": item.last_error[:200]} if item.last_error else {}))]
        if item.kind == "mail" and item.status == "delivered":
            events.append(_event("followup_sent", item.session_id, page="/api/followup",
                                 session_id=item.session_id, channel="email"))
        self.store.insert(events)

    # --- HTTP ----------------------------------------------------------------------------------
    def _who(self, request: Request) -> Identity | Response:
        if not self.origin_allowed(request):
            return error(403, "origin not allowed")
        peer = request.client.host if request.client else None
        found = authenticate(request.headers, peer, self.trust_proxy, self.tokens, self.integrations.proxy_header)
        if isinstance(found, Refusal):
            return error(found.status, found.reason)
        return found

    async def me(self, request: Request) -> Response:
        who = self._who(request)
        if not isinstance(who, Identity):
            return who
        return JSONResponse({"technician": who.name, "via": who.via,
                             "ticket": self.integrations.connector.name if self.integrations.connector else None,
                             "mail": self.integrations.smtp is not None}, headers={"Cache-Control": "no-store"})

    def _articles(self, request: Request, ids: list[str]) -> tuple[ArticleRef, ...] | Response:
        known = (read_manifest(self.site_dir) or Manifest()).articles
        base = str(request.base_url).rstrip("/")
        refs = []
        for i, aid in enumerate(dict.fromkeys(ids)):
            meta = known.get(aid)
            if meta is None:
                return error(400, f"articles[{i}]: expected an article of this site, found {aid!r}")
            refs.append(ArticleRef(aid, meta.title, base + meta.url))
        return tuple(refs)

    async def post_note(self, request: Request) -> Response:
        who = self._who(request)
        if not isinstance(who, Identity):
            return who
        connector = self.integrations.connector
        if connector is None:
            return error(503, "no ticket connector is configured on this server (docs/operations.md)")
        payload = await read_json(request, MAX_BODY)
        if isinstance(payload, Response):
            return payload
        try:
            req = NoteRequest.model_validate(payload)
        except ValidationError as exc:
            return _invalid(exc)
        ticket_id = connector.ticket_id(req.ticket_ref)
        if ticket_id is None:
            return error(400, f"ticket_ref: expected a reference to a {connector.name} ticket, "
                         f"found {req.ticket_ref!r}")
        articles = self._articles(request, req.articles)
        if isinstance(articles, Response):
            return articles
        note = Note(req.session_id.lower(), req.ticket_ref, ticket_id, req.summary, who.name, articles)
        item, new = self.outbox.put(f"note:{note.session_id}", "note", connector.name, note.session_id,
                                    note.as_json(), time.time())
        if new:
            used = [_event("article_used", f"{note.session_id}:{a.id}", page="/api/ticket-note", article_id=a.id,
                           ticket_ref=req.ticket_ref, technician=who.name, session_id=note.session_id)
                    for a in articles]
            if used:
                await run_in_threadpool(self.store.insert, used)
        return await self._attempt(item, new)

    async def _attempt(self, item: Item, new: bool) -> Response:
        if new:
            done = await run_in_threadpool(self.outbox.process, None, item.key)
            item = done[0] if done else await self._settled(item)
        body = {**item.as_json(), "duplicate": not new}
        status = {"delivered": 200, "failed": 502}.get(item.status, 202)
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    async def _settled(self, item: Item, wait: float = 20.0) -> Item:
        """The item once the queue's thread, which took it first, has finished its attempt."""
        deadline = time.monotonic() + wait
        current = self.outbox.get(item.key) or item
        while current.status == "sending" and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            current = self.outbox.get(item.key) or current
        return current

    async def post_followup(self, request: Request) -> Response:
        who = self._who(request)
        if not isinstance(who, Identity):
            return who
        smtp = self.integrations.smtp
        if smtp is None:
            return error(503, "no SMTP server is configured on this server (docs/operations.md)")
        payload = await read_json(request, MAX_BODY)
        if isinstance(payload, Response):
            return payload
        try:
            req = FollowupRequest.model_validate(payload)
        except ValidationError as exc:
            return _invalid(exc)
        session = req.session_id.lower()
        problem = check_address(req.to.strip())
        if problem:
            return error(400, f"to: {problem}")
        if f"run={session}" not in req.message:
            return error(400, "message: expected the satisfaction link of this run (…?run=<session_id>)")
        msg = build_message(smtp, req.to.strip(), req.message, session)
        if not req.confirm:
            return JSONResponse({"preview": {"from": msg["From"], "to": msg["To"], "subject": msg["Subject"],
                                             "body": req.message}}, headers={"Cache-Control": "no-store"})
        item, new = self.outbox.put(f"mail:{session}", "mail", "smtp", session,
                                    {"to": req.to.strip(), "body": req.message, "session_id": session}, time.time())
        return await self._attempt(item, new)

    async def status(self, request: Request) -> Response:
        who = self._who(request)
        if not isinstance(who, Identity):
            return who
        session = request.path_params["session_id"].lower()
        items = [i.as_json() for i in (self.outbox.get(f"{k}:{session}") for k in ("note", "mail")) if i]
        return JSONResponse({"items": items}, headers={"Cache-Control": "no-store"})

    def routes(self) -> list[Route]:
        return [Route("/api/me", self.me, methods=["GET"]),
                Route("/api/ticket-note", self.post_note, methods=["POST"]),
                Route("/api/followup", self.post_followup, methods=["POST"]),
                Route("/api/outbound/{session_id}", self.status, methods=["GET"])]

    def start(self) -> None:
        self.outbox.start(self.integrations.outbound.interval_seconds)

    def close(self) -> None:
        self.outbox.close()
