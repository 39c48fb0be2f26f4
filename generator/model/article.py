"""Article: a solution article or a guide, `kb/<area>/<id>.md`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from generator.model.fields import STRICT, ContentMeta, Id, Line, Text, TextField

ArticleType = Literal["solution", "guide"]

# Sections each article type must have, per language (level-2 headings).
REQUIRED_SECTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "solution": {
        "es": ("Síntomas", "Causa", "Solución", "Prevención"),
        "en": ("Symptoms", "Cause", "Solution", "Prevention"),
    },
    "guide": {
        "es": ("Pasos",),
        "en": ("Steps",),
    },
}


class ArticleLint(BaseModel):
    """Lint exceptions of one article (``kb import`` writes them from its mapping's ``lint:``)."""

    model_config = STRICT

    disable: list[Line] = Field(default_factory=list, max_length=50, description="Lint rules that do not run "
                              "on this article (names of kb-lint.yml's rules: readability, address…).")
    severity: dict[Line, Literal["warning", "error", "off"]] = Field(
        default_factory=dict, description="Lint rule -> its severity on this article, over kb-lint.yml's.")
    address: Literal["usted", "tú"] | None = Field(None, description="How this article addresses the reader "
                                                   "(the address rule), over kb-lint.yml's rules.address.es.")


class ArticleMeta(ContentMeta):
    """The YAML front matter of an article (the fields every page has come from ContentMeta)."""

    title: Annotated[Line, TextField("document", search="title", public=True)] = Field(
        description="The problem or task, in the reader's words.")
    type: ArticleType = Field(description="solution (symptoms, cause, fix, prevention) or guide (steps).")
    summary: Annotated[Text | None, TextField("document", prose=True, search="summary", public=True)] = Field(
        None, description="One sentence for search results and link previews.")
    symptoms: Annotated[list[Line], TextField("document", search="symptoms")] = Field(
        default_factory=list, description="What the person sees, in their words.")
    cause: Annotated[Text | None, TextField("document", prose=True, search="summary", public=True)] = Field(
        None, description="Why it happens (required for solutions).")
    products: Annotated[list[Line], TextField("document", lint=False, search="keywords")] = Field(
        default_factory=list, description="Products or systems concerned.")
    protocols: list[Id] = Field(default_factory=list, description="Ids of protocols this article belongs to.")
    hide: list[Literal["feedback", "toc"]] = Field(default_factory=list,
                                                    description="Page parts to hide on this page.")
    lint: ArticleLint | None = Field(None, description="Lint exceptions for this article: rules off, severities, "
                                     "its register (an imported article's, until it is reviewed).")
    draft: bool = Field(False, description="A draft written from a case (kb new article --from-run): its "
                        "missing cause and sections are warnings until it is finished.")

    @model_validator(mode="after")
    def _solution_needs(self) -> Self:
        if self.type == "solution":
            if not self.symptoms:
                raise PydanticCustomError("needs_symptoms", "expected at least one symptom for a solution "
                                          "article, found none", {})
            if not self.cause and not self.draft:
                raise PydanticCustomError("needs_cause", "expected a cause for a solution article, found none", {})
        return self


@dataclass(frozen=True)
class Article:
    """An article: its front matter plus where it lives and its Markdown body."""

    meta: ArticleMeta
    area: str
    path: str
    body: str
    body_line: int  # file line of the body's first line
    digest: str

    @property
    def id(self) -> str:
        return self.meta.id
