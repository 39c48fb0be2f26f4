"""The mapping file (`import-map.yml`): how a help centre's front matter and headings become ours.

Every option has a default that fits exports of Zendesk Guide, Freshdesk, Confluence and
Jekyll/Hugo sites; a mapping file only says what differs. Tables (``fields``, ``areas``,
``owners``…) are merged over the defaults, ``sections`` synonyms are added to the default
ones and ``type_rules`` are tried before the default rules. Declared once here; the model
validates the file with positions (``path:line:col``) like every other YAML we read.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from generator.content.sources import decode
from generator.content.yamlsafe import load
from generator.diagnostics import ContentError, Diagnostic, sort_diagnostics
from generator.lint.overrides import unknown_rules
from generator.model.article import REQUIRED_SECTIONS, ArticleType
from generator.model.build import build_model
from generator.model.fields import STRICT, Audience, Id, Lang, Line, ReviewDays

Target = Literal["title", "id", "source_id", "summary", "lang", "tags", "symptoms", "cause", "products", "area",
                 "type", "audience", "owner", "author", "reviewed", "review_every_days", "protocols",
                 "translation_key", "ignore"]
AdmonitionType = Literal["note", "abstract", "info", "tip", "success", "question", "warning", "failure",
                         "danger", "bug", "example", "quote"]
RuleField = Literal["title", "tags", "type", "area", "headings", "path"]
SECTION_NAMES = frozenset(name for by_lang in REQUIRED_SECTIONS.values() for names in by_lang.values()
                          for name in names)


def fold(text: str) -> str:
    """Compare texts without case, accents or punctuation: '¿Por qué ocurre?' -> 'por que ocurre'."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def norm_key(key: str) -> str:
    """Front-matter keys compare as snake case: 'Last-Modified', 'lastModified' -> 'last_modified'."""
    key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key.strip())
    return re.sub(r"[\s\-]+", "_", key.casefold())


def _keys(target: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, target)


DEFAULT_FIELDS: dict[str, str] = {
    **_keys("title", "title", "name", "heading", "subject"),
    **_keys("id", "slug"),
    **_keys("source_id", "id", "article_id", "external_id"),
    **_keys("summary", "summary", "description", "excerpt", "abstract", "meta_description",
            "seo_data.meta_description"),
    **_keys("lang", "lang", "language", "locale"),
    **_keys("tags", "tags", "tag", "labels", "label", "label_names", "keywords"),
    **_keys("symptoms", "symptoms", "symptom", "symptom_filters", "problem_filters", "filters"),
    **_keys("cause", "cause", "root_cause"),
    **_keys("products", "products", "product", "applies_to", "platforms", "platform", "os", "software"),
    **_keys("area", "area", "section", "section_name", "category", "category_name", "categories",
            "folder", "folder_name", "topic"),
    **_keys("type", "type", "article_type", "kind", "content_type"),
    **_keys("audience", "audience", "user_segment", "visibility", "visible_to"),
    **_keys("owner", "owner", "team"),
    **_keys("author", "author", "author_name", "author_email", "created_by", "maintainer", "last_edited_by"),
    **_keys("reviewed", "reviewed", "last_reviewed", "date", "created", "created_at", "updated", "updated_at",
            "last_modified", "lastmod", "modified", "modified_at", "published_at", "edited_at", "last_updated"),
    **_keys("review_every_days", "review_every_days"),
    **_keys("protocols", "protocols"),
    **_keys("translation_key", "translation_key", "translation_of", "translation_group"),
    **_keys("ignore", "layout", "permalink", "url", "html_url", "position", "weight", "nav_order", "parent",
            "redirect_from", "toc", "sidebar", "comments", "comments_disabled", "promoted", "vote_sum",
            "vote_count", "outdated", "draft", "status", "published", "hide", "source_locale", "seo_data",
            "sidebar_position", "sidebar_label", "custom_edit_url", "pagination_label", "aliases"),
}
DEFAULT_LANGUAGES: dict[str, str] = {
    "es": "es", "spa": "es", "spanish": "es", "espanol": "es", "castellano": "es",
    "en": "en", "eng": "en", "english": "en", "ingles": "en",
}
DEFAULT_AUDIENCES: dict[str, str] = {
    "agents": "technician", "agents_only": "technician", "staff": "technician", "internal": "technician",
    "technicians": "technician", "tecnicos": "technician", "signed_in_users": "end-user", "everyone": "end-user",
    "public": "end-user", "customers": "end-user", "users": "end-user", "clientes": "end-user",
    "usuarios": "end-user", "all": "both", "todos": "both",
}
DEFAULT_SECTIONS: dict[str, list[str]] = {
    "Síntomas": ["Síntoma", "Problema", "Descripción", "Descripción del problema", "Qué ocurre", "Qué pasa",
                 "El problema"],
    "Causa": ["Causas", "Motivo", "Origen", "Por qué ocurre", "Por qué pasa", "Causa raíz"],
    "Solución": ["Soluciones", "Resolución", "Cómo solucionarlo", "Cómo resolverlo", "Pasos", "Pasos a seguir",
                 "Procedimiento", "Solución alternativa", "Arreglo"],
    "Prevención": ["Cómo evitarlo", "Para evitarlo", "Prevenir", "Recomendaciones"],
    "Pasos": ["Procedimiento", "Instrucciones", "Cómo hacerlo", "Pasos a seguir"],
    "Symptoms": ["Symptom", "Problem", "Issue", "Description", "Problem description", "What happens"],
    "Cause": ["Causes", "Root cause", "Reason", "Why this happens", "Why does this happen"],
    "Solution": ["Solutions", "Resolution", "Fix", "How to fix it", "Workaround", "Steps", "Steps to resolve"],
    "Prevention": ["How to prevent it", "How to avoid it", "Avoid this", "Recommendations"],
    "Steps": ["Procedure", "Instructions", "How to do it"],
}
DEFAULT_ADMONITIONS: dict[str, str] = {
    "note": "note", "nota": "note", "notes": "note", "info": "info", "information": "info",
    "informacion": "info", "tip": "tip", "tips": "tip", "hint": "tip", "consejo": "tip", "sugerencia": "tip",
    "truco": "tip", "warning": "warning", "advertencia": "warning", "aviso": "warning", "atencion": "warning",
    "attention": "warning", "caution": "warning", "cuidado": "warning", "precaucion": "warning",
    "important": "warning", "importante": "warning", "danger": "danger", "peligro": "danger",
    "error": "failure", "success": "success", "example": "example", "ejemplo": "example",
}
_GUIDE_WORDS = "how ?to|howto|guide|guia|tutorial|procedure|procedimiento"
_FIX_WORDS = r"solucionar|arreglar|reparar|resolver|\bfix\b|resolve|troubleshoot"
DEFAULT_TYPE_RULES: list[dict[str, str]] = [
    {"field": "type", "match": f"^({_GUIDE_WORDS})$", "type": "guide"},
    {"field": "type", "match": "^(problem|troubleshooting|incident|solution|solucion|problema|incidencia)$",
     "type": "solution"},
    {"field": "tags", "match": f"^({_GUIDE_WORDS})$", "type": "guide"},
    {"field": "title", "match": _FIX_WORDS, "type": "solution"},
    {"field": "headings", "match": "^(sintomas?|causas?|symptoms?|causes?|root cause|problema|problem)$",
     "type": "solution"},
    {"field": "title", "match": r"^(como|how to|how do i|pasos para|configurar|instalar|set up|install)\b",
     "type": "guide"},
    {"field": "headings", "match": "^(pasos|steps|procedimiento|procedure|instrucciones|instructions)$",
     "type": "guide"},
]


def _area_from() -> list[Literal["field", "folder"]]:
    return ["field", "folder"]


def _skip() -> dict[str, list[str | int | bool]]:
    return {"status": ["draft", "archived"], "draft": [True]}


HttpUrlText = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$", max_length=300)]


class TypeRule(BaseModel):
    """When ``field`` matches the regular expression ``match``, the article gets ``type``."""

    model_config = STRICT

    field: RuleField = Field(description="What to test: title, tags, type (the source's value), area "
                             "(the source's section or folder), headings (level-2 headings) or path.")
    match: Line = Field(description="Regular expression, searched in the text without case or accents.")
    type: ArticleType = Field(description="solution or guide.")


class ImportLint(BaseModel):
    """Lint exceptions written into every imported article's front matter (``lint:``)."""

    model_config = STRICT

    disable: list[Line] = Field(default_factory=list, description="Lint rules that do not run on imported "
                              "articles (kb-lint.yml's names: sentence_length, readability, jargon, blame…).")
    severity: dict[Line, Literal["warning", "error", "off"]] = Field(default_factory=dict, description="Lint rule "
                                                                   "-> its severity on imported articles.")
    address: Literal["usted", "tú"] | None = Field(None, description="The register imported Spanish articles "
                                                   "are checked for (the address rule); disable: [address] "
                                                   "turns the check off.")


class MappingFile(BaseModel):
    """The keys of an import mapping file. Every key is optional."""

    model_config = STRICT

    fields: dict[str, Target] = Field(default_factory=dict, description="Source front-matter key (a.b for a "
                                      "nested key) -> our field, or ignore. Merged over the defaults.")
    area_from: list[Literal["field", "folder"]] = Field(default_factory=_area_from,
                                                        description="Where the area comes from, in order.")
    areas: dict[str, Id] = Field(default_factory=dict, description="Source section, category or folder "
                                 "-> our area (else the name is slugified).")
    default_area: Id = Field("general", description="Area when the source says none.")
    default_owner: Line = Field("equipo-soporte", description="Owner when the author is not in owners.")
    owners: dict[str, Line] = Field(default_factory=dict, description="Source author -> our owner.")
    default_audience: Audience = Field("end-user", description="Audience when the source says none.")
    audiences: dict[str, Audience] = Field(default_factory=dict, description="Source audience, segment or "
                                           "visibility -> ours. Merged over the defaults.")
    default_lang: Lang = Field("es", description="Language when neither locale nor text tells.")
    languages: dict[str, Lang] = Field(default_factory=dict, description="Locale or its first part "
                                       "(es-ES -> es) -> our lang. Merged over the defaults.")
    detect_language: bool = Field(True, description="Guess es/en from the text when there is no locale.")
    default_type: ArticleType = Field("solution", description="Type when no rule matches.")
    type_rules: list[TypeRule] = Field(default_factory=list, description="Tried in order before the "
                                       "default rules; the first match wins.")
    sections: dict[str, list[Line]] = Field(default_factory=dict, description="Our section heading -> "
                                            "source headings that mean it. Added to the defaults.")
    admonitions: dict[str, AdmonitionType] = Field(default_factory=dict, description="Callout label "
                                                   "(Nota, Warning…) -> admonition type. Merged.")
    skip: dict[str, list[str | int | bool]] = Field(default_factory=_skip,
                                                    description="Source key -> values; such articles "
                                                    "are reported and not imported.")
    day_first: bool = Field(True, description="Read 04/05/2023 as 4 May (false: as April 5).")
    reviewed_from: Literal["source", "today"] = Field("source", description="reviewed: the latest source "
                                                      "date, or the import day.")
    review_every_days: ReviewDays = Field(180, description="review_every_days of imported articles.")
    old_site_url: HttpUrlText | None = Field(None, description="The old help centre's address (https://help."
                                             "example.com): a site-relative link (/es/faq/x) to a page that was "
                                             "not imported points there instead of losing its target.")
    assets_dir: Id = Field("img", description="Folder under kb/<area>/ for copied images and attachments.")
    lint: ImportLint | None = Field(None, description="Lint exceptions of the imported articles, written into "
                                    "each one's front matter (lint:) until a person reviews it.")


class Mapping:
    """The effective mapping: a file's values merged over the defaults, ready to use."""

    def __init__(self, file: MappingFile | None = None) -> None:
        f = file or MappingFile()
        self.file = f
        self.fields = {norm_key(k): v for k, v in DEFAULT_FIELDS.items()} | {norm_key(k): v
                                                                              for k, v in f.fields.items()}
        self.areas = {fold(k): v for k, v in f.areas.items()}
        self.owners = {fold(k): v for k, v in f.owners.items()}
        self.audiences = {fold(k): v for k, v in (DEFAULT_AUDIENCES | f.audiences).items()}
        self.languages = {fold(k): v for k, v in (DEFAULT_LANGUAGES | f.languages).items()}
        self.admonitions = {fold(k): v for k, v in (DEFAULT_ADMONITIONS | f.admonitions).items()}
        rules: list[tuple[str, str, str]] = [(r.field, r.match, r.type) for r in f.type_rules]
        rules += [(r["field"], r["match"], r["type"]) for r in DEFAULT_TYPE_RULES]
        self.type_rules: list[tuple[str, re.Pattern[str], str]] = [(w, re.compile(p), t) for w, p, t in rules]
        self.sections: dict[str, set[str]] = {name: {fold(name)} for name in SECTION_NAMES}
        for name, synonyms in list(DEFAULT_SECTIONS.items()) + list(f.sections.items()):
            self.sections[name] |= {fold(s) for s in synonyms}
        self.skip = {norm_key(k): v for k, v in f.skip.items()}

    def lang_of(self, value: str) -> str | None:
        """'es-ES', 'es_419', 'Spanish' -> 'es'; None when unknown."""
        key = fold(value)
        if key in self.languages:
            return self.languages[key]
        first = re.split(r"[\s_-]", key, maxsplit=1)[0]
        return self.languages.get(first)


def _check(data: MappingFile, located: Any, path: str) -> list[Diagnostic]:
    """What the model cannot say: section names, regular expressions."""
    out: list[Diagnostic] = []
    for name in data.sections:
        if name not in SECTION_NAMES:
            line, col = located.key_pos(("sections", name))
            same = [known for known in sorted(SECTION_NAMES) if fold(known) == fold(name)]  # Solucion -> Solución
            close = same or difflib.get_close_matches(name, sorted(SECTION_NAMES), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(sorted(SECTION_NAMES))}"
            out.append(Diagnostic(path, line, col, f"sections.{name}",
                                  f"expected one of our section headings, found '{name}'{hint}"))
    if data.lint is not None:
        out += unknown_rules(data.lint, path, located)
    for i, rule in enumerate(data.type_rules):
        try:
            re.compile(rule.match)
        except re.error as exc:
            line, col = located.pos(("type_rules", i, "match"))
            out.append(Diagnostic(path, line, col, f"type_rules[{i}].match",
                                  f"expected a regular expression, found {rule.match!r} ({exc})"))
    return out


def load_mapping(path: Path | None) -> Mapping:
    """Read a mapping file with the hardened loader; no file means the defaults. Raises ContentError."""
    if path is None:
        return Mapping()
    shown = path.as_posix()
    located = load(decode(path.read_bytes(), shown), shown)
    if located.data is None:
        return Mapping()
    model, diags = build_model(MappingFile, located, shown)
    if model is None:
        raise ContentError(sort_diagnostics(diags))
    diags = _check(model, located, shown)
    if diags:
        raise ContentError(diags)
    return Mapping(model)
