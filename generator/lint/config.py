"""`kb-lint.yml`: which lint rules run, how severe they are, and their thresholds.

Every option is declared once here, with its default and a one-line doc; docs/lint.md
describes them for authors and a test checks that the repository's kb-lint.yml states
exactly these defaults. A missing file means the defaults. The file is read with the
hardened loader and checked like content: unknown keys, wrong types and bad values are
errors at ``kb-lint.yml:line:col``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from generator.content.yamlsafe import load
from generator.diagnostics import ContentError, Diagnostic, Severity
from generator.model.build import build_model
from generator.model.fields import STRICT

CONFIG_FILE = "kb-lint.yml"

RuleSeverity = Literal["warning", "error", "off"]
Reader = Literal["end_user", "technician"]

class Rule(BaseModel):
    """Options every rule has."""

    model_config = STRICT

    severity: RuleSeverity = Field("warning", description="warning (default; an error under --strict), "
                                   "error (always fails), or off.")

    @property
    def enabled(self) -> bool:
        return self.severity != "off"

    @property
    def level(self) -> Severity:
        return Severity.ERROR if self.severity == "error" else Severity.WARNING


class MaxWords(BaseModel):
    """Longest sentence, in words, for each kind of reader."""

    model_config = STRICT

    end_user: int = Field(30, ge=1, le=1000)
    technician: int = Field(40, ge=1, le=1000)


class MinScore(BaseModel):
    """Lowest reading-ease score (Fernández-Huerta / Flesch) for each kind of reader."""

    model_config = STRICT

    end_user: int = Field(50, ge=-100, le=200)
    technician: int = Field(30, ge=-100, le=200)


class SentenceLength(Rule):
    max_words: MaxWords = Field(default_factory=MaxWords, description="Longest sentence, by reader.")


class Readability(Rule):
    min_score: MinScore = Field(default_factory=MinScore, description="Lowest score, by reader.")
    min_words: int = Field(30, ge=1, le=10_000, description="Shorter passages get no score.")


class TermEntry(BaseModel):
    """A jargon term and its plain alternative (the format of generator/lint/data/jargon.yml)."""

    model_config = STRICT

    term: str = Field(min_length=1, max_length=200, description="Whole words; {a|b} alternatives; * ends a word.")
    plain: str = Field(min_length=1, max_length=200, description="What to say instead.")
    lang: Literal["es", "en"] = Field("es", description="Language of the term.")
    match_case: bool = Field(False, description="Match upper and lower case exactly.")


class PhraseEntry(BaseModel):
    """A blaming phrase and a kinder wording (the format of generator/lint/data/blame.yml)."""

    model_config = STRICT

    phrase: str = Field(min_length=1, max_length=200, description="Whole words; {a|b} alternatives; * ends a word.")
    suggestion: str = Field(min_length=1, max_length=300, description="A better way to say it.")
    lang: Literal["es", "en"] = Field("es", description="Language of the phrase.")


class Jargon(Rule):
    extra: list[TermEntry] = Field(default_factory=list, description="More terms for this repository.")
    allow: list[str] = Field(default_factory=list, description="Terms to accept: an entry as written in the "
                             "list ('caché'), or a text one matches ('cache').")


class Blame(Rule):
    extra: list[PhraseEntry] = Field(default_factory=list, description="More phrases for this repository.")
    allow: list[str] = Field(default_factory=list, description="Phrases to accept: an entry as written in "
                             "the list, or a text one matches ('obviamente').")


class SectionRule(Rule):
    min_words: int = Field(2, ge=1, le=1000, description="Fewest words the section must hold.")


class Symptoms(SectionRule):
    min_count: int = Field(1, ge=1, le=50, description="Fewest symptoms a solution article lists.")


class Owner(Rule):
    allowed: list[str] = Field(default_factory=list, description="If not empty, the only owners accepted.")


class ReviewCycle(Rule):
    max_days: int = Field(365, ge=1, le=3650, description="Longest review_every_days accepted.")


class Address(Rule):
    es: Literal["usted", "tú"] = Field("usted", description="How Spanish content addresses the reader; the "
                                      "interface speaks usted.")


class Rules(BaseModel):
    """One entry per rule; a rule left out keeps its defaults."""

    model_config = STRICT

    sentence_length: SentenceLength = Field(default_factory=SentenceLength)
    readability: Readability = Field(default_factory=Readability)
    jargon: Jargon = Field(default_factory=Jargon)
    blame: Blame = Field(default_factory=Blame)
    prevention: SectionRule = Field(default_factory=SectionRule)
    explain_prevent: Rule = Field(default_factory=Rule)
    symptoms: Symptoms = Field(default_factory=Symptoms)
    cause: SectionRule = Field(default_factory=SectionRule)
    owner: Owner = Field(default_factory=Owner)
    review_cycle: ReviewCycle = Field(default_factory=ReviewCycle)
    address: Address = Field(default_factory=Address)
    leftovers: Rule = Field(default_factory=Rule)
    raw_html: Rule = Field(default_factory=Rule)


DEFAULT_TECHNICIAN_HEADINGS = ["Para el técnico", "Para técnicos", "Para soporte", "For technicians",
                               "For the technician", "For support"]


class LintConfig(BaseModel):
    """The whole of kb-lint.yml."""

    model_config = STRICT

    rules: Rules = Field(default_factory=Rules, description="Options of each rule.")
    technician_headings: list[str] = Field(
        default_factory=lambda: list(DEFAULT_TECHNICIAN_HEADINGS),
        description="Headings (or lines in bold) that start a part of an end-user article written for "
        "technicians: the jargon rule skips it and the technician thresholds apply.")
    html_embeds: bool = Field(False, description="The site keeps <iframe>, <video> and <audio> (html_embeds: true "
                              "of the kb plugin in mkdocs.yml): the raw_html rule does not report them.")


def parse_config(text: str, path: str = CONFIG_FILE) -> tuple[LintConfig | None, list[Diagnostic]]:
    """The config in ``text``, or None and every problem found (as errors at their positions)."""
    try:
        located = load(text, path)
    except ContentError as exc:
        return None, exc.diagnostics
    if located.data is None:
        return LintConfig(), []
    config, diags = build_model(LintConfig, located, path)
    return config, diags
