"""Validation: every rule, every problem, all at once, each with its position.

The model classes check each file on its own (types, enums, required keys, shapes).
The rules here check what only the whole catalog can tell: unique ids, references,
the protocol graph, required sections, file names and review dates.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import PurePosixPath

from generator.content.sources import KB_DIR, PROTOCOLS_DIR, Heading, ReadResult, markdown_headings, path_parts
from generator.content.yamlsafe import Located
from generator.diagnostics import Diagnostic, Severity, sort_diagnostics
from generator.model.article import REQUIRED_SECTIONS, Article
from generator.model.build import build_catalog
from generator.model.catalog import Catalog, ProtocolEntry
from generator.model.fields import ID_RE, RESERVED_IDS

# First-level URL segments the site generates itself; an area may not take them.
RESERVED_AREAS = frozenset({"protocolos", "areas", "etiquetas", "audiencias", "assets", "search", "api",
                            "report", "satisfaccion", "stylesheets", "javascripts"})


@dataclass(frozen=True)
class ValidationResult:
    catalog: Catalog
    diagnostics: list[Diagnostic]
    files: int

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


class _Rules:
    def __init__(self, catalog: Catalog, today: date, broken: frozenset[str] = frozenset(),
                 headings: Mapping[str, tuple[Heading, ...]] | None = None) -> None:
        self.catalog = catalog
        self.today = today
        self.broken = broken  # 'kb/<id>' and 'protocols/<id>' of files that exist but could not be loaded
        self.headings = headings or {}  # the read stage's headings of each article, by path
        self.out: list[Diagnostic] = []

    def at(self, path: str, located: Located | None, key: tuple[str | int, ...], message: str,
           severity: Severity = Severity.ERROR, *, on_key: bool = False) -> None:
        if located is None:
            line, col = 1, 1
        else:
            line, col = located.key_pos(key) if on_key else located.pos(key)
        name = ".".join(str(k) if isinstance(k, str) else f"[{k}]" for k in key).replace(".[", "[")
        self.out.append(Diagnostic(path, line, col, name, message, severity))

    def loc(self, path: str) -> Located | None:
        return self.catalog.positions.get(path)

    # --- rules -----------------------------------------------------------------------------------
    def unique_ids(self) -> None:
        seen: dict[str, str] = {}
        entries: list[tuple[str, str]] = [(a.id, a.path) for a in self.catalog.articles]
        entries += [(p.id, p.path) for p in self.catalog.protocols]
        for ident, path in sorted(entries, key=lambda e: e[1]):
            if ident in seen:
                self.at(path, self.loc(path), ("id",),
                        f"expected an id unique across kb/ and protocols/, found '{ident}' "
                        f"already used by {seen[ident]}")
            else:
                seen[ident] = path

    def file_names(self) -> None:
        for a in self.catalog.articles:
            self._file_name(a.path, a.id, ".md")
            parts = path_parts(a.path)
            if len(parts) != 3:
                self.at(a.path, self.loc(a.path), ("id",),
                        f"expected the article at kb/<area>/{a.id}.md, found it at {a.path}")
            elif not ID_RE.match(a.area) or a.area in RESERVED_AREAS or a.area in RESERVED_IDS:
                self.at(a.path, self.loc(a.path), ("id",),
                        f"expected an area folder name of lower-case letters, digits and hyphens, not one "
                        f"of the site's own sections, found '{a.area}'")
        for p in self.catalog.protocols:
            self._file_name(p.path, p.id, PurePosixPath(p.path).suffix)

    def _file_name(self, path: str, ident: str, suffix: str) -> None:
        stem = path_parts(path)[-1].removesuffix(suffix)
        if stem != ident:
            self.at(path, self.loc(path), ("id",),
                    f"expected the id to match the file name '{stem}', found '{ident}'")

    def references(self) -> None:
        articles, protocols = self.catalog.article_by_id, self.catalog.protocol_by_id
        for p in self.catalog.protocols:
            loc = self.loc(p.path)
            for si, step in enumerate(p.model.steps):
                for ai, ref in enumerate(step.articles):
                    if ref not in articles and f"{KB_DIR}/{ref}" not in self.broken:
                        self.at(p.path, loc, ("steps", si, "articles", ai),
                                f"expected the id of an article in kb/, found '{ref}'{self._hint(ref, articles)}")
            if p.model.translation_of and p.model.translation_of not in protocols:
                self.at(p.path, loc, ("translation_of",), f"expected the id of a protocol, found "
                        f"'{p.model.translation_of}'{self._hint(p.model.translation_of, protocols)}")
        for a in self.catalog.articles:
            loc = self.loc(a.path)
            for i, ref in enumerate(a.meta.protocols):
                if ref not in protocols and f"{PROTOCOLS_DIR}/{ref}" not in self.broken:
                    self.at(a.path, loc, ("protocols", i),
                            f"expected the id of a protocol in protocols/, found '{ref}'{self._hint(ref, protocols)}")
            if a.meta.translation_of and a.meta.translation_of not in articles:
                self.at(a.path, loc, ("translation_of",), f"expected the id of an article, found "
                        f"'{a.meta.translation_of}'{self._hint(a.meta.translation_of, articles)}")

    def translations(self) -> None:
        """A translation points at an original, in another language, one translation per language."""
        items: list[tuple[str, str, str, str | None]] = [(a.path, a.id, a.meta.lang, a.meta.translation_of)
                                                         for a in self.catalog.articles]
        items += [(p.path, p.id, p.model.lang, p.model.translation_of) for p in self.catalog.protocols]
        info = {ident: (path, lang, source) for path, ident, lang, source in items}
        taken: dict[tuple[str, str], str] = {}
        for path, _ident, lang, source in sorted(items):
            if source is None or source not in info:
                continue  # no translation, or a dangling reference (reported by references())
            src_path, src_lang, src_source = info[source]
            loc = self.loc(path)
            if src_source is not None:
                self.at(path, loc, ("translation_of",), f"expected the id of an original, found '{source}', "
                        f"itself a translation of '{src_source}'; point at '{src_source}'")
            elif lang == src_lang:
                self.at(path, loc, ("lang",), f"expected a language other than its source's ({src_path} is "
                        f"'{src_lang}'), found '{lang}'")
            elif (source, lang) in taken:
                self.at(path, loc, ("translation_of",), f"expected one '{lang}' translation of '{source}', "
                        f"found a second one ({taken[source, lang]} is the first)")
            else:
                taken[source, lang] = path

    @staticmethod
    def _hint(ref: str, known: Mapping[str, object]) -> str:
        close = difflib.get_close_matches(ref, list(known), n=1, cutoff=0.7)
        return f"; did you mean '{close[0]}'?" if close else ""

    def graph(self, entry: ProtocolEntry) -> None:
        proto, loc, path = entry.model, self.loc(entry.path), entry.path
        index: dict[str, int] = {}
        for i, step in enumerate(proto.steps):
            if step.id in index:
                self.at(path, loc, ("steps", i, "id"), f"expected step ids unique in the protocol, found "
                        f"'{step.id}' again (first at steps[{index[step.id]}])")
            else:
                index[step.id] = i
        dangling = False
        for i, step in enumerate(proto.steps):
            for j, opt in enumerate(step.options):
                if opt.next is not None and opt.next not in index:
                    dangling = True
                    self.at(path, loc, ("steps", i, "options", j, "next"),
                            f"expected the id of a step of this protocol, found '{opt.next}'"
                            f"{self._hint(opt.next, index)}")
                elif opt.next == step.id:
                    self.at(path, loc, ("steps", i, "options", j, "next"),
                            f"expected a different step, found '{opt.next}' pointing back to its own step")
        for i, step in enumerate(proto.steps):
            for j, before in enumerate(step.after):
                if before not in index or before == step.id:
                    self.at(path, loc, ("steps", i, "after", j), "expected the id of another step of this protocol, "
                            f"found '{before}'{self._hint(before, index) if before != step.id else ''}")
        if proto.start not in index:
            self.at(path, loc, ("start",), f"expected the id of a step of this protocol, found "
                    f"'{proto.start}'{self._hint(proto.start, index)}")
            return
        if dangling:
            return  # reachability would only repeat the dangling reference
        reach = self._reachable(proto.start, lambda sid: proto.steps[index[sid]].targets)
        for i, step in enumerate(proto.steps):
            if step.id not in reach and index[step.id] == i:
                self.at(path, loc, ("steps", i, "id"),
                        f"expected every step to be reachable from start '{proto.start}', "
                        f"found '{step.id}' unreachable")
        # Reverse edges: a step can end if it is an ending, has an ending option, or leads to one that can.
        incoming: dict[str, list[str]] = {s.id: [] for s in proto.steps}
        can_end = set()
        for step in proto.steps:
            if step.is_end or any(o.next is None for o in step.options):
                can_end.add(step.id)
            for t in step.targets:
                incoming[t].append(step.id)
        ends = self._reachable_many(can_end, lambda sid: incoming[sid])
        for i, step in enumerate(proto.steps):
            if step.id not in ends and index[step.id] == i and step.id in reach:
                self.at(path, loc, ("steps", i, "id"),
                        f"expected a way from '{step.id}' to an ending (resolve or escalate), found only loops")

    @staticmethod
    def _reachable(start: str, edges: Callable[[str], Iterable[str]]) -> set[str]:
        return _Rules._reachable_many({start}, edges)

    @staticmethod
    def _reachable_many(starts: set[str], edges: Callable[[str], Iterable[str]]) -> set[str]:
        seen, queue = set(starts), deque(starts)
        while queue:
            for nxt in edges(queue.popleft()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    def sections(self, article: Article) -> None:
        wanted = REQUIRED_SECTIONS[article.meta.type][article.meta.lang]
        src_headings = self.headings.get(article.path)
        if src_headings is None:
            src_headings = markdown_headings(article.body, article.body_line)
        h2 = {_fold(h.text) for h in src_headings if h.level == 2}
        missing = [w for w in wanted if _fold(w) not in h2]
        if missing:
            found = ", ".join(h.text for h in src_headings if h.level == 2) or "no '## ' sections"
            line = src_headings[-1].line if src_headings else article.body_line
            self.out.append(Diagnostic(
                article.path, line, 1, "body",
                f"expected the section{'s' if len(missing) > 1 else ''} "
                f"{', '.join('## ' + m for m in missing)} in a {article.meta.type} article "
                f"({article.meta.lang}), found {found}" + ("; this draft is finished when they are written"
                                                           if article.meta.draft else ""),
                Severity.WARNING if article.meta.draft else Severity.ERROR))
        for h in src_headings:
            if h.level == 1:
                self.out.append(Diagnostic(article.path, h.line, 1, "body",
                                           f"expected no '# ' heading (the title comes from the front matter), "
                                           f"found '# {h.text}'", Severity.WARNING))

    def reviews(self) -> None:
        items: list[tuple[str, date, int]] = [(a.path, a.meta.reviewed, a.meta.review_every_days)
                                              for a in self.catalog.articles]
        items += [(p.path, p.model.reviewed, p.model.review_every_days) for p in self.catalog.protocols]
        for path, reviewed, every in items:
            due = reviewed + timedelta(days=every)
            if reviewed > self.today:
                self.at(path, self.loc(path), ("reviewed",),
                        f"expected a date not after today ({self.today.isoformat()}), found {reviewed.isoformat()}")
            elif due < self.today:
                self.at(path, self.loc(path), ("reviewed",),
                        f"expected a review by {due.isoformat()} (every {every} days), found it "
                        f"{(self.today - due).days} days overdue", Severity.WARNING)

    def run(self) -> list[Diagnostic]:
        self.unique_ids()
        self.file_names()
        self.references()
        self.translations()
        for p in self.catalog.protocols:
            self.graph(p)
        for a in self.catalog.articles:
            self.sections(a)
        self.reviews()
        return self.out


def validate_catalog(catalog: Catalog, today: date, broken: frozenset[str] = frozenset(),
                     headings: Mapping[str, tuple[Heading, ...]] | None = None) -> list[Diagnostic]:
    """Catalog-wide rules; references to ``broken`` ids (files already reported) are not repeated.
    ``headings``: each article's headings as the read stage found them (else found again here)."""
    return _Rules(catalog, today, broken, headings).run()


def broken_ids(read: ReadResult, catalog: Catalog) -> frozenset[str]:
    """``kb/<id>`` and ``protocols/<id>`` of files that exist but are not in the catalog.

    Their own errors say why; a reference to such a file is not dangling, so it is not
    reported a second time. Both the file name and the ``id`` it declares count.
    """
    built = {a.path for a in catalog.articles} | {p.path for p in catalog.protocols}
    found = {s.path for s in read.articles} | {s.path for s in read.protocols} | {d.path for d in read.diagnostics}
    out: set[str] = set()
    for path in found - built:
        folder = PurePosixPath(path).parts[0]
        out.add(f"{folder}/{PurePosixPath(path).stem}")
        located = catalog.positions.get(path)
        ident = located.data.get("id") if located is not None and isinstance(located.data, dict) else None
        if isinstance(ident, str):
            out.add(f"{folder}/{ident}")
    return frozenset(out)


def validate_with(read: ReadResult, today: date,
                  extra: Callable[[Catalog], list[Diagnostic]]) -> ValidationResult:
    """Model ``read`` and check the catalog, adding what ``extra`` finds on it (the pipeline's lint and
    translation checks)."""
    catalog, diags = build_catalog(read)
    headings = {src.path: src.headings for src in read.articles}
    diags += validate_catalog(catalog, today, broken_ids(read, catalog), headings)
    diags += extra(catalog)  # content-quality lint (docs/lint.md) and stale translations: warnings
    return ValidationResult(catalog, sort_diagnostics(diags), read.files)


def validate_read(read: ReadResult, today: date) -> ValidationResult:
    """Model and check already-read files, without the lint (the live preview re-reads only what an
    edit touched)."""
    return validate_with(read, today, lambda catalog: [])
