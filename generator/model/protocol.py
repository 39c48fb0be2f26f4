"""Protocol, Step and Option: a troubleshooting protocol as a typed, immutable graph."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from generator.model.fields import (
    ALL_CHANNELS,
    STRICT,
    Audience,
    Channel,
    Day,
    Id,
    Lang,
    Line,
    Minutes,
    ReviewDays,
    Text,
)


class Say(BaseModel):
    """What to tell the customer, by their skill level."""

    model_config = STRICT

    basic: Text = Field(description="Wording for a customer with little technical knowledge.")
    advanced: Text | None = Field(None, description="Wording for a technically confident customer; "
                                  "defaults to the basic wording.")


class Option(BaseModel):
    """One answer to a step's question; leads to exactly one of next, resolve or escalate."""

    model_config = STRICT

    label: Line = Field(description="The answer as shown on the button, e.g. 'Sí'.")
    next: Id | None = Field(None, description="Id of the step to go to.")
    resolve: Line | None = Field(None, description="Ends the run as resolved; the cause found.")
    escalate: Line | None = Field(None, description="Ends the run as escalated; the team or level to hand over to.")
    explain: Text | None = Field(None, description="For the customer: what happened, in plain words "
                                 "(used in the follow-up message).")
    prevent: Text | None = Field(None, description="For the customer: how to avoid it next time.")

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
    title: Line = Field(description="What this step checks, as a short heading.")
    say: Say | None = Field(None, description="What to tell the customer at this step.")
    do: Text | None = Field(None, description="Instructions for the technician (Markdown).")
    articles: list[Id] = Field(default_factory=list, description="Ids of related articles.")
    ask: Line | None = Field(None, description="The question the options answer.")
    options: list[Option] = Field(default_factory=list, description="Possible answers to the question.")
    resolve: Line | None = Field(None, description="Makes this step an ending: resolved, with this cause.")
    escalate: Line | None = Field(None, description="Makes this step an ending: escalated to this team or level.")
    explain: Text | None = Field(None, description="For a resolving step: what happened, in plain words.")
    prevent: Text | None = Field(None, description="For a resolving step: how to avoid it next time.")
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


class Protocol(BaseModel):
    """A troubleshooting protocol, `protocols/<id>.yml`."""

    model_config = STRICT

    id: Id = Field(description="Unique across kb/ and protocols/; the file name without .yml.")
    title: Line = Field(description="The problem, in the customer's words.")
    summary: Text = Field(description="One or two sentences: when to use this protocol.")
    audience: Audience = Field(description="technician, end-user (self-service guide) or both.")
    channels: list[Channel] = Field(default_factory=lambda: list(ALL_CHANNELS),
                                    description="Channels the protocol works on.")
    tags: list[Line] = Field(default_factory=list, description="Free tags for the tag index.")
    estimated_minutes: Minutes | None = Field(None, description="Typical duration of a run.")
    owner: Line = Field(description="Team or person who keeps this protocol right.")
    reviewed: Day = Field(description="Date of the last review, YYYY-MM-DD.")
    review_every_days: ReviewDays = Field(180, description="Days between reviews.")
    prerequisites: list[Line] = Field(default_factory=list, description="What must be true before starting.")
    lang: Lang = Field("es", description="Language of the text.")
    translation_of: Id | None = Field(None, description="Id of the protocol this one translates.")
    start: Id = Field(description="Id of the first step.")
    steps: list[Step] = Field(min_length=1, description="The steps, in reading order.")

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)
