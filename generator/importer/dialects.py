"""Help-centre Markdown dialects made plain: DocFX directives, includes, comments, escapes.

Runs on the body lines before headings and callouts are read (see :mod:`generator.importer.body`).
Every line keeps the source line it came from, and every loss is a finding with ``path:line``:

* HTML comments are removed whole, also across lines (``<!-- … --->``);
* DocFX ``:::image … :::`` becomes an image with its alt text; other DocFX directives
  (``:::row:::``, ``:::moniker …:::``) are removed and reported;
* ``[!INCLUDE [text](path)]`` is replaced by the included file (from the source folder) or, when
  it is not there, removed and reported;
* backslash escapes that our Markdown would show (``\\<``, ``\\:``) become the character itself;
* angle-bracket placeholders (``<IPAddress or Hostname>``) are written as text (``&lt;…&gt;``),
  so no HTML sanitizer takes them for tags;
* lists indented for other readers (three spaces under ``1.``) are re-indented to four, the
  width our Markdown needs to keep images, notes and code inside a list item.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.diagnostics import Diagnostic
from generator.importer.report import finding

# Python-Markdown's own escapes (markdown.Markdown.ESCAPED_CHARS plus the tables extension's '|').
MD_ESCAPES = frozenset("\\`*_{}[]()>#+-.!|")
HTML_TAGS = frozenset(re.findall(r"\S+", """
    a abbr address area article aside audio b bdi bdo blockquote br button caption cite code col colgroup
    data dd del details dfn div dl dt em embed fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6
    header hr i iframe img input ins kbd label legend li link main map mark meta nav object ol optgroup
    option p picture pre q rp rt ruby s samp script section select small source span strike strong style sub
    summary sup table tbody td template textarea tfoot th thead time tr track tt u ul var video wbr center"""))
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
_ANGLE = re.compile(r"<([^<>\n]*)>")
_TAG_LIKE = re.compile(r"^/?([A-Za-z][\w:-]*)(\s+[\w:-]+(\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*\s*/?$")
_AUTOLINK = re.compile(r"^(?:[A-Za-z][\w+.-]*:[^\s<>]*|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$")
_ESCAPE = re.compile(r"\\(.)")
_DIRECTIVE = re.compile(r":::\s*([\w-]+)((?:[^:]|:(?!::))*):::")
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_INCLUDE = re.compile(r"\[!INCLUDE\s*\[([^\]]*)\]\(\s*<?([^()<>\s]+)>?\s*\)\s*\]", re.IGNORECASE)
_LIST_MARK = re.compile(r"^( *)((?:[-*+]|\d{1,9}[.)]))( +|$)")


@dataclass
class Ln:
    """One body line and the source line it came from (0: written by the importer)."""

    no: int
    text: str
    code: bool = False


@dataclass
class Dialects:
    """What the passes need: the article's path, and a reader of other files of the source folder."""

    rel: str
    read: Callable[[str, str], tuple[str, str, int] | None] | None = None  # (from rel, link) -> (rel, body, line)
    findings: list[Diagnostic] = field(default_factory=list)

    def note(self, line: int, col: int, level: str, code: str, message: str) -> None:
        self.findings.append(finding(self.rel, line, col, level, code, message))  # type: ignore[arg-type]


def outside_code(text: str, fn: Callable[[str], str]) -> str:
    out, done = [], 0
    for m in _CODE_SPAN.finditer(text):
        out += [fn(text[done:m.start()]), m.group(0)]
        done = m.end()
    out.append(fn(text[done:]))
    return "".join(out)


def strip_comments(lines: list[Ln], d: Dialects) -> list[Ln]:
    """HTML comments removed whole; a line that held only a comment goes too."""
    out: list[Ln] = []
    open_at: int | None = None
    for ln in lines:
        if ln.code:
            out.append(ln)
            continue
        text, kept = ln.text, ""
        while text:
            if open_at is not None:
                end = text.find("-->")
                if end < 0:
                    text = ""
                    break
                text, open_at = text[end + 3:], None
                continue
            start = text.find("<!--")
            if start < 0:
                kept += text
                break
            d.note(ln.no, len(kept) + start + 1, "info", "html-comment", "HTML comment removed")
            kept, text, open_at = kept + text[:start], text[start + 4:], ln.no
        if kept.strip() or (not ln.text.strip()):
            out.append(Ln(ln.no, kept.rstrip() if kept != ln.text else ln.text))
    if open_at is not None:
        d.note(open_at, 1, "warning", "unclosed-comment", "an HTML comment '<!--' is never closed: the text after "
               "it was left out")
    return out


def _image(attrs: str, d: Dialects, no: int) -> str:
    values = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(attrs)}
    source = values.get("source", "").strip()
    alt = " ".join((values.get("alt-text") or values.get("alt") or "").split()).replace("[", "(").replace("]", ")")
    if not source:
        d.note(no, 1, "warning", "docfx-directive", "':::image' without source: only its alt text was kept")
        return alt
    return f"![{alt}]({source.replace(' ', '%20')})"


def docfx_directives(lines: list[Ln], d: Dialects) -> list[Ln]:
    """':::image …:::' -> an image; other directives removed and reported; an image may span lines."""
    out: list[Ln] = []
    i, n = 0, len(lines)
    skipping = False  # a complex image's long description, up to ':::image-end:::'
    while i < n:
        ln = lines[i]
        if ln.code:
            out.append(ln)
            i += 1
            continue
        text, j = ln.text, i
        if skipping:
            skipping = ":::image-end:::" not in text
            i += 1
            continue
        if re.search(r":::\s*image\b", text) and not _DIRECTIVE.search(text):
            while j + 1 < n and not lines[j + 1].code and _DIRECTIVE.search(text) is None and j - i < 10:
                j += 1
                text += " " + lines[j].text.strip()
            if _DIRECTIVE.search(text) is None:
                text, j = ln.text, i

        def sub(m: re.Match[str], no: int = ln.no) -> str:
            nonlocal skipping
            name = m.group(1).lower()
            if name == "image":
                skipping = bool(re.search(r"""type\s*=\s*["']complex""", m.group(2)))
                return _image(m.group(2), d, no)
            if name == "image-end":
                skipping = False
            elif name not in ("row", "row-end", "column", "column-end", "moniker-end", "zone-end"):
                d.note(no, m.start() + 1, "warning", "docfx-directive",
                       f"DocFX directive ':::{name}{m.group(2)[:40]}:::' is not supported: removed")
            return ""

        new = _DIRECTIVE.sub(sub, text)
        if new == ln.text:
            out.append(ln)
        elif new.strip():
            out.append(Ln(ln.no, new.rstrip()))
        i = j + 1
    return out


def includes(lines: list[Ln], d: Dialects, depth: int = 0) -> list[Ln]:
    """'[!INCLUDE [text](path)]' -> the included file's body, or removed and reported."""
    out: list[Ln] = []
    for ln in lines:
        m = None if ln.code else _INCLUDE.search(ln.text)
        if m is None:
            out.append(ln)
            continue
        found = d.read(d.rel, m.group(2)) if d.read is not None and depth < 3 else None
        before, after = ln.text[:m.start()], ln.text[m.end():]
        if found is None:
            d.note(ln.no, m.start() + 1, "warning", "missing-include",
                   f"included file '{m.group(2)[:100]}' ({m.group(1) or 'no title'}) is not in the imported "
                   "folder: left out; copy its text into the article")
            if (before + after).strip():
                out.append(Ln(ln.no, (before + after).rstrip()))
            continue
        indent = " " * (len(before) - len(before.lstrip())) if not before.strip() else ""
        body = [Ln(ln.no, indent + t if t.strip() else "") for t in found[1].split("\n")]
        d.note(ln.no, m.start() + 1, "info", "include", f"'{found[0]}' included")
        if before.strip():
            out.append(Ln(ln.no, before.rstrip()))
        out += includes(body, d, depth + 1)
        if after.strip():
            out.append(Ln(ln.no, indent + after.strip()))
    return out


def _angle(m: re.Match[str]) -> str:
    inner = m.group(1)
    tag = _TAG_LIKE.match(inner)
    if tag and (tag.group(1).lower() in HTML_TAGS or ":" in tag.group(1) or "=" in inner):
        return m.group(0)  # a tag: the HTML cleaner decides
    if _AUTOLINK.match(inner) or inner.startswith(("!", "?")):
        return m.group(0)
    return f"&lt;{inner}&gt;"


def _unescape(m: re.Match[str]) -> str:
    c = m.group(1)
    if c in MD_ESCAPES:
        return m.group(0)
    if c == "<":
        return "&lt;"
    if c == "&":
        return "&amp;"
    return c if c.isascii() and not c.isalnum() and not c.isspace() else m.group(0)


def plain_escapes(text: str) -> str:
    """Backslash escapes of plain text (a title, a symptom) removed: 'Error \\- 0x800' -> 'Error - 0x800'."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def inline_text(text: str) -> str:
    """Escapes our Markdown would show, and angle-bracket placeholders, made plain text.

    In a code span a backslash is shown as it is: ``\\<`` there is a needless escape, dropped."""
    text = _CODE_SPAN.sub(lambda m: m.group(0).replace("\\<", "<"), text)
    return outside_code(text, lambda part: _ANGLE.sub(_angle, _ESCAPE.sub(_unescape, part)))


def escapes(lines: list[Ln]) -> None:
    for ln in lines:
        if not ln.code and ("\\" in ln.text or "<" in ln.text):
            ln.text = inline_text(ln.text)


def reindent_lists(lines: list[Ln]) -> None:
    """Content under a list item indented to the item's text (3 spaces under '1.') -> 4 spaces a level."""
    stack: list[tuple[int, int]] = []  # (source column of the item's text, our column)
    prev_blank = True
    for ln in lines:
        if not ln.text.strip():
            prev_blank = True
            continue
        indent = len(ln.text) - len(ln.text.lstrip(" "))
        mark = None if ln.code else _LIST_MARK.match(ln.text)
        if indent == 0 and not ln.code and ln.text.startswith(("#", "!!!", "???", "|", ">", "<", "---")):
            stack.clear()
        if mark:
            while stack and indent < stack[-1][0]:
                stack.pop()
            ours = stack[-1][1] if stack else 0
            stack.append((indent + len(mark.group(2)) + max(1, len(mark.group(3))), ours + 4))
            ln.text = " " * ours + ln.text.lstrip(" ")
        elif stack:
            if prev_blank or ln.code:
                while stack and indent < stack[-1][0]:
                    stack.pop()
            if stack:
                src, ours = stack[-1]  # 1-3 spaces more than the item's text mean nothing: dropped
                ln.text = " " * (ours + max(0, indent - src) // 4 * 4) + ln.text.lstrip(" ")
        prev_blank = False
