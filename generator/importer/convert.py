"""One source article -> a draft of ours: front matter values decided, body arranged.

The order matters: the language comes first (it names the sections), the body is normalized
(its headings tell the type), the type picks the required sections, and only then are the
symptoms and the cause taken from the front matter or from the sections themselves.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from generator.diagnostics import Diagnostic
from generator.importer.body import (
    Arranged,
    Ln,
    arrange,
    h2_texts,
    heading,
    normalize,
    section,
    strip_markup,
    to_lines,
)
from generator.importer.dialects import Dialects, plain_escapes
from generator.importer.mapping import Mapping, fold
from generator.importer.meta import SourceMeta, clean_line, map_front_matter
from generator.importer.report import finding
from generator.importer.source import SourceDoc, read_source
from generator.model.article import REQUIRED_SECTIONS
from generator.model.fields import AUDIENCES, ID_RE, RESERVED_IDS
from generator.model.validate import RESERVED_AREAS
from generator.pipeline.scaffold import slugify

_LOCALE = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,4})?$", re.IGNORECASE)
_WORDS = {
    "es": frozenset(re.findall(r"\S+", """de la que el en los se del las por un para con no una su al es lo como más
        pero sus le ya o este si porque esta entre cuando muy sin sobre también me hasta hay donde desde todo nos
        durante uno ni contra ese eso ante ellos esto antes algunos qué unos otro otras otra él pulse haga abra
        seleccione equipo contraseña usuario correo""")),
    "en": frozenset(re.findall(r"\S+", """the and to of a in is you that it for on with your this be are not or if
        as at by from can will have an was but they which do all their has more click select open then when
        computer password user email""")),
}
_APOSTROPHE = re.compile(r"(?<=\w)['’´`](?=\w)")
_DANGLING = frozenset(re.findall(r"\S+", """a an the of on in or and to for with from by at as into onto than that
    when while if is are be not no your you de del la las el lo los en y e o u al con por para que un una unos unas
    su sus sin se mi tu cuando como si"""))
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


@dataclass
class Draft:
    """An article ready to be given an id, linked and written."""

    rel: str
    title: str
    kind: str
    lang: str
    area: str
    wanted_id: str
    lines: list[Ln]
    meta: dict[str, Any]  # our front matter, without id (and without translation_of yet)
    translation_key: str | None
    missing: list[str]  # sections a solution needs that the source lacks (the maintainer's to-do)
    findings: list[Diagnostic] = field(default_factory=list)
    id: str = ""
    origins: dict[str, tuple[int, int]] = field(default_factory=dict)  # our field -> source line, column


@dataclass
class Skipped:
    rel: str
    findings: list[Diagnostic]
    failed: bool  # True: could not become an article; False: left out on purpose (skip rule)


def _fold_path(path: str) -> str:
    """A path compared without case or accents, its slashes kept: 'Guías/VPN.md' -> 'guias/vpn.md'."""
    plain = unicodedata.normalize("NFKD", path)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def make_id(text: str) -> str:
    """slugify, words kept whole ("can't" -> "cant"), cut at a word boundary when the title is too long
    for an id, and never ending on a word that needs the next one ("…-proxy-server-or")."""
    words = _APOSTROPHE.sub("", text).split()
    for k in range(len(words), 0, -1):
        slug = slugify(" ".join(words[:k]))
        if len(slug) < 56:
            parts = slug.split("-")
            while k < len(words) and len(parts) > 1 and parts[-1] in _DANGLING:
                parts.pop()
            return "-".join(parts)
    return slugify(text)


def detect_lang(text: str) -> str | None:
    """es or en from the commonest short words; None when the text does not say clearly."""
    words = re.findall(r"[a-záéíóúñü]+", text.casefold())
    score = {lang: sum(1 for w in words if w in vocab) for lang, vocab in _WORDS.items()}
    best = max(score, key=lambda k: score[k])
    other = min(score.values())
    return best if score[best] >= 5 and score[best] >= 2 * other else None


def clean_text(text: str, limit: int = 10_000) -> str:
    """Free text for the front matter: printable characters, paragraphs kept, at most ``limit``."""
    text = "".join("\n" if c in "\u2028\u2029\x85" else c for c in text.replace("\ufeff", ""))
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs", "Co", "Cn"))
    text = re.sub(r"[ \t]+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _first_sentence(text: str, limit: int = 200) -> str:
    m = re.match(r"(.+?[.!?])(?:\s|$)", text)
    return clean_line(m.group(1) if m else text, limit)


def _paragraphs(lines: list[Ln]) -> list[str]:
    paras: list[str] = []
    current: list[str] = []
    for ln in lines:
        plain = ln.text.strip()
        if not plain or ln.code or heading(ln) or plain.startswith(("!!!", "|", "<")):
            if current:
                paras.append(" ".join(current))
            current = []
            continue
        current.append(strip_markup(plain))
    if current:
        paras.append(" ".join(current))
    return [p for p in paras if p]


def _list_items(lines: list[Ln]) -> list[str]:
    items = []
    for ln in lines:
        m = re.match(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+(.*)$", ln.text)
        if m and not ln.code and (text := clean_line(strip_markup(m.group(1)))):
            items.append(text)
    return items


def _lists(meta: SourceMeta) -> dict[str, list[str]]:
    """products and tags (lower case), cleaned, without duplicates; only those that have items."""
    out = {}
    for target in ("products", "tags"):
        items = [clean_line(x.lower() if target == "tags" else x) for x in meta.items(target)]
        items = list(dict.fromkeys(i for i in items if i))
        if items:
            out[target] = items
    return out


class Converter:
    """Turns source documents into drafts with one mapping and one 'today'."""

    def __init__(self, mapping: Mapping, today: date, source_root: Path | None = None) -> None:
        self.mapping = mapping
        self.today = today
        self.source_root = source_root.resolve() if source_root is not None else None
        self.included: set[str] = set()  # source files read as includes

    def read_include(self, rel: str, link: str) -> tuple[str, str, int] | None:
        """An included Markdown file of the source folder: (its path, body without front matter, line)."""
        if self.source_root is None or _SCHEME.match(link):
            return None
        path = unquote(link.split("#")[0]).replace("\\", "/")
        where = self.source_root / path.lstrip("/") if path.startswith("/") else (self.source_root / rel).parent / path
        try:
            found = where.resolve()
        except (OSError, RuntimeError):
            return None
        if not found.is_relative_to(self.source_root) or not found.is_file() or found.suffix.lower() != ".md":
            return None
        doc = read_source(found.read_bytes(), found.relative_to(self.source_root).as_posix())
        if isinstance(doc, list):
            return None
        self.included.add(doc.rel)
        return doc.rel, doc.body, doc.body_line

    def _lang(self, meta: SourceMeta, doc: SourceDoc, title: str | None,
              findings: list[Diagnostic]) -> str | None:
        value = meta.text("lang")
        if value is not None:
            lang = self.mapping.lang_of(value)
            if lang is None:
                line, col = meta.at("lang")
                findings.append(finding(doc.rel, line, col, "error", "unsupported-language",
                                        f"expected a locale of es or en, found '{value}'; map it under "
                                        "languages: in the mapping file. Not imported", meta.origin["lang"][0]))
            return lang
        for part in PurePosixPath(doc.rel).parts[:-1]:
            if _LOCALE.match(part) and (lang := self.mapping.lang_of(part)):
                return lang
        if self.mapping.file.detect_language and (lang := detect_lang(f"{title or ''} {doc.body[:5000]}")):
            findings.append(finding(doc.rel, 1, 1, "info", "language-detected",
                                    f"no locale: the text reads as '{lang}'"))
            return lang
        return self.mapping.file.default_lang

    def _area(self, meta: SourceMeta, rel: str, findings: list[Diagnostic]) -> tuple[str, str]:
        """Our area and the source's own name for it (for type rules)."""
        folders = [p for p in PurePosixPath(rel).parts[:-1] if not (_LOCALE.match(p) and self.mapping.lang_of(p))]
        for where in self.mapping.file.area_from:
            value = meta.text("area") if where == "field" else (folders[0] if folders else None)
            if not value:
                continue
            area = self.mapping.areas.get(fold(value)) or slugify(value)
            if ID_RE.match(area) and area not in RESERVED_AREAS and area not in RESERVED_IDS:
                return area, value
            line, col = meta.at("area") if where == "field" else (1, 1)
            findings.append(finding(rel, line, col, "warning", "bad-area",
                                    f"'{value}' cannot be an area (it is one of the site's own sections); "
                                    f"used '{self.mapping.file.default_area}'", "area"))
            return self.mapping.file.default_area, value
        return self.mapping.file.default_area, ""

    def _kind(self, meta: SourceMeta, title: str, area_value: str, headings: list[str], rel: str) -> str:
        source_type = meta.text("type") or ""
        if fold(source_type) in ("solution", "guide"):
            return fold(source_type)
        values = {"title": [title], "tags": meta.items("tags"), "type": [source_type], "area": [area_value],
                  "headings": headings, "path": [rel]}
        for where, pattern, kind in self.mapping.type_rules:
            if any(pattern.search(_fold_path(v) if where == "path" else fold(v)) for v in values[where] if v):
                return kind
        return self.mapping.file.default_type

    def convert(self, doc: SourceDoc) -> Draft | Skipped:
        m = self.mapping
        meta, findings = map_front_matter(doc, m, m.file.day_first)
        findings = doc.findings + findings
        rel = doc.rel
        for skip_key, skip_values in m.skip.items():
            written, value = meta.raw.get(skip_key, (skip_key, None))
            if value is not None and any(fold(str(v)) == fold(str(value)) for v in skip_values):
                findings.append(finding(rel, *doc.located.key_pos((written,)), "info", "skipped-by-rule",
                                        f"{written}: {value} matches the mapping's skip rule: not imported"))
                return Skipped(rel, findings, failed=False)
        title = clean_line(plain_escapes(meta.text("title") or "")) or None
        lang = self._lang(meta, doc, title, findings)
        if lang is None:
            return Skipped(rel, findings, failed=True)
        dialect = Dialects(rel, self.read_include)
        lines, h1_title, body_findings = normalize(to_lines(doc.body, doc.body_line), title, lang, m, rel, dialect)
        findings += body_findings
        if title is None and h1_title:
            title = clean_line(h1_title)
            findings.append(finding(rel, doc.body_line, 1, "info", "derived", "title taken from the first heading"))
        if not title:
            findings.append(finding(rel, 1, 1, "error", "no-title", "expected a title (front matter title or name, "
                                    "or a first '# ' heading), found none: not imported"))
            return Skipped(rel, findings, failed=True)
        if len(clean_line(meta.text("title") or h1_title or "", 100_000)) > 200:
            findings.append(finding(rel, *meta.at("title"), "warning", "shortened", "title longer than 200 "
                                    "characters: shortened", "title"))
        area, area_value = self._area(meta, rel, findings)
        kind = self._kind(meta, title, area_value, h2_texts(lines), rel)
        symptoms = [s for s in (clean_line(plain_escapes(x)) for x in meta.items("symptoms")) if s][:20]
        cause = clean_text(meta.text("cause") or "") or None
        kind, arranged, symptoms, cause = self._arrange(lines, kind, lang, rel, doc.body_line, symptoms, cause,
                                                        title, findings)
        fm: dict[str, Any] = {"title": title, "type": kind, "audience": self._audience(meta, rel, findings)}
        if summary := clean_line(plain_escapes(meta.text("summary") or ""), 300):
            fm["summary"] = summary
        if symptoms:
            fm["symptoms"] = symptoms
        if cause:
            fm["cause"] = cause
        fm |= _lists(meta)
        fm["owner"] = self._owner(meta, rel, findings)
        fm["reviewed"] = self._reviewed(meta, rel, findings)
        fm["review_every_days"] = self._every(meta, rel, findings)
        protocols = [p for p in (slugify(x) for x in meta.items("protocols")) if ID_RE.match(p)]
        if protocols:
            fm["protocols"] = protocols
        fm["lang"] = lang
        if m.file.lint is not None:
            fm["lint"] = m.file.lint
        # An id of the source is kept when it reads as one of ours (a slug), never a bare number.
        source_slug = meta.text("source_id") or ""
        wanted = meta.text("id") or (source_slug if ID_RE.match(source_slug) else "")
        wanted = make_id(wanted) if wanted and not wanted.isdigit() else make_id(title)
        group = meta.text("translation_key") or meta.text("source_id")
        return Draft(rel, title, kind, lang, area, wanted, arranged.lines, fm, group, arranged.missing,
                     findings, origins={k: (line, col) for k, (_, line, col) in meta.origin.items()})

    def _audience(self, meta: SourceMeta, rel: str, findings: list[Diagnostic]) -> str:
        value = meta.text("audience")
        if value is None:
            return self.mapping.file.default_audience
        if fold(value).replace(" ", "-") in AUDIENCES:
            return fold(value).replace(" ", "-")
        found = self.mapping.audiences.get(fold(value)) or self.mapping.audiences.get(fold(value).replace(" ", "_"))
        if found:
            return found
        findings.append(finding(rel, *meta.at("audience"), "warning", "bad-value",
                                f"audience '{value}' is not in audiences: of the mapping; used "
                                f"'{self.mapping.file.default_audience}'", meta.origin["audience"][0]))
        return self.mapping.file.default_audience

    def _owner(self, meta: SourceMeta, rel: str, findings: list[Diagnostic]) -> str:
        if owner := clean_line(meta.text("owner") or ""):
            return self.mapping.owners.get(fold(owner), owner)
        default = self.mapping.file.default_owner
        author = meta.text("author")
        if author is None:
            return default
        if found := self.mapping.owners.get(fold(author)):
            return found
        findings.append(finding(rel, *meta.at("author"), "info", "default-owner",
                                f"author '{clean_line(author, 80)}' is not in owners: of the mapping; owner "
                                f"'{default}'", meta.origin["author"][0]))
        return default

    def _reviewed(self, meta: SourceMeta, rel: str, findings: list[Diagnostic]) -> date:
        if self.mapping.file.reviewed_from == "today":
            return self.today
        if not meta.dates:
            findings.append(finding(rel, 1, 1, "info", "derived", "no date in the source: reviewed is today"))
            return self.today
        day, key, line, col = max(meta.dates)
        if day > self.today:
            findings.append(finding(rel, line, col, "warning", "future-date",
                                    f"{day.isoformat()} is after today: reviewed is today", key))
            return self.today
        return day

    def _every(self, meta: SourceMeta, rel: str, findings: list[Diagnostic]) -> int:
        value = meta.text("review_every_days")
        if value is not None and value.isdigit() and 1 <= int(value) <= 3650:
            return int(value)
        if value is not None:
            findings.append(finding(rel, *meta.at("review_every_days"), "warning", "bad-value",
                                    f"expected 1 to 3650 days, found '{value}'; used "
                                    f"{self.mapping.file.review_every_days}", "review_every_days"))
        return self.mapping.file.review_every_days

    def _arrange(self, lines: list[Ln], kind: str, lang: str, rel: str, body_line: int, symptoms: list[str],
                 cause: str | None, title: str,
                 findings: list[Diagnostic]) -> tuple[str, Arranged, list[str], str | None]:
        """The sections of the type; a solution the source cannot fill is imported as a guide.

        Nothing is invented: a solution promises symptoms, cause, fix and prevention, so an article whose
        source lacks one is published as what it is, a guide (its fix section becomes Pasos/Steps), and
        the missing sections are a warning: the maintainer's to-do before setting ``type: solution``."""
        arranged = arrange(lines, kind, lang, self.mapping, rel, body_line, symptoms, cause)
        if kind == "solution":
            missing, names = list(arranged.missing), REQUIRED_SECTIONS["solution"][lang]
            if names[0] not in missing:
                symptoms = symptoms or self._symptoms(arranged.lines, title, lang, rel, findings)
            if names[1] not in missing:
                cause = cause or self._cause(arranged.lines, lang, rel, findings)
                if cause is None:
                    missing.append(names[1])
            if not missing:
                findings += arranged.findings
                return kind, arranged, symptoms, cause
            steps = REQUIRED_SECTIONS["guide"][lang][0]
            findings.append(finding(rel, body_line, 1, "warning", "missing-section",
                                    f"a solution needs {', '.join('## ' + n for n in missing)}, which the source "
                                    f"does not have: imported as a guide (its fix under '## {steps}'); write "
                                    "them and set type: solution"))
            fix = REQUIRED_SECTIONS["solution"][lang][2]
            findings += arranged.findings  # the sections it has keep our names (Problema -> Síntomas)
            arranged = arrange(arranged.lines, "guide", lang, self.mapping, rel, body_line, [], None,
                               frozenset(self.mapping.sections[fix]))
            kind, arranged.missing = "guide", missing
        findings += arranged.findings
        return kind, arranged, symptoms, cause

    def _symptoms(self, lines: list[Ln], title: str, lang: str, rel: str, findings: list[Diagnostic]) -> list[str]:
        name = REQUIRED_SECTIONS["solution"][lang][0]
        text = section(lines, name)
        items = _list_items(text)[:5]
        if items:
            how = f"the list under '## {name}'"
        elif paras := _paragraphs(text):
            items, how = [_first_sentence(paras[0])], f"the first sentence under '## {name}'"
        else:
            items, how = [title], "the title"
        findings.append(finding(rel, 1, 1, "info", "derived", f"symptoms taken from {how}", "symptoms"))
        return items

    def _cause(self, lines: list[Ln], lang: str, rel: str, findings: list[Diagnostic]) -> str | None:
        name = REQUIRED_SECTIONS["solution"][lang][1]
        text = section(lines, name)
        paras = _paragraphs(text) or ["; ".join(_list_items(text))]
        if paras and paras[0]:
            findings.append(finding(rel, 1, 1, "info", "derived", f"cause taken from the first paragraph under "
                                    f"'## {name}'", "cause"))
            return clean_text(paras[0], 1000)
        return None
