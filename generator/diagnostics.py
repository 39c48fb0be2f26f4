"""Diagnostics: one problem found in the content, an imported file or a request, with its position.

Every stage reports user-facing problems as :class:`Diagnostic` values (the content stages, the
importer's findings, the event service's refused events); nothing user-facing is ever raised as a
bare exception. Formatting for the terminal, for
JSON consumers and for GitHub annotations lives here too, so every command prints
problems the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _one_line(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else
                        f"\\u{ord(m.group()):04x}", text)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # a value was derived or defaulted (the importer's notes): worth a glance


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem at ``path:line:col``; ``key`` is the dotted path of the YAML key (or the JSON field).

    ``code`` is a stable name for tools (the importer's finding codes, docs/import.md); ``subject``
    names what the problem is about when the path does not (the id of a refused event)."""

    path: str
    line: int
    col: int
    key: str
    message: str
    severity: Severity = Severity.ERROR
    code: str = ""
    subject: str | None = None

    def format(self, *, level: bool = False) -> str:
        """One line, always: control characters in a file name (a new line) are shown escaped.
        ``level``: name every severity (``error: [code]``), as the importer prints its findings."""
        shown = f"{self.severity.value}: " if level or self.severity is not Severity.ERROR else ""
        code = f"[{self.code}] " if level and self.code else ""
        key = f"{_one_line(self.key)}: " if self.key else ""
        return f"{_one_line(self.path)}:{self.line}:{self.col}: {shown}{code}{key}{_one_line(self.message)}"

    def as_error(self) -> Diagnostic:
        return replace(self, severity=Severity.ERROR)


class ContentError(Exception):
    """Raised by a stage that cannot go on; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Sequence[Diagnostic], files: int | None = None) -> None:
        self.diagnostics = list(diagnostics)
        self.files = files if files is not None else len({d.path for d in self.diagnostics})
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diags), key=lambda d: (d.path, d.line, d.col, d.key, d.message))


def errors(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.severity is Severity.ERROR]


def warnings(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.severity is Severity.WARNING]


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(diags: Sequence[Diagnostic], files: int) -> str:
    n_err, n_warn = len(errors(diags)), len(warnings(diags))
    return f"{plural(n_err, 'error')}, {plural(n_warn, 'warning')} in {plural(files, 'file')}"


def format_text(diags: Sequence[Diagnostic], files: int) -> str:
    lines = [d.format() for d in diags]
    lines.append(summary_line(diags, files))
    return "\n".join(lines) + "\n"


def format_json(diags: Sequence[Diagnostic], files: int) -> str:
    payload = {
        "files": files,
        "errors": len(errors(diags)),
        "warnings": len(warnings(diags)),
        "diagnostics": [{**{k: v for k, v in asdict(d).items() if k not in ("code", "subject") or v},
                         "severity": d.severity.value} for d in diags],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _escape_github(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(diags: Sequence[Diagnostic], files: int) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic."""
    out = []
    for d in diags:
        props = (
            f"file={_escape_github(d.path, prop=True)},line={d.line},col={d.col},"
            f"title={_escape_github(d.key or 'kb', prop=True)}"
        )
        out.append(f"::{d.severity.value} {props}::{_escape_github(d.message)}")
    out.append(summary_line(diags, files))
    return "\n".join(out) + "\n"


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}
