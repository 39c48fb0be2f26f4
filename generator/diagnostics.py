"""Diagnostics: one problem found in the content, with its position.

Every stage reports user-facing problems as :class:`Diagnostic` values; nothing
user-facing is ever raised as a bare exception. Formatting for the terminal, for
JSON consumers and for GitHub annotations lives here too, so every command prints
problems the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _one_line(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else
                        f"\\u{ord(m.group()):04x}", text)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem at ``path:line:col``; ``key`` is the dotted path of the YAML key."""

    path: str
    line: int
    col: int
    key: str
    message: str
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        """One line, always: control characters in a file name (a new line) are shown escaped."""
        level = "" if self.severity is Severity.ERROR else "warning: "
        key = f"{_one_line(self.key)}: " if self.key else ""
        return f"{_one_line(self.path)}:{self.line}:{self.col}: {level}{key}{_one_line(self.message)}"

    def as_error(self) -> Diagnostic:
        return Diagnostic(self.path, self.line, self.col, self.key, self.message, Severity.ERROR)


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
        "diagnostics": [{**asdict(d), "severity": d.severity.value} for d in diags],
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
