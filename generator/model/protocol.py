"""Protocol, Step and Option: a troubleshooting protocol as a typed, immutable graph."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from generator.model.fields import CHANNELS, STRICT, Channel, ContentMeta, Id, Line, Minutes, Text, TextField

# Field metadata (see TextField): who reads each text, how it is written, where search indexes it.
_SAID = TextField("customer", markdown=True, prose=True, search="body")  # said or sent to the customer
_SENT = TextField("customer", markdown=True, prose=True, search="body", sent=True)  # in the follow-up message
_LABEL = TextField("document", search="summary")  # a one-line label the document's reader sees
_CAUSE = TextField("document", lint=False, search="summary")  # a cause found: its own lint rule
_TEAM = TextField("document", lint=False)  # a team or level to hand over to


class Say(BaseModel):
    """What to tell the customer, by their skill level."""

    model_config = STRICT

    basic: Annotated[Text, _SAID] = Field(description="Wording for a customer with little technical knowledge.")
    advanced: Annotated[Text | None, TextField("confident_customer", markdown=True, prose=True, search="body")] = Field(
        None, description="Wording for a technically confident customer; "
                                  "defaults to the basic wording.")


class Option(BaseModel):
    """One answer to a step's question; leads to exactly one of next, resolve or escalate."""

    model_config = STRICT

    label: Annotated[Line, TextField("document")] = Field(description="The answer as shown on the button, e.g. 'Sí'.")
    next: Id | None = Field(None, description="Id of the step to go to.")
    resolve: Annotated[Line | None, _CAUSE] = Field(None, description="Ends the run as resolved; the cause found.")
    escalate: Annotated[Line | None, _TEAM] = Field(None, description="Ends the run as escalated; the team or level "
                                                   "to hand over to.")
    explain: Annotated[Text | None, _SENT] = Field(None, description="For the customer: what happened, in plain words "
                                 "(used in the follow-up message).")
    prevent: Annotated[Text | None, _SENT] = Field(None, description="For the customer: how to avoid it next time.")

    @model_validator(mode="after")
    def _one_outcome(self) -> Self:
        chosen = [k for k in ("next", "resolve", "escalate") if getattr(self, k) is not None]
        if len(chosen) != 1:
            found = "none of them" if not chosen else " and ".join(chosen)
            raise PydanticCustomError("one_outcome", "expected exactly one of next, resolve or escalate, "
                                      "found {found}", {"found": found})
        if self.next is not None and (self.explain or self.prevent):
            raise PydanticCustomError("explain_without_resolve", "expected explain and prevent only on an option "
                                      "that resolves, found them on an option with next", {})
        return self


class Step(BaseModel):
    """A step of a protocol: a question with options, or an ending (resolve or escalate)."""

    model_config = STRICT

    id: Id = Field(description="Unique within the protocol; used in links (#anchor) and reports.")
    title: Annotated[Line, TextField("document", search="keywords")] = Field(
        description="What this step checks, as a short heading.")
    warning: Annotated[Line | None, TextField("technician", prose=True, search="summary", callout="caution")] = Field(
        None, description="One line of plain text the technician must read before a risky step, e.g. 'Esto "
        "desconectará la sesión remota'. Shown as a caution before the options.")
    say: Say | None = Field(None, description="What to tell the customer at this step.")
    do: Annotated[Text | None, TextField("technician", markdown=True, prose=True, search="body")] = Field(
        None, description="Instructions for the technician (Markdown).")
    articles: list[Id] = Field(default_factory=list, description="Ids of related articles.")
    ask: Annotated[Line | None, _LABEL] = Field(None, description="The question the options answer.")
    options: list[Option] = Field(default_factory=list, description="Possible answers to the question.")
    resolve: Annotated[Line | None, _CAUSE] = Field(None, description="Makes this step an ending: resolved, with "
                                                   "this cause.")
    escalate: Annotated[Line | None, _TEAM] = Field(None, description="Makes this step an ending: escalated to "
                                                   "this team or level.")
    explain: Annotated[Text | None, _SENT] = Field(None, description="For a resolving step: what happened, in "
                                                  "plain words.")
    prevent: Annotated[Text | None, _SENT] = Field(None, description="For a resolving step: how to avoid it next "
                                                  "time.")
    after: list[Id] = Field(default_factory=list, description="Steps that must come before this one if the "
                            "report suggests reordering the checks (a dependency, e.g. a restart after a backup).")

    @model_validator(mode="after")
    def _shape(self) -> Self:
        ends = [k for k in ("resolve", "escalate") if getattr(self, k) is not None]
        if self.options and ends:
            raise PydanticCustomError("step_shape", "expected either options or an ending, found options and "
                                      "{found}", {"found": ends[0]})
        if len(ends) > 1:
            raise PydanticCustomError("step_shape", "expected one ending, found resolve and escalate", {})
        if not self.options and not ends:
            raise PydanticCustomError("step_shape", "expected options (with ask) or an ending (resolve or "
                                      "escalate), found neither", {})
        if self.options and self.ask is None:
            raise PydanticCustomError("step_shape", "expected an ask question for the options, found none", {})
        return self

    @property
    def is_end(self) -> bool:
        return not self.options

    @property
    def targets(self) -> list[str]:
        return [o.next for o in self.options if o.next is not None]


class Protocol(ContentMeta):
    """A troubleshooting protocol, `protocols/<id>.yml` (the fields every page has come from ContentMeta)."""

    title: Annotated[Line, TextField("document", search="title")] = Field(
        description="The problem, in the customer's words.")
    summary: Annotated[Text, TextField("document", prose=True, search="symptoms")] = Field(
        description="One or two sentences: when to use this protocol.")
    channels: list[Channel] = Field(default_factory=lambda: list(CHANNELS),
                                    description="Channels the protocol works on.")
    estimated_minutes: Minutes | None = Field(None, description="Typical duration of a run.")
    prerequisites: Annotated[list[Line], _LABEL] = Field(default_factory=list,
                                                         description="What must be true before starting.")
    start: Id = Field(description="Id of the first step.")
    steps: list[Step] = Field(min_length=1, description="The steps, in reading order.")

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)
