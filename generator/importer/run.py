"""`kb import DIR`: read a help centre's folder, write our articles, report the rest.

The pipeline: discover (read-only walk of DIR) -> convert each file -> give ids -> link
translations -> follow links and copy images -> sanitize HTML -> validate everything together
with the existing content (the same rules as `kb validate`) -> write. A file that would not
validate is reported and not written; an existing file is only replaced with ``force``, and a
file that another source (or a person) owns keeps its id: the new article gets ``-2``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from generator.content.sources import KB_DIR, PROTOCOLS_DIR, discover
from generator.diagnostics import Diagnostic, Severity
from generator.importer.body import Ln, heading
from generator.importer.convert import Converter, Draft, Skipped
from generator.importer.htmlclean import clean_html
from generator.importer.links import ARTICLE_SUFFIXES, LinkContext, rewrite_links
from generator.importer.mapping import ImportLint, Mapping, load_mapping
from generator.importer.meta import clean_line
from generator.importer.report import ImportResult, Outcome, finding
from generator.importer.source import read_source
from generator.model.fields import RESERVED_IDS
from generator.pipeline.validation import validate_texts

MAP_NAMES = ("import-map.yml", "import-map.yaml")
PROVENANCE = "# kb import: "


class ImportUsageError(ValueError):
    """The command was called in a way that cannot work (exit code 2)."""


@dataclass(frozen=True)
class ImportOptions:
    source: Path
    root: Path  # content root: holds kb/ and protocols/
    out: Path | None = None  # folder that takes <area>/<id>.md (default: <root>/kb)
    mapping: Path | None = None  # default: DIR/import-map.yml when there is one
    dry_run: bool = False
    force: bool = False
    today: date | None = None
    report: Path | None = None  # Markdown report; the JSON one goes beside it (.json)


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), line separators escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def front_matter(draft: Draft) -> str:
    """Our front matter, keys in the documented order, every text quoted."""
    v = draft.meta
    out = ["---", PROVENANCE + clean_line(draft.rel, 500), f"id: {draft.id}"]
    for key in ("title", "type", "audience", "summary", "symptoms", "cause", "products", "tags", "owner",
                "reviewed", "review_every_days", "protocols", "lang", "translation_of"):
        value = v.get(key)
        if value is None or value == []:
            continue
        if key == "symptoms":
            out += ["symptoms:", *(f"  - {_quote(s)}" for s in value)]
        elif isinstance(value, list):
            out.append(f"{key}: [{', '.join(_quote(x) for x in value)}]")
        elif isinstance(value, date):
            out.append(f"{key}: {value.isoformat()}")
        elif isinstance(value, int) or key in ("type", "audience", "lang", "translation_of"):
            out.append(f"{key}: {value}")
        else:
            out.append(f"{key}: {_quote(value)}")
    return "\n".join([*out, *_lint_lines(v.get("lint")), "---", ""])


def _lint_lines(lint: ImportLint | None) -> list[str]:
    """The mapping's lint exceptions as the article's ``lint:`` (nothing when it sets none)."""
    if lint is None:
        return []
    out = []
    if lint.disable:
        out.append(f"  disable: [{', '.join(lint.disable)}]")
    if lint.severity:
        pairs = ", ".join(f"{name}: {_quote(level)}" for name, level in lint.severity.items())
        out.append(f"  severity: {{{pairs}}}")
    if lint.address:
        out.append(f"  address: {lint.address}")
    return ["lint:", *out] if out else []


def _spaced(lines: list[Ln]) -> list[Ln]:
    """A blank line around every heading, as Markdown readers expect."""
    out: list[Ln] = []
    for i, ln in enumerate(lines):
        is_heading = heading(ln) is not None
        if is_heading and out and out[-1].text.strip():
            out.append(Ln(0, ""))
        out.append(ln)
        if is_heading and i + 1 < len(lines) and lines[i + 1].text.strip():
            out.append(Ln(0, ""))
    return out


def _walk(source: Path) -> tuple[list[str], list[str]]:
    """Markdown files and other files under ``source`` (hidden ones left out), sorted, posix."""
    articles: list[str] = []
    others: list[str] = []
    for folder, dirs, files in os.walk(source, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            rel = (Path(folder) / name).relative_to(source).as_posix()
            (articles if name.lower().endswith(ARTICLE_SUFFIXES) else others).append(rel)
    return articles, others


def _provenance(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = [fh.readline() for _ in range(2)]
    except OSError:
        return None
    line = head[1].rstrip("\n") if len(head) > 1 else ""
    return line.removeprefix(PROVENANCE) if line.startswith(PROVENANCE) else None


class _Importer:
    def __init__(self, opts: ImportOptions) -> None:
        self.source = opts.source.resolve()
        self.root = opts.root.resolve()
        self.out = (opts.out or opts.root / KB_DIR).resolve()
        self.opts = opts
        self.today = opts.today or date.today()
        report = opts.report.resolve() if opts.report else None
        for what, path in (("--out", self.out), ("the content root", self.root), ("--report", report)):
            if path is not None and path.is_relative_to(self.source):
                raise ImportUsageError(f"{what} ({path}) is inside the imported folder ({self.source}), which "
                                       "is never written to: choose another place")
        if self.source.is_relative_to(self.out) or self.source.is_relative_to(self.root / KB_DIR):
            raise ImportUsageError(f"the imported folder ({self.source}) is inside the articles folder: move it "
                                   "out first")
        map_path = opts.mapping or next((self.source / n for n in MAP_NAMES if (self.source / n).is_file()), None)
        self.map_path = map_path
        self.mapping: Mapping = load_mapping(map_path)
        self.result = ImportResult(str(opts.source), str(opts.out or Path(opts.root) / KB_DIR), opts.dry_run)

    # --- ids ------------------------------------------------------------------------------------
    def _existing(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for rel in discover(self.root):
            found.setdefault(PurePosixPath(rel).stem, self.root / rel)
        if self.out != (self.root / KB_DIR).resolve() and self.out.is_dir():
            for path in self.out.rglob("*.md"):
                found.setdefault(path.stem, path)
        return found

    def _give_ids(self, drafts: list[Draft]) -> None:
        existing, taken = self._existing(), set()
        for d in drafts:
            base, n = d.wanted_id, 2
            candidate = base
            while True:
                target = self.out / d.area / f"{candidate}.md"
                path = existing.get(candidate)
                mine = path is not None and path.resolve() == target and _provenance(path) == clean_line(d.rel, 500)
                if candidate not in taken and candidate not in RESERVED_IDS and (path is None or mine):
                    break
                candidate, n = f"{base[:60]}-{n}", n + 1
            if candidate != base:
                self.result.findings.append(finding(d.rel, 1, 1, "info", "id-changed",
                                                    f"id '{base}' is taken: the article is '{candidate}'", "id"))
            d.id = candidate
            taken.add(candidate)

    def _translations(self, drafts: list[Draft]) -> None:
        groups: dict[str, list[Draft]] = {}
        for d in drafts:
            if d.translation_key:
                groups.setdefault(d.translation_key, []).append(d)
        for group in groups.values():
            if len(group) < 2:
                continue
            original = next((d for d in group if d.lang == self.mapping.file.default_lang), group[0])
            for d in group:
                if d is original:
                    continue
                if d.lang == original.lang:
                    self.result.findings.append(finding(d.rel, 1, 1, "warning", "duplicate-source",
                                                        f"same source id as {original.rel} in the same language: "
                                                        "imported as a separate article"))
                    continue
                d.meta["translation_of"] = original.id
                self.result.findings.append(finding(d.rel, 1, 1, "info", "translation",
                                                    f"translation of {original.rel} ('{original.id}')"))

    # --- content --------------------------------------------------------------------------------
    def _render(self, d: Draft, imported: dict[str, str], protocols: set[str]) -> tuple[str, LinkContext]:
        ctx = LinkContext(self.source, d.rel, f"{d.area}/{d.id}.md", f"{self.mapping.file.assets_dir}/{d.id}",
                          d.lang, imported, self.mapping.file.old_site_url)
        body, html_findings = clean_html(_spaced(rewrite_links(d.lines, ctx)), d.rel)
        d.findings += ctx.findings + html_findings
        refs = d.meta.get("protocols", [])
        unknown = [p for p in refs if p not in protocols]
        if unknown:
            d.findings.append(finding(d.rel, *d.origins.get("protocols", (1, 1)), "warning", "unknown-protocol",
                                      f"no protocol {', '.join(unknown)} in {PROTOCOLS_DIR}/: left out", "protocols"))
            d.meta["protocols"] = [p for p in refs if p in protocols]
        body = re.sub(r"\n{3,}", "\n\n", body.strip("\n")) + "\n"
        return front_matter(d) + body, ctx

    def _validate(self, texts: dict[str, tuple[Draft, str]]) -> None:
        """Drop (and report) every draft that `kb validate` would reject. Lint findings do not: they are
        the maintainer's to fix on the written article (a mapping's lint: may make a rule an error)."""
        base = {rel: (self.root / rel).read_text(encoding="utf-8", errors="replace") for rel in discover(self.root)}
        for _ in range(5):  # a rejected article can break a translation that points at it: go again
            result = validate_texts(base | {p: t for p, (_, t) in texts.items()}, self.today, lint=False)
            bad = [d for d in result.diagnostics if d.path in texts and d.severity is Severity.ERROR]
            if not bad:
                return
            for diag in bad:
                draft = texts[diag.path][0]
                draft.findings.append(finding(draft.rel, 1, 1, "error", "invalid",
                                              f"the converted article would fail kb validate ({diag.format()}): "
                                              "not imported"))
            for path in {d.path for d in bad}:
                del texts[path]

    def _write(self, d: Draft, text: str, ctx: LinkContext, outcome: Outcome) -> None:
        target = self.out / d.area / f"{d.id}.md"
        if not target.resolve().is_relative_to(self.out) or target.resolve().is_relative_to(self.source):
            raise ImportUsageError(f"refusing to write outside {self.out}: {target}")
        if target.exists() and not self.opts.force:
            outcome.status = "exists"
            d.findings.append(finding(d.rel, 1, 1, "info", "exists", f"{outcome.path} is already there: "
                                      "not overwritten (use --force)"))
            return
        if self.opts.dry_run:
            outcome.status = "would-import"
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        for rel, src in ctx.copies.items():
            dest = self.out / rel
            if not dest.resolve().is_relative_to(self.out):
                continue
            if dest.exists() and not self.opts.force and dest.read_bytes() != src.read_bytes():
                d.findings.append(finding(d.rel, 1, 1, "warning", "exists", f"{rel} is already there with "
                                          "other content: not overwritten (use --force)"))
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        outcome.status = "imported"

    def run(self) -> ImportResult:
        articles, others = _walk(self.source)
        map_rel = (self.map_path.resolve().relative_to(self.source).as_posix()
                   if self.map_path is not None and self.map_path.resolve().is_relative_to(self.source) else None)
        converter = Converter(self.mapping, self.today, self.source)
        drafts: list[Draft] = []
        done_all: list[Draft | Skipped] = []
        for rel in articles:
            path = self.source / rel
            if not path.resolve().is_relative_to(self.source):
                self._fail(rel, [finding(rel, 1, 1, "error", "outside", "a link to a file outside the folder: "
                                         "not imported")])
                continue
            doc = read_source(path.read_bytes(), rel)
            done_all.append(converter.convert(doc) if not isinstance(doc, list) else Skipped(rel, doc, failed=True))
        for done in done_all:
            if done.rel in converter.included:  # a DocFX include: its text is in the articles that include it
                self.result.findings.append(finding(done.rel, 1, 1, "info", "included-file", "included by another "
                                                    "article: not imported on its own"))
                self.result.outcomes.append(Outcome(done.rel, "skipped"))
            elif isinstance(done, Skipped):
                self.result.findings += done.findings
                self.result.outcomes.append(Outcome(done.rel, "failed" if done.failed else "skipped"))
            else:
                drafts.append(done)
        self._give_ids(drafts)
        self._translations(drafts)
        imported = {d.rel: f"{d.area}/{d.id}.md" for d in drafts}
        protocols = {PurePosixPath(r).stem for r in discover(self.root) if r.startswith(PROTOCOLS_DIR + "/")}
        rendered: dict[str, tuple[Draft, str]] = {}
        contexts: dict[str, LinkContext] = {}
        for d in drafts:
            text, ctx = self._render(d, imported, protocols)
            rendered[f"{KB_DIR}/{d.area}/{d.id}.md"] = (d, text)
            contexts[d.rel] = ctx
        valid = dict(rendered)
        self._validate(valid)
        used_assets = {src.resolve() for ctx in contexts.values() for src in ctx.copies.values()}
        for key, (d, text) in rendered.items():
            out_rel = f"{d.area}/{d.id}.md"
            outcome = Outcome(d.rel, "failed", out_rel, d.id, d.meta["title"], d.kind, d.lang, d.area,
                              sorted(contexts[d.rel].copies))
            if key in valid:
                self._write(d, text, contexts[d.rel], outcome)
            self.result.outcomes.append(outcome)
            self.result.findings += d.findings
        for rel in others:
            if rel != map_rel and (self.source / rel).resolve() not in used_assets:
                self.result.findings.append(finding(rel, 1, 1, "info", "not-imported-file",
                                                    "not a Markdown article and not linked from one: left out"))
        return self.result

    def _fail(self, rel: str, findings: list[Diagnostic]) -> None:
        self.result.findings += findings
        self.result.outcomes.append(Outcome(rel, "failed"))


def import_folder(opts: ImportOptions) -> ImportResult:
    """Import every Markdown article under ``opts.source``; the source folder is only read.

    Raises ImportUsageError for a call that cannot work, ContentError for a bad mapping file.
    """
    if not opts.source.is_dir():
        raise ImportUsageError(f"expected a folder of Markdown articles, found nothing at {opts.source}")
    result = _Importer(opts).run()
    if opts.report is not None:
        write_report(result, opts.report)
    return result


def write_report(result: ImportResult, path: Path) -> tuple[Path, Path]:
    """Write the Markdown report to ``path`` and the JSON one beside it (same name, .json)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(result.as_markdown(), encoding="utf-8")
    as_json = path.with_suffix(".json")
    as_json.write_text(result.as_json(), encoding="utf-8")
    return path, as_json

