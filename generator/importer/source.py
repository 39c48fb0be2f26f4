"""Read one help-centre file: bytes -> text, front matter (YAML, TOML or none) and body.

Nothing is written: the source folder is only ever read. YAML front matter goes through the
hardened loader (no aliases, no duplicate keys, no YAML 1.1 surprises); TOML (Hugo's ``+++``)
through the standard library. Problems become findings; a file that cannot be read is skipped.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from generator.content.sources import split_front_matter
from generator.content.yamlsafe import MAX_BYTES, Located, load
from generator.diagnostics import ContentError, Diagnostic
from generator.importer.report import finding

_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class SourceDoc:
    """A source file split into front matter data (with positions) and body."""

    rel: str
    data: dict[str, Any]
    located: Located
    body: str
    body_line: int  # file line of the body's first line
    findings: list[Diagnostic] = field(default_factory=list)


def _decode(raw: bytes, rel: str, findings: list[Diagnostic]) -> str | None:
    if len(raw) > MAX_BYTES:
        findings.append(finding(rel, 1, 1, "error", "too-large",
                                f"expected at most {MAX_BYTES:,} bytes, found {len(raw):,}: not imported"))
        return None
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            findings.append(finding(rel, line, 1, "error", "encoding",
                                    f"expected UTF-8 text, found the byte 0x{raw[exc.start]:02x}: not imported"))
            return None
        findings.append(finding(rel, line, 1, "warning", "encoding",
                                f"expected UTF-8, found the byte 0x{raw[exc.start]:02x}; read the file as "
                                "Windows-1252: check accents and symbols"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        findings.append(finding(rel, 1, 1, "error", "encoding", "expected text, found NUL bytes: not imported"))
        return None
    return _CONTROL.sub("", text)  # form feeds, escapes and the like: invisible, and YAML refuses them


def _plain(value: Any) -> Any:
    """TOML values as the YAML loader would give them: dates and times become ISO text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(value)
    return value


def _toml(fm: str, rel: str, first_line: int) -> Located | Diagnostic:
    try:
        data = _plain(tomllib.loads(fm))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        line, col = (int(m.group(1)) + first_line - 1, int(m.group(2))) if m else (first_line, 1)
        return finding(rel, line, col, "error", "front-matter",
                       f"expected valid TOML front matter, found {exc}: not imported")
    located = Located(data, values={(): (first_line, 1)})
    for i, text in enumerate(fm.splitlines()):  # TOML has no positions: find each top-level key's line
        m = re.match(r"\s*([\w.\-\"']+)\s*=", text)
        if m:
            key = m.group(1).strip("\"'")
            pos = (first_line + i, len(text) - len(text.lstrip()) + 1)
            located.keys.setdefault((key,), pos)
            located.values.setdefault((key,), pos)
    return located


_SCALAR = re.compile(r"^(?P<key>[A-Za-z_][\w.-]*):[ \t]+(?P<value>\S.*?)\s*$")


def _needs_quotes(value: str) -> bool:
    """A top-level value a person meant as text that strict YAML refuses: '"Server Busy" error', 'Error: x'."""
    if value[0] in "\"'":
        q = value[0]
        inner = value[1:]
        closed = inner.endswith(q) and (q == "'" or not inner.endswith("\\" + q))
        return not closed or (q in inner[:-1] and q == '"' and '\\"' not in inner)
    if value[0] in "[{|>&*!%#":
        return False
    return ": " in value or value.endswith(":") or " #" in value or value[0] in "@`"


def _repair(fm: str) -> tuple[str, list[int]]:
    lines, fixed = fm.split("\n"), []
    for i, text in enumerate(lines):
        m = _SCALAR.match(text)
        if m and _needs_quotes(m.group("value")):
            value = json.dumps(m.group("value"), ensure_ascii=False)
            lines[i] = f"{m.group('key')}: {value}"
            fixed.append(i)
    return "\n".join(lines), fixed


def _load_forgiving(fm: str, rel: str, line_offset: int, findings: list[Diagnostic]) -> Located:
    """The hardened loader; when it refuses the front matter, a value written as plain text is quoted and
    loaded again, with a warning for each line so recovered (the article is imported, not refused)."""
    try:
        return load(fm, rel, line_offset=line_offset)
    except ContentError:
        repaired, fixed = _repair(fm)
        if not fixed:
            raise
        located = load(repaired, rel, line_offset=line_offset)
    for i in fixed:
        findings.append(finding(rel, line_offset + i + 1, 1, "warning", "front-matter-recovered",
                                f"expected a YAML value, found text YAML refuses ({fm.split(chr(10))[i][:80]!r}): "
                                "read as the text it says; quote it in the source"))
    return located


def read_source(raw: bytes, rel: str) -> SourceDoc | list[Diagnostic]:
    """Split a source file; returns the findings alone when it cannot be imported."""
    findings: list[Diagnostic] = []
    text = _decode(raw, rel, findings)
    if text is None:
        return findings
    lines = text.split("\n")
    skip = 0
    while skip < len(lines) and not lines[skip].strip():
        skip += 1  # blank lines before the front matter
    opener = lines[skip].rstrip() if skip < len(lines) else ""
    if opener not in ("---", "+++"):
        return SourceDoc(rel, {}, Located({}), text, 1, findings)
    fenced = "\n".join(["---" if i == skip or ln.rstrip() == opener else ln for i, ln in enumerate(lines)][skip:])
    if opener == "+++":  # TOML: the closing line is +++ too
        fenced = "\n".join(["---" if ln.rstrip() == "+++" else ln for ln in lines[skip:]])
    try:
        fm, body, body_line = split_front_matter(fenced, rel)
        body_line += skip
        toml = _toml(fm, rel, skip + 2) if opener == "+++" else None
        if isinstance(toml, Diagnostic):
            return [*findings, toml]
        located = toml or _load_forgiving(fm, rel, skip + 1, findings)
    except ContentError as exc:
        return [*findings, *(finding(rel, d.line, d.col, "error", "front-matter", d.message + ": not imported",
                                     d.key if d.key not in ("yaml", "document") else "")
                             for d in exc.diagnostics)]
    if located.data is None:
        located.data = {}
    if not isinstance(located.data, dict):
        return [*findings, finding(rel, skip + 2, 1, "error", "front-matter",
                                   "expected the front matter to be a mapping of keys, found "
                                   f"{type(located.data).__name__}: not imported")]
    return SourceDoc(rel, located.data, located, body, body_line, findings)
