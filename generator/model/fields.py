"""Field types shared by the content models. Pure: no I/O, no framework imports."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
ID_RE = re.compile(ID_PATTERN)
# Names Windows refuses as files: an id becomes a file and a URL path.
RESERVED_IDS = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_id(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in RESERVED_IDS:
        raise PydanticCustomError(
            "reserved_id", "expected an id that can be a file name on every system, found the reserved name {found}",
            {"found": repr(value)},
        )
    return value


def _parse_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_format", "expected a date as YYYY-MM-DD, found {found}",
                              {"found": repr(value)})


Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    BeforeValidator(_check_id),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN, "maxLength": 64}),
]
"""Lower-case letters, digits and hyphens, starting with a letter or digit, at most 64."""

Day = Annotated[date, BeforeValidator(_parse_date), WithJsonSchema({"type": "string", "format": "date"})]
"""A calendar date written as YYYY-MM-DD."""

Line = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
"""A short, non-empty line of text: titles, labels, targets."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
"""Free text or Markdown, at most 10,000 characters."""

# The enumerations of the content and of the events, each declared once here: the models, the
# service's event checks, the search filters, the CLI choices, the report and the browser's scripts
# (through the data the pages carry) read these.
Audience = Literal["technician", "end-user", "both"]
AUDIENCES: tuple[Audience, ...] = get_args(Audience)
Channel = Literal["phone", "chat", "remote", "email"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
Lang = Literal["es", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
Level = Literal["basic", "advanced"]
"""The customer's skill level a technician picks in the runner (which `say` wording to read)."""
LEVELS: tuple[Level, ...] = get_args(Level)
Outcome = Literal["resolved", "escalated", "abandoned", "unresolved"]
"""How a protocol run ended."""
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
Reason = Literal["outdated", "unclear", "did_not_work", "missing_info", "other"]
"""Why a reader found an article unhelpful (the feedback widget's choices)."""
REASONS: tuple[Reason, ...] = get_args(Reason)

STRICT = ConfigDict(strict=True, extra="forbid", frozen=True, str_strip_whitespace=False)

ReviewDays = Annotated[int, Field(ge=1, le=3650)]
Minutes = Annotated[int, Field(ge=1, le=480)]

# --- field metadata: what the lint, the search index, the runner's data and the pages loop over ------------

Reader = Literal["technician", "customer", "confident_customer", "document"]
SearchField = Literal["title", "symptoms", "summary", "keywords", "body"]


@dataclass(frozen=True)
class TextField:
    """What a text field is, declared once on the model with ``Annotated[..., TextField(...)]``.

    The lint (generator/lint/texts.py), the search documents (generator/search/documents.py), the
    runner's data (generator/render/runner.py) and the protocol page (generator/render/pages.py) loop
    over these instead of naming fields; a new field with this metadata is linted, indexed and shown.
    """

    reader: Reader
    """Who reads it: always the technician; the customer (what is said or sent to them: end-user
    thresholds, the jargon and blame rules); a confident customer (technician thresholds, the blame
    rule); or whoever the document is for (its audience: a self-service guide is read by end users)."""
    markdown: bool = False
    """Markdown (rendered to HTML on the page and in the runner) or plain text."""
    prose: bool = False
    """Sentences: the sentence-length and readability rules apply (a label or a title is not prose)."""
    lint: bool = True
    """The content-quality rules read it."""
    search: SearchField | None = None
    """The search field its words go into (None: not indexed)."""
    sent: bool = False
    """Goes into the plain-text follow-up message for the customer: the runner gets it as plain text."""
    public: bool = False
    """For reader "document": on a page for end users the reader sees these words as written (the blame
    rule applies)."""
    callout: Literal["caution"] | None = None
    """A line shown as a callout with this style before the step's options: on the page, in print and
    in the runner (technician mode only when the reader is the technician)."""


def field_meta(info: FieldInfo) -> TextField | None:
    return next((m for m in info.metadata if isinstance(m, TextField)), None)


def text_fields(model: type[BaseModel]) -> Iterator[tuple[str, TextField]]:
    """The fields of a model that carry :class:`TextField` metadata, in declaration order."""
    for name, info in model.model_fields.items():
        meta = field_meta(info)
        if meta is not None:
            yield name, meta


@dataclass(frozen=True)
class FieldText:
    """One text value of a model instance, with where it is and what it is."""

    path: tuple[str | int, ...]  # ('steps', 2, 'say', 'basic')
    meta: TextField
    value: str


def _may_hold_model(annotation: Any) -> bool:
    """Whether a field of this type may hold a model (``Any`` or an unknown form: it may)."""
    if annotation is Any:
        return True
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return False
    if origin is Annotated:
        return _may_hold_model(args[0])
    return any(_may_hold_model(a) for a in args) if args else True


@functools.cache
def _text_plan(model: type[BaseModel]) -> tuple[tuple[str, TextField | None], ...]:
    """The fields of ``model`` :func:`field_texts` looks at, in order: those with metadata and those
    that may hold a nested model (the others never give a text)."""
    return tuple((name, field_meta(info)) for name, info in model.model_fields.items()
                 if field_meta(info) is not None or _may_hold_model(info.annotation))


def field_texts(obj: BaseModel, path: tuple[str | int, ...] = ()) -> Iterator[FieldText]:
    """Every text with metadata in an instance and its nested models (lists included), in field order."""
    for name, meta in _text_plan(type(obj)):
        value = getattr(obj, name)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, item in items:
            here = (*path, name) if i is None else (*path, name, i)
            if isinstance(item, BaseModel):
                yield from field_texts(item, here)
            elif meta is not None and isinstance(item, str):
                yield FieldText(here, meta, item)


# --- the metadata Article and Protocol share --------------------------------------------------------------

class ContentMeta(BaseModel):
    """What every article and protocol declares: who owns it, when it was reviewed, its language."""

    model_config = STRICT

    id: Id = Field(description="Unique across kb/ and protocols/; the file name without its extension.")
    audience: Audience = Field(description="technician, end-user (a self-service page) or both.")
    tags: Annotated[list[Line], TextField("document", lint=False, search="keywords")] = Field(
        default_factory=list, description="Free tags for the tag index.")
    owner: Line = Field(description="Team or person who keeps this page right.")
    reviewed: Day = Field(description="Date of the last review, YYYY-MM-DD.")
    review_every_days: ReviewDays = Field(180, description="Days between reviews.")
    lang: Lang = Field("es", description="Language of the text.")
    translation_of: Id | None = Field(None, description="Id of the page (article or protocol) this one "
                                      "translates.")


@dataclass(frozen=True)
class Callout:
    """A field shown as a callout (``TextField.callout``) with its value."""

    name: str  # the field's name: the key of its label in the UI strings
    style: str  # 'caution'
    text: str
    technician: bool  # only the technician reads it


def callouts(obj: BaseModel) -> tuple[Callout, ...]:
    """The callouts an instance (a step) has, in field order."""
    out = []
    for name, meta in text_fields(type(obj)):
        value = getattr(obj, name)
        if meta.callout is not None and isinstance(value, str) and value:
            out.append(Callout(name, meta.callout, value, meta.reader == "technician"))
    return tuple(out)
