"""The import report: what was imported, and everything that could not be mapped, with positions.

Two forms of the same facts: Markdown for the maintainer who finishes the migration, JSON for
tools. Each finding has a stable ``code`` (listed in docs/import.md) and a severity:

* ``error``: the article was not written;
* ``warning``: written, but something was lost or needs a person (a placeholder section, an
  unmapped key, removed HTML, a missing image);
* ``info``: a value was derived or defaulted; worth a glance.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from generator.diagnostics import Diagnostic, Severity

Level = Literal["error", "warning", "info"]
Status = Literal["imported", "would-import", "exists", "skipped", "failed"]


def finding(source: str, line: int, col: int, level: Level, code: str, message: str, key: str = "") -> Diagnostic:
    """One thing the importer could not map (or chose for you), at ``source:line:col`` (the path relative
    to the imported folder, posix), with its stable ``code``: the one Diagnostic type."""
    return Diagnostic(source, line, col, key, message, Severity(level), code)


def _finding_json(d: Diagnostic) -> dict[str, Any]:
    return {"source": d.path, "line": d.line, "col": d.col, "level": d.severity.value, "code": d.code,
            "message": d.message, "key": d.key}


@dataclass
class Outcome:
    """What became of one source file."""

    source: str
    status: Status
    path: str = ""  # written (or would-be) file, relative to the content root or --out
    id: str = ""
    title: str = ""
    type: str = ""
    lang: str = ""
    area: str = ""
    assets: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    source_dir: str
    out_dir: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def counts(self) -> dict[str, int]:
        by_status = Counter(o.status for o in self.outcomes)
        by_level = Counter(f.severity.value for f in self.findings)
        return {"files": len(self.outcomes), **{s: by_status.get(s, 0) for s in
                                               ("imported", "would-import", "exists", "skipped", "failed")},
                "errors": by_level.get("error", 0), "warnings": by_level.get("warning", 0),
                "infos": by_level.get("info", 0)}

    def summary(self) -> str:
        c = self.counts()
        done = f"{c['would-import']} would be imported" if self.dry_run else f"{c['imported']} imported"
        return (f"{done}, {c['exists']} already there, {c['skipped']} skipped, {c['failed']} failed "
                f"of {c['files']} files; {c['errors']} errors, {c['warnings']} warnings, {c['infos']} notes")

    def sorted_findings(self) -> list[Diagnostic]:
        return sorted(self.findings, key=lambda f: (f.path, f.line, f.col, f.code, f.message))

    def as_json(self) -> str:
        payload = {
            "source": self.source_dir,
            "out": self.out_dir,
            "dry_run": self.dry_run,
            "summary": self.counts(),
            "articles": [asdict(o) for o in sorted(self.outcomes, key=lambda o: o.source)],
            "findings": [_finding_json(f) for f in self.sorted_findings()],
        }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"

    def as_markdown(self) -> str:
        out = [f"# Import report: {self.source_dir}", "",
               f"{'Dry run: nothing was written. ' if self.dry_run else ''}Output: `{self.out_dir}`.", "",
               self.summary() + ".", ""]
        codes = Counter((f.severity.value, f.code) for f in self.findings)
        if codes:
            out += ["| level | code | count |", "|---|---|---|"]
            out += [f"| {lvl} | {code} | {n} |" for (lvl, code), n in sorted(codes.items())]
            out.append("")
        by_source: dict[str, list[Diagnostic]] = {}
        for f in self.sorted_findings():
            by_source.setdefault(f.path, []).append(f)
        for o in sorted(self.outcomes, key=lambda o: o.source):
            target = f" → `{o.path}` ({o.type}, {o.lang})" if o.path else ""
            out += [f"## `{o.source}`: {o.status}{target}", ""]
            out += [f"- `{f.path}:{f.line}:{f.col}` **{f.severity.value}** `{f.code}` "
                    f"{_md(f.key + ': ' if f.key else '')}{_md(f.message)}" for f in by_source.pop(o.source, [])]
            out.append("")
        for source, rest in sorted(by_source.items()):  # findings about files that are not articles
            out += [f"## `{source}`", ""]
            out += [f"- `{f.path}:{f.line}:{f.col}` **{f.severity.value}** `{f.code}` {_md(f.message)}" for f in rest]
            out.append("")
        return "\n".join(out).rstrip("\n") + "\n"

    def lines(self, prefix: str = "", levels: Iterable[Level] = ("error", "warning")) -> list[str]:
        wanted = set(levels)
        return [prefix + f.format(level=True) for f in self.sorted_findings() if f.severity.value in wanted]


def _md(text: str) -> str:
    """Text shown in Markdown without being read as markup (HTML from sources stays visible)."""
    return text.replace("\\", "\\\\").replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_") \
        .replace("`", "\\`").replace("[", "\\[").replace("|", "\\|")
