"""The event contract: what the browser may send to ``POST /api/events``.

Pure functions over parsed JSON: no I/O, no framework. Every event is checked for
types, lengths, timestamps and (with a manifest from the build) known article,
protocol and step ids. Errors name the event (index and id) and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)
from pydantic import model_validator as _model_validator
from pydantic_core import PydanticCustomError

from generator.diagnostics import Diagnostic
from generator.model.fields import ID_PATTERN, Channel, Level, Outcome, Reason
from generator.model.manifest import Manifest

MAX_EVENTS_PER_BATCH = 100
MAX_AGE = timedelta(days=90)  # a browser queue may hold events while offline
MAX_SKEW = timedelta(hours=24)  # clocks are wrong; the future is not that far

UUID_RE = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")

Uuid = Annotated[StrictStr, Field(pattern=UUID_RE)]
ContentId = Annotated[StrictStr, Field(pattern=ID_PATTERN)]
Short = Annotated[StrictStr, Field(min_length=1, max_length=64)]
Label = Annotated[StrictStr, Field(min_length=1, max_length=200)]
Comment = Annotated[StrictStr, Field(max_length=1000)]
Rating = Annotated[StrictInt, Field(ge=1, le=5)]
Page = Annotated[StrictStr, Field(min_length=1, max_length=2048, pattern=r"^/")]
Seconds = Annotated[StrictInt, Field(ge=0, le=86_400)]


def _parse_ts(value: Any) -> datetime:
    if not isinstance(value, str) or not _TS_RE.match(value):
        raise PydanticCustomError("timestamp", "expected an ISO 8601 time with a zone, such as "
                                  "2026-11-23T10:00:00Z, found {found}", {"found": repr(value)[:60]})
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _check_ts(value: str) -> str:
    _parse_ts(value)
    return value


Timestamp = Annotated[StrictStr, AfterValidator(_check_ts)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Uuid = Field(description="Client-made UUID; the idempotency key.")
    ts: Timestamp = Field(description="When it happened, ISO 8601 with a zone.")
    page: Page = Field(description="Path of the page it came from.")
    client: Uuid | None = Field(None, description="Anonymous random id of the browser (localStorage, no "
                                "cookie); used only to measure retention.")

    @_model_validator(mode="before")
    @classmethod
    def _no_notes(cls, data: Any) -> Any:
        if isinstance(data, dict) and "notes" in data:
            raise PydanticCustomError("notes", "expected no notes: a technician's notes stay in the browser", {})
        return data


class ViewEvent(_Event):
    type: Literal["view"]
    article_id: ContentId | None = None
    protocol_id: ContentId | None = None


class FeedbackEvent(_Event):
    type: Literal["feedback"]
    article_id: ContentId
    helpful: StrictBool | None = None
    rating: Rating | None = None
    reason: Reason | None = None
    comment: Comment | None = None
    by_technician: StrictBool = False

    @_model_validator(mode="after")
    def _something(self) -> FeedbackEvent:
        if self.helpful is None and self.rating is None and not self.comment:
            raise PydanticCustomError("feedback_empty", "expected helpful, rating or comment, found none", {})
        return self


class SearchEvent(_Event):
    type: Literal["search"]
    query: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    results: Annotated[StrictInt, Field(ge=0, le=100_000)]
    clicked: Label | None = None
    source: Literal["static", "server"] | None = None


class PathStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    step: ContentId
    answer: Label | None = None
    seconds: Seconds
    back: StrictBool = False  # the technician left this step with "back" (back-rates per step)

    @_model_validator(mode="after")
    def _back_has_no_answer(self) -> PathStep:
        if self.back and self.answer is not None:
            raise PydanticCustomError("path_back", "expected no answer on a step left with back, found {answer}",
                                      {"answer": self.answer})
        return self


class ProtocolRunEvent(_Event):
    type: Literal["protocol_run"]
    session_id: Uuid
    protocol_id: ContentId
    protocol_version: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    started_at: Timestamp
    ended_at: Timestamp
    contact_at: Timestamp | None = None  # when the customer got in touch, if known (response time)
    outcome: Outcome
    path: Annotated[list[PathStep], Field(max_length=500)]
    resolved_step: ContentId | None = None
    cause: Label | None = None
    escalated_to: Label | None = None
    channel: Channel | None = None
    customer_level: Level | None = None
    mode: Literal["technician", "self-service"] | None = None
    ticket_ref: Short | None = None
    technician: Short | None = None
    articles_used: Annotated[list[ContentId], Field(max_length=50)] = []
    practice: StrictBool = False

    @_model_validator(mode="after")
    def _times(self) -> ProtocolRunEvent:
        start, end = _parse_ts(self.started_at), _parse_ts(self.ended_at)
        if self.contact_at is not None and _parse_ts(self.contact_at) > start:
            raise PydanticCustomError("run_times", "expected contact_at not after started_at, found {contact}",
                                      {"contact": self.contact_at})
        if end < start:
            raise PydanticCustomError("run_times", "expected ended_at not before started_at, found "
                                      "{end} before {start}", {"end": self.ended_at, "start": self.started_at})
        return self


class ArticleUsedEvent(_Event):
    type: Literal["article_used"]
    article_id: ContentId
    ticket_ref: Short | None = None
    technician: Short | None = None
    session_id: Uuid | None = None


class CsatEvent(_Event):
    type: Literal["csat"]
    session_id: Uuid
    rating: Rating
    comment: Comment | None = None


class FollowupSentEvent(_Event):
    """Recorded by the server when the follow-up e-mail was accepted by the mail server; never the address."""

    type: Literal["followup_sent"]
    session_id: Uuid
    channel: Literal["email"] = "email"
    technician: Short | None = None


class DeliveryEvent(_Event):
    """Recorded by the server when an outbound item (ticket note, e-mail) was delivered or given up."""

    type: Literal["delivery"]
    session_id: Uuid
    kind: Literal["note", "mail"]
    channel: Short
    outcome: Literal["delivered", "failed"]
    attempts: Annotated[StrictInt, Field(ge=1, le=100_000)]
    error: Label | None = None


Event = Annotated[
    ViewEvent | FeedbackEvent | SearchEvent | ProtocolRunEvent | ArticleUsedEvent | CsatEvent | FollowupSentEvent
    | DeliveryEvent,
    Field(discriminator="type"),
]
EVENT_TYPES = ("view", "feedback", "search", "protocol_run", "article_used", "csat", "followup_sent", "delivery")
SERVER_ONLY_TYPES = frozenset({"followup_sent", "delivery"})  # the browser may not send these
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Event)


def problem(index: int | None, event_id: str | None, field: str, reason: str) -> Diagnostic:
    """A refused event as the one Diagnostic type: ``events:<n>:1`` is the n-th event of the batch
    (1-based, as a line of an exported events.jsonl), ``body:1:1`` the batch itself; the key is the
    field, the subject the event's id."""
    return Diagnostic("body" if index is None else "events", 1 if index is None else index + 1, 1, field, reason,
                      subject=event_id)


def problem_json(problem: Diagnostic) -> dict[str, Any]:
    """A refused event in the 400 answer: ``{"index", "id", "field", "reason"}`` (docs/operations.md)."""
    index = problem.line - 1 if problem.path == "events" else None
    return {"index": index, "id": problem.subject, "field": problem.key, "reason": problem.message}


@dataclass
class Batch:
    events: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    honeypot: bool = False


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value[:40] + ("..." if len(value) > 40 else ""))
    if isinstance(value, int | float):
        return str(value)
    return "a list" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__


def _reason(err: Any) -> tuple[str, str]:
    loc = [p for p in err["loc"] if p not in EVENT_TYPES]
    name = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[") or "event"
    kind, ctx, found = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return name, "expected this field, found it missing"
    if kind == "extra_forbidden":
        return name, "expected a known field, found an unknown one"
    if kind == "union_tag_invalid":
        return "type", f"expected one of {', '.join(EVENT_TYPES)}, found {_describe(found.get('type'))}" \
            if isinstance(found, dict) else "expected an event object"
    if kind == "union_tag_not_found":
        return "type", "expected this field, found it missing"
    if kind == "string_pattern_mismatch":
        what = {"id": "a UUID", "session_id": "a UUID", "page": "a path starting with /"}.get(
            str(loc[-1]) if loc else "", "an id of lower-case letters, digits and hyphens")
        return name, f"expected {what}, found {_describe(found)}"
    if kind in ("string_too_long", "too_long"):
        return name, f"expected at most {ctx.get('max_length')} {'characters' if 'string' in kind else 'items'}, " \
            f"found {len(found) if hasattr(found, '__len__') else '?'}"
    if kind == "string_too_short":
        return name, f"expected a non-empty text, found {_describe(found)}"
    if kind == "greater_than_equal":
        return name, f"expected a number of at least {ctx.get('ge')}, found {_describe(found)}"
    if kind == "less_than_equal":
        return name, f"expected a number of at most {ctx.get('le')}, found {_describe(found)}"
    if kind == "literal_error":
        return name, f"expected one of {ctx.get('expected')}, found {_describe(found)}"
    if kind == "timestamp":
        return name, str(err["msg"])
    simple = {"string_type": "a text", "int_type": "a whole number", "bool_type": "true or false",
              "list_type": "a list", "model_type": "an object", "dict_type": "an object",
              "model_attributes_type": "an object"}
    if kind in simple:
        return name, f"expected {simple[kind]}, found {_describe(found)}"
    return name, str(err["msg"]).removeprefix("Value error, ")


def _known(ev: dict[str, Any], manifest: Manifest) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    aid = ev.get("article_id")
    if aid is not None and aid not in manifest.articles:
        out.append(("article_id", f"expected an article of this site, found {aid!r}"))
    pid = ev.get("protocol_id")
    if pid is not None:
        protocol = manifest.protocols.get(pid)
        if protocol is None:
            out.append(("protocol_id", f"expected a protocol of this site, found {pid!r}"))
        else:
            steps = protocol.steps
            for i, p in enumerate(ev.get("path") or []):
                if p["step"] not in steps:
                    out.append((f"path[{i}].step", f"expected a step of {pid}, found {p['step']!r}"))
            rs = ev.get("resolved_step")
            if rs is not None and rs not in steps:
                out.append(("resolved_step", f"expected a step of {pid}, found {rs!r}"))
    for i, used in enumerate(ev.get("articles_used") or []):
        if used not in manifest.articles:
            out.append((f"articles_used[{i}]", f"expected an article of this site, found {used!r}"))
    return out


# C0 controls other than tab, line feed and carriage return, DEL, and lone surrogates (from JSON "\\ud800"):
# PostgreSQL text cannot hold NUL, no store can encode a lone surrogate, and none of them is text a person
# typed. Refused the same way whatever the store (400 naming the field), never stored, never a 500.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _control(value: Any, where: str = "") -> tuple[str, str] | None:
    """(field, reason) for the first text, or object key, holding a control character or a lone surrogate."""
    if isinstance(value, str):
        m = _CONTROL.search(value)
        if m is None:
            return None
        char = m.group()
        what = "a lone surrogate" if "\ud800" <= char <= "\udfff" else f"the control character U+{ord(char):04X}"
        return where or "body", f"expected text without control characters, found {what} at character " \
            f"{m.start() + 1}"
    if isinstance(value, dict):
        for key, item in value.items():
            if _CONTROL.search(key):
                return where or "body", "expected field names without control characters, found one"
            found = _control(item, f"{where}.{key}" if where else key)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _control(item, f"{where}[{i}]")
            if found:
                return found
    return None


def _stored(raw: dict[str, Any]) -> dict[str, Any]:
    """A valid event as stored: as sent, without its nulls. The same as the validated model's
    ``model_dump(exclude_none=True, exclude_unset=True)`` (strict types: nothing is converted; unknown
    fields are refused), without building the dump: a copy, so the request's own dict stays as sent."""
    ev = {k: v for k, v in raw.items() if v is not None}
    if "path" in ev:
        ev["path"] = [{k: v for k, v in step.items() if v is not None} for step in ev["path"]]
    if "articles_used" in ev:
        ev["articles_used"] = list(ev["articles_used"])
    return ev


def controls_possible(body: bytes) -> bool:
    """Whether a JSON body's decoded values may hold what :func:`_control` refuses. Strict JSON has no raw
    C0 controls in strings, and UTF-8 cannot encode a surrogate: only an escape (``\\u``, ``\\b``, ``\\f``)
    or a raw DEL can bring one in. Browsers write none of them for ordinary text, so most bodies skip the
    walk over every value."""
    return b"\\u" in body or b"\\b" in body or b"\\f" in body or b"\x7f" in body


def validate_batch(payload: Any, manifest: Manifest | None, now: datetime | None = None, *,
                   controls: bool = True) -> Batch:
    """Check a decoded request body. Problems list every bad event and field. ``controls=False``: the
    body was seen to hold no control characters (:func:`controls_possible`), the walk is skipped."""
    now = now or datetime.now(UTC)
    batch = Batch()
    if not isinstance(payload, dict):
        found = _describe(payload)
        batch.problems.append(problem(None, None, "body", f"expected an object with events, found {found}"))
        return batch
    extra = sorted(set(payload) - {"events", "hp"})
    if extra:
        batch.problems.append(problem(None, None, extra[0], "expected only events and hp, found an unknown field"))
    hp = payload.get("hp")
    if isinstance(hp, str) and _control(hp):
        hp = "x"  # a bot; the honeypot answer
    if hp not in (None, "") and not isinstance(hp, str):
        batch.problems.append(problem(None, None, "hp", f"expected a text, found {_describe(hp)}"))
    batch.honeypot = isinstance(hp, str) and hp != ""
    events = payload.get("events")
    if not isinstance(events, list) or not events:
        batch.problems.append(problem(None, None, "events", f"expected a non-empty list of events, found "
                                      f"{_describe(events) if events != [] else 'an empty list'}"))
        return batch
    if len(events) > MAX_EVENTS_PER_BATCH:
        batch.problems.append(problem(None, None, "events", f"expected at most {MAX_EVENTS_PER_BATCH} events, "
                                      f"found {len(events)}"))
        return batch
    seen: set[str] = set()
    for i, raw in enumerate(events):
        event_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        bad = _control(raw) if controls else None
        if bad is not None:
            batch.problems.append(problem(i, None if event_id is None or _control(event_id) else event_id, *bad))
            continue
        try:
            _ADAPTER.validate_python(raw)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                fname, reason = _reason(err)
                batch.problems.append(problem(i, event_id, fname, reason))
            continue
        ev = _stored(raw)
        ev["id"] = ev["id"].lower()
        ts = _parse_ts(ev["ts"])
        if ts > now + MAX_SKEW or ts < now - MAX_AGE:
            batch.problems.append(problem(i, event_id, "ts", f"expected a time within {MAX_AGE.days} days before "
                                          f"and 24 hours after now, found {ev['ts']}"))
            continue
        for fname, reason in _known(ev, manifest) if manifest else []:
            batch.problems.append(problem(i, event_id, fname, reason))
        if ev["id"] in seen:
            continue  # the same event twice in one batch: stored once
        seen.add(ev["id"])
        batch.events.append(ev)
    if batch.problems:
        batch.events = []
    return batch
