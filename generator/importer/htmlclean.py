"""HTML inside Markdown: keep the safe markup, remove the rest, report what was unsafe.

Python-Markdown passes raw HTML through as it is, so a help centre's ``<script>``, ``<iframe>``
or ``onclick=`` would reach our pages. Every tag outside code is sanitized one by one with nh3
(the maintained binding of the Ammonia sanitizer): the Markdown around the tags is left alone
(no entity escaping of prose), elements whose content is code (script, style…) are removed
with their content, and any ``<`` that could still open a tag is escaped.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

import nh3

from generator.diagnostics import Diagnostic
from generator.importer.body import Ln
from generator.importer.report import finding

ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS)
# Removed with everything inside them.
CONTENT_TAGS = ("script", "style", "template", "noscript", "textarea", "title", "xmp", "noembed", "noframes")
UNSAFE_TAGS = frozenset({*CONTENT_TAGS, "iframe", "frame", "frameset", "object", "embed", "applet", "form",
                         "input", "button", "select", "option", "meta", "link", "base", "svg", "math",
                         "video", "audio", "source", "portal"})
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
                        "srcset", "cite"})

_TOKEN = re.compile(
    r"(?P<content><(?P<cname>" + "|".join(CONTENT_TAGS) + r")\b[^>]*>.*?</(?P=cname)\s*>)"
    r"|(?P<comment><!--.*?-->)"
    r"|(?P<autolink><(?:https?|ftp)://[^\s<>]+>|<mailto:[^\s<>]+>|<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>)"
    r"|(?P<tag><(?P<close>/)?(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?P<attrs>(?:[^<>\n]|\n(?![ \t]*\n))*)(?P<end>>)?)"
    r"|(?P<decl><[!?][^<>]*>?)",
    re.DOTALL | re.IGNORECASE,
)
# Elements that open a raw HTML block at the start of a line: Python-Markdown passes such a block
# through without reading Markdown in it, so the whole block is sanitized as one HTML fragment.
BLOCK_TAGS = frozenset({"address", "article", "aside", "blockquote", "center", "details", "div", "dl", "dd", "dt",
                        "figure", "figcaption", "footer", "header", "hgroup", "main", "nav", "ol", "ul", "li", "p",
                        "pre", "section", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
                        "colgroup", "summary", "h1", "h2", "h3", "h4", "h5", "h6"})
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
_DANGEROUS_URL = re.compile(r"^\s*(javascript|vbscript|data|livescript|mocha)\s*:", re.IGNORECASE)


@dataclass
class _Text:
    text: str
    starts: list[int]  # offset of each line
    origin: list[int]  # source line of each line
    protected: list[tuple[int, int]]  # code ranges, sorted

    def line_col(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.origin[i], offset - self.starts[i] + 1

    def protected_end(self, offset: int) -> int | None:
        """End of the code range holding ``offset``, or None when it is outside code."""
        i = bisect.bisect_right(self.protected, (offset, 1 << 62)) - 1
        if i >= 0 and self.protected[i][0] <= offset < self.protected[i][1]:
            return self.protected[i][1]
        return None


def _prepare(lines: list[Ln]) -> _Text:
    starts, origin, protected = [], [], []
    offset = 0
    for ln in lines:
        starts.append(offset)
        origin.append(ln.no)
        if ln.code:
            protected.append((offset, offset + len(ln.text) + 1))
        else:
            protected += [(offset + m.start(), offset + m.end()) for m in _CODE_SPAN.finditer(ln.text)]
        offset += len(ln.text) + 1
    return _Text("\n".join(ln.text for ln in lines), starts, origin, protected)


def _attrs(text: str) -> Iterable[tuple[str, str]]:
    for m in _ATTR.finditer(text):
        yield m.group(1).lower(), (m.group(2) or "").strip("\"'")


def unsafe_parts(name: str, attrs: str) -> list[str]:
    """What in one opening tag is unsafe, in words (empty when it only loses formatting)."""
    name = name.lower()
    found = []
    if name in UNSAFE_TAGS:
        src = next((v for k, v in _attrs(attrs) if k in ("src", "data", "href", "action")), "")
        found.append(f"<{name}>" + (f" (source {src[:80]})" if src else ""))
    for key, value in _attrs(attrs):
        if key.startswith("on"):
            found.append(f"the event handler {key}= on <{name}>")
        elif key in _URL_ATTRS and (bad := _DANGEROUS_URL.match(value)):
            scheme = bad.group(1).lower()
            what = "an embedded data: image" if scheme == "data" and name == "img" else f"a {scheme}: URL"
            found.append(f"{what} in {key}= of <{name}>")
    return found


def _block_end(text: str, start: int, name: str) -> int:
    """End of the raw HTML block opened at ``start``: its matching end tag, else the next blank line."""
    depth = 0
    for m in re.finditer(rf"<(/?){re.escape(name)}\b[^<>]*>", text[start:], re.IGNORECASE):
        depth += -1 if m.group(1) else (0 if m.group(0).endswith("/>") else 1)
        if depth <= 0:
            return start + m.end()
    blank = re.compile(r"\n[ \t]*\n").search(text, start)
    return blank.start() if blank else len(text)


def _report_block(block: str, offset: int, doc: _Text, rel: str) -> list[Diagnostic]:
    findings = []
    for m in _TOKEN.finditer(block):
        line, col = doc.line_col(offset + m.start())
        if m.group("content"):
            findings.append(finding(rel, line, col, "warning", "unsafe-html",
                                    f"<{m.group('cname').lower()}> removed with its content"))
        elif m.group("comment"):
            findings.append(finding(rel, line, col, "info", "html-comment", "HTML comment removed"))
        elif m.group("tag") and not m.group("close"):
            findings += [finding(rel, line, col, "warning", "unsafe-html", f"{what} removed")
                         for what in unsafe_parts(m.group("name"), m.group("attrs"))]
    return findings


def clean_tag(name: str, close: bool, whole: str) -> str:
    """One tag, sanitized on its own: allowed tags keep their safe attributes; others vanish."""
    name = name.lower()
    if name not in ALLOWED_TAGS:
        return ""
    if close:
        return f"</{name}>"
    cleaned = nh3.clean(whole)
    return cleaned.removesuffix(f"</{name}>")


def clean_html(lines: list[Ln], rel: str) -> tuple[str, list[Diagnostic]]:
    """The body as text with every tag outside code sanitized; unsafe removals are findings."""
    doc = _prepare(lines)
    text, findings, out = doc.text, [], []
    pos = done = 0
    while True:
        m = _TOKEN.search(text, pos)
        if m is None:
            break
        skip_to = doc.protected_end(m.start())
        if skip_to is not None:
            pos = max(skip_to, m.start() + 1)
            continue
        out.append(text[done:m.start()])
        line, col = doc.line_col(m.start())
        replacement = ""
        if m.group("content"):
            name = m.group("cname").lower()
            findings.append(finding(rel, line, col, "warning", "unsafe-html",
                                    f"<{name}> removed with its content"))
            replacement = "\n" * m.group(0).count("\n")  # keep the lines apart as they were
        elif m.group("comment"):
            findings.append(finding(rel, line, col, "info", "html-comment", "HTML comment removed"))
        elif m.group("autolink"):
            replacement = m.group(0)
        elif (m.group("tag") and not m.group("end")) or (m.group("decl") and not m.group(0).endswith(">")):
            out.append("&lt;")  # not a tag after all: make sure no reader takes it for one
            pos = done = m.start() + 1
            continue
        elif (m.group("tag") and not m.group("close") and m.group("name").lower() in BLOCK_TAGS
              and not text[text.rfind("\n", 0, m.start()) + 1:m.start()].strip()):
            end = _block_end(text, m.start(), m.group("name").lower())
            block = text[m.start():end]
            findings += _report_block(block, m.start(), doc, rel)
            out.append(nh3.clean(block, clean_content_tags=set(CONTENT_TAGS)))
            pos = done = end
            continue
        elif m.group("tag"):
            name = m.group("name")
            if not m.group("close"):
                for what in unsafe_parts(name, m.group("attrs")):
                    findings.append(finding(rel, line, col, "warning", "unsafe-html", f"{what} removed"))
            replacement = clean_tag(name, bool(m.group("close")), m.group(0))
        out.append(replacement)
        pos = done = m.end()
    out.append(text[done:])
    return "".join(out), findings
