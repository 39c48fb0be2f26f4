"""The Markdown body: headings, admonitions and sections, line by line, keeping source lines.

Each line carries the source line it came from (0 for lines the importer wrote), so every
finding points at the original file. Code (fenced, or indented after a blank line) is never
changed. Two phases:

1. :func:`normalize`: HTML and setext headings become ATX; bold lines that name a section
   become headings; the title heading is removed and the outline starts at ``##``; callouts
   of other dialects become admonitions (``!!! note "Nota"``).
2. :func:`arrange`: level-2 headings that mean one of the type's sections are renamed
   (``Resolution`` -> ``Solution``), and missing sections are created, from the front matter
   when it has the text, otherwise with a visible "Pendiente de completar" notice.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator.importer import dialects
from generator.importer.dialects import Dialects, Ln

__all__ = ["Dialects", "Ln"]
from generator.diagnostics import Diagnostic
from generator.importer.mapping import Mapping, fold
from generator.importer.report import Level, finding
from generator.model.article import REQUIRED_SECTIONS

HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_NO_SPACE_HEADING = re.compile(r"^(#{1,6})([^\s#].*)$")
_FENCE = re.compile(r"^[ \t]*(?:>[ \t]?)*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_HTML_HEADING = re.compile(r"^\s*<h([1-6])\b[^>]*>(.*?)</h\1\s*>\s*$", re.IGNORECASE)
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)([^*_]{1,80}?)(:?)\1\s*:?\s*$")
_QUOTE = re.compile(r"^\s*>[ \t]?")
_GITHUB_ALERT = re.compile(r"^\[!(\w+)\]\s*(.*)$")
_BOLD_LABEL = re.compile(r"^(?:(?::\w+:|[^\w\s*_]+)\s*)?(\*\*|__)([^*_]{1,30}?)(:?)\1:?\s*(.*)$")
_COLONS = re.compile(r"^\s*(:{3,})\s*([A-Za-z][\w-]*)?\s*(.*?)\s*$")
EMOJI_KINDS = {"ℹ️": "info", "ℹ": "info", "⚠️": "warning", "⚠": "warning", "❗": "danger", "❗️": "danger",
               "❕": "warning", "‼️": "danger", "🚫": "danger", "⛔": "danger", "❌": "danger", "💡": "tip",
               "✅": "success", "✔️": "success", "📝": "note", "📌": "note", "🔔": "note"}
_EMOJI = re.compile("^(" + "|".join(sorted(map(re.escape, EMOJI_KINDS), key=len, reverse=True)) + r")\s*(.*)$")
_HINT = re.compile(r"""^\s*\{%\s*hint\s+style\s*=\s*["']?(\w+)["']?\s*%\}\s*$""")
_END_HINT = re.compile(r"^\s*\{%\s*endhint\s*%\}\s*$")
_TEMPLATE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}")
_TAGS = re.compile(r"<[^<>]*>")

_TITLES = {
    "es": {"note": "Nota", "info": "Información", "tip": "Consejo", "warning": "Advertencia", "danger": "Peligro",
           "failure": "Error", "success": "Correcto", "example": "Ejemplo", "important": "Importante",
           "caution": "Precaución", "question": "Pregunta", "abstract": "Resumen", "bug": "Error",
           "quote": "Cita"},
    "en": {"important": "Important", "caution": "Caution", "info": "Information", "danger": "Danger"},
}


def to_lines(body: str, first_line: int) -> list[Ln]:
    """Lines without trailing blanks, except two spaces where they make a hard line break."""
    raw = body.split("\n")
    lines = [Ln(first_line + i, text.rstrip()) for i, text in enumerate(raw)]
    mark_code(lines)
    for i, ln in enumerate(lines[:-1]):
        nxt = lines[i + 1]
        if (not ln.code and ln.text.strip() and raw[i].endswith("  ") and nxt.text.strip() and not nxt.code
                and not _LIST_ITEM.match(nxt.text) and not HEADING.match(nxt.text) and not ln.text.endswith("|")
                and not HEADING.match(ln.text)):
            ln.text += "  "
    return lines


def mark_code(lines: list[Ln]) -> None:
    """Flag fenced code (any indentation, also inside quotes) and indented code after a blank line."""
    fence: str | None = None
    context_ok = False  # the last text before a blank line was a list item or an admonition
    prev_blank = True
    for ln in lines:
        m = _FENCE.match(ln.text)
        if fence is not None:
            ln.code = True
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not ln.text.strip(" \t>`~"):
                fence = None
            continue
        if m:
            fence, ln.code = m.group(1), True
            continue
        indented = ln.text.startswith(("    ", "\t"))
        ln.code = bool(indented and ln.text.strip() and (prev_blank or ln.code) and not context_ok)
        if ln.text.strip() and not ln.text.startswith((" ", "\t")):  # text at the margin says what follows
            context_ok = bool(_LIST_ITEM.match(ln.text) or ln.text.lstrip().startswith(("!!!", "???")))
        elif ln.text.strip() and not indented and _LIST_ITEM.match(ln.text):
            context_ok = True
        prev_blank = not ln.text.strip()
        if ln.code:
            prev_blank = True  # a code block goes on line after line


def heading(ln: Ln) -> tuple[int, str] | None:
    if ln.code:
        return None
    m = HEADING.match(ln.text)
    return (len(m.group(1)), m.group(2).strip()) if m else None


def _tag_or_text(m: re.Match[str]) -> str:
    inner = m.group(0)[1:-1]
    tag = re.match(r"/?([A-Za-z][\w-]*)", inner)
    return "" if tag and tag.group(1).lower() in dialects.HTML_TAGS else m.group(0)


def strip_markup(text: str) -> str:
    """Markdown or HTML inline text -> plain text (placeholders like <Hostname> and escaped characters kept)."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = _TAGS.sub(_tag_or_text, text)
    text = re.sub(r"(\*\*|__|\*|_|`)(.+?)\1", r"\2", text)
    text = dialects.plain_escapes(text)
    return " ".join(html.unescape(text).split())


def _headings(lines: list[Ln], mapping: Mapping) -> list[Ln]:
    """HTML, setext, bold-line and no-space headings -> ATX headings."""
    every_section = set().union(*mapping.sections.values())
    out: list[Ln] = []
    for ln in lines:
        if ln.code:
            out.append(ln)
            continue
        m = _HTML_HEADING.match(ln.text)
        if m and strip_markup(m.group(2)):
            out.append(Ln(ln.no, "#" * int(m.group(1)) + " " + strip_markup(m.group(2))))
            continue
        prev = out[-1] if out else None
        if (re.fullmatch(r"=+|-{2,}", ln.text.strip()) and not ln.text.startswith(" ") and prev is not None
                and not prev.code and prev.text.strip() and not heading(prev) and not _LIST_ITEM.match(prev.text)
                and not prev.text.lstrip().startswith((">", "|", "<", "!!!"))):
            level = "#" if ln.text.strip()[0] == "=" else "##"
            out[-1] = Ln(prev.no, f"{level} {prev.text.strip()}")
            continue
        m = _BOLD_LINE.match(ln.text)
        if m and fold(m.group(2)) in every_section and (prev is None or not prev.text.strip()):
            out.append(Ln(ln.no, "## " + m.group(2).strip()))
            continue
        m = _NO_SPACE_HEADING.match(ln.text)
        if m and not ln.text.startswith("#!"):
            out.append(Ln(ln.no, f"{m.group(1)} {m.group(2)}"))
            continue
        out.append(ln)
    return out


def _outline(lines: list[Ln], title: str | None, rel: str, findings: list[Diagnostic]) -> tuple[list[Ln], str | None]:
    """Remove the title heading; shift the outline so that it starts at level 2."""
    h1_title = None
    first = next((i for i, ln in enumerate(lines) if ln.text.strip()), None)
    h = heading(lines[first]) if first is not None else None
    if first is not None and h is not None and h[0] == 1:
        h1_title = strip_markup(h[1])
        if title and fold(h1_title) != fold(title):
            findings.append(finding(rel, lines[first].no, 1, "info", "title-heading",
                                    f"first heading '# {h1_title}' removed; the title is '{title}'"))
        lines = lines[:first] + lines[first + 1:]
    elif title is None:
        for i, ln in enumerate(lines):
            h = heading(ln)
            if h is not None and h[0] == 1:
                h1_title = strip_markup(h[1])
                lines = lines[:i] + lines[i + 1:]
                break
    levels = [h[0] for ln in lines if (h := heading(ln))]
    shift = 2 - min(levels) if levels else 0
    if shift:
        for ln in lines:
            h = heading(ln)
            if h is not None:
                ln.text = "#" * max(2, min(6, h[0] + shift)) + " " + h[1]
    return lines, h1_title


def _admonition(kind: str, title: str, content: list[Ln], no: int) -> list[Ln]:
    title = title.replace('"', "'").strip()
    out = [Ln(no, f'!!! {kind} "{title}"' if title else f"!!! {kind}")]
    while content and not content[0].text.strip():
        content = content[1:]
    if content and not content[0].code:  # "**Nota:** si el error…" -> "Si el error…"
        first = content[0].text.lstrip()
        content = [Ln(content[0].no, first[:1].upper() + first[1:]), *content[1:]]
    while content and not content[-1].text.strip():
        content = content[:-1]
    out += [Ln(ln.no, ("    " + ln.text) if ln.text.strip() else "") for ln in content]
    return [*out, Ln(0, "")]


def _quote_block(block: list[Ln], kind_of: Callable[[str], str | None],
                 default_title: Callable[[str, str], str]) -> list[Ln]:
    """A quote that is a GitHub/DocFX alert, a bold-label or an emoji callout -> an admonition at the
    quote's own indentation (inside a list item it stays in the item); any other quote unchanged."""
    first = block[0]
    indent = first.text[:len(first.text) - len(first.text.lstrip())]
    content = [Ln(x.no, _QUOTE.sub("", x.text, count=1)) for x in block]
    head = content[0].text.strip()
    gh, bold, emoji = _GITHUB_ALERT.match(head), _BOLD_LABEL.match(head), _EMOJI.match(head)
    made: list[Ln] | None = None
    if gh and (kind := kind_of(gh.group(1))):
        rest = [Ln(first.no, gh.group(2))] if gh.group(2) else []
        made = _admonition(kind, default_title(gh.group(1), kind), rest + content[1:], first.no)
    elif bold and (kind := kind_of(bold.group(2))):
        rest = [Ln(first.no, bold.group(4))] if bold.group(4) else []
        made = _admonition(kind, bold.group(2).strip(), rest + content[1:], first.no)
    elif emoji:
        kind = EMOJI_KINDS[emoji.group(1)]
        title, text = default_title(kind, kind), emoji.group(2)
        if bold and bold.group(4):  # "⚠️ **OBS:** texto": the label is the title
            title, text = bold.group(2).strip(), bold.group(4)
        made = _admonition(kind, title, [Ln(first.no, text), *content[1:]], first.no)
    if made is None:
        return block
    return [Ln(x.no, indent + x.text if x.text else "") for x in made]


def _callouts(lines: list[Ln], mapping: Mapping, lang: str) -> list[Ln]:
    """Callouts of GitHub, Docusaurus, GitBook and help-centre exports -> Material admonitions."""
    titles = _TITLES.get(lang, {})

    def kind_of(label: str) -> str | None:
        return mapping.admonitions.get(fold(label))

    def default_title(label: str, kind: str) -> str:
        word = fold(label)
        return titles.get(word) or titles.get(kind) or word.capitalize()

    out: list[Ln] = []
    i, n = 0, len(lines)
    while i < n:
        ln = lines[i]
        if ln.code:
            out.append(ln)
            i += 1
            continue
        if _QUOTE.match(ln.text):
            j = i
            while j < n and not lines[j].code and _QUOTE.match(lines[j].text):
                j += 1
            out += _quote_block(lines[i:j], kind_of, default_title)
            i = j
            continue
        colons, hint = _COLONS.match(ln.text), _HINT.match(ln.text)
        if (colons and colons.group(2) and (kind := kind_of(colons.group(2)))) or (hint and (kind := kind_of(
                hint.group(1)))):
            closing = colons.group(1) if colons else None
            j = i + 1
            while j < n and (lines[j].code or not (lines[j].text.strip() == closing if closing
                                                   else _END_HINT.match(lines[j].text))):
                j += 1
            label = colons.group(2) if colons else (hint.group(1) if hint else "note")
            title = (colons.group(3).strip("[] ") if colons else "") or default_title(label, kind)
            out += _admonition(kind, title, lines[i + 1:j], ln.no)
            i = j + 1
            continue
        bold = _BOLD_LABEL.match(ln.text)
        prev_blank = not out or not out[-1].text.strip()
        if bold and bold.group(4) and prev_blank and (bold.group(3) or ":" in ln.text[:60]) and (
                kind := kind_of(bold.group(2))):
            j = i + 1
            while j < n and lines[j].text.strip() and not lines[j].code:
                j += 1
            out += _admonition(kind, bold.group(2).strip(), [Ln(ln.no, bold.group(4)), *lines[i + 1:j]], ln.no)
            i = j
            continue
        out.append(ln)
        i += 1
    return out


def _templates(lines: list[Ln], rel: str, findings: list[Diagnostic]) -> list[Ln]:
    out: list[Ln] = []
    for ln in lines:
        if not ln.code and re.fullmatch(r"\s*\{%-?\s*(end)?raw\s*-?%\}\s*", ln.text):
            continue
        if not ln.code:
            for m in _TEMPLATE.finditer(ln.text):
                findings.append(finding(rel, ln.no, m.start() + 1, "warning", "template-tag",
                                        f"template syntax {m.group(0)[:60]!r} is shown as text on our site; "
                                        "replace it with its content"))
        out.append(ln)
    return out


def normalize(lines: list[Ln], title: str | None, lang: str, mapping: Mapping, rel: str,
              dialect: Dialects | None = None) -> tuple[list[Ln], str | None, list[Diagnostic]]:
    """Phase 1: dialects, headings, title heading, outline levels, callouts. Returns the H1 title, if any."""
    d = dialect or Dialects(rel)
    lines = dialects.includes(dialects.docfx_directives(dialects.strip_comments(lines, d), d), d)
    mark_code(lines)
    dialects.escapes(lines)
    findings: list[Diagnostic] = d.findings
    lines = _headings(lines, mapping)
    lines, h1_title = _outline(lines, title, rel, findings)
    lines = _callouts(lines, mapping, lang)
    mark_code(lines)
    dialects.reindent_lists(lines)
    mark_code(lines)
    lines = _templates(lines, rel, findings)
    return lines, h1_title, findings


def h2_texts(lines: list[Ln]) -> list[str]:
    return [h[1] for ln in lines if (h := heading(ln)) and h[0] == 2]


def section(lines: list[Ln], name: str) -> list[Ln]:
    """The lines under ``## name`` up to the next level-2 heading."""
    start = next((i for i, ln in enumerate(lines) if heading(ln) == (2, name)), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(lines)) if (h := heading(lines[i])) and h[0] <= 2), len(lines))
    return lines[start + 1:end]


def _key(text: str) -> str:
    return re.sub(r"^(?:(?:paso|step)\s+)?\d+\s+", "", fold(strip_markup(text)))


@dataclass
class Arranged:
    lines: list[Ln]
    missing: list[str]  # required sections the source lacks (never invented: the caller decides)
    findings: list[Diagnostic]


def arrange(lines: list[Ln], kind: str, lang: str, mapping: Mapping, rel: str, body_line: int,
            symptoms: list[str], cause: str | None, also_steps: frozenset[str] = frozenset()) -> Arranged:
    """Phase 2: rename headings to the type's sections; create those the front matter has the text of.

    ``also_steps``: headings that mean the guide's Pasos/Steps too (an incomplete solution's fix)."""
    wanted = REQUIRED_SECTIONS[kind][lang]
    findings: list[Diagnostic] = []
    found = _rename_sections(lines, kind, wanted, mapping, also_steps, rel, findings)
    h2_at = [i for i, ln in enumerate(lines) if (h := heading(ln)) and h[0] == 2]
    first_text = next((i for i, ln in enumerate(lines) if ln.text.strip()), len(lines))
    has_intro = first_text < (h2_at[0] if h2_at else len(lines))
    inserts: dict[int, list[tuple[int, list[Ln]]]] = {}  # index -> (rank, lines) inserted before it
    missing: list[str] = []

    def insert(at: int, name: str, text: list[str]) -> None:
        block = [Ln(0, f"## {name}"), Ln(0, ""), *(Ln(0, t) for t in text)]
        if text:
            block.append(Ln(0, ""))
        if at == len(lines) and lines and lines[-1].text.strip():
            block.insert(0, Ln(0, ""))
        inserts.setdefault(at, []).append((wanted.index(name), block))
        found[name] = at

    body_name = wanted[2] if kind == "solution" else wanted[0]  # Solución / Pasos
    if body_name not in found and has_intro and not h2_at:
        insert(first_text, body_name, [])  # nothing but text: it is the solution (or the steps) itself
        findings.append(finding(rel, body_line, 1, "info", "section-created",
                                f"the text had no sections: all of it is now under '## {body_name}'"))
    elif kind == "guide" and body_name not in found and h2_at:
        for i in range(h2_at[0], len(lines)):
            h = heading(lines[i])
            if h is not None:
                lines[i].text = "#" * min(6, h[0] + 1) + " " + h[1]
        insert(h2_at[0], body_name, [])
        findings.append(finding(rel, lines[h2_at[0]].no, 1, "info", "section-created",
                                f"'## {body_name}' added above the article's own sections, now level 3"))
    if kind == "solution" and wanted[0] not in found and has_intro and h2_at:
        insert(first_text, wanted[0], [])
        findings.append(finding(rel, body_line, 1, "info", "section-created",
                                f"the introduction became '## {wanted[0]}'"))
    for pos, name in enumerate(wanted):
        if name in found:
            continue
        later = [found[w] for w in wanted[pos + 1:] if w in found]
        text: list[str]
        level: Level
        if pos == 0 and kind == "solution" and symptoms:
            text, how, level = [f"- {s}" for s in symptoms], "made from the symptoms in the front matter", "info"
        elif pos == 1 and kind == "solution" and cause:
            text, how, level = [cause], "made from the cause in the front matter", "info"
        else:
            missing.append(name)
            continue
        findings.append(finding(rel, body_line, 1, level, "section-created",
                                f"'## {name}' was not in the source: {how}"))
        insert(min(later) if later else len(lines), name, text)
    return Arranged(_merge(lines, inserts), missing, findings)


def _rename_sections(lines: list[Ln], kind: str, wanted: Sequence[str], mapping: Mapping, also_steps: frozenset[str],
                     rel: str, findings: list[Diagnostic]) -> dict[str, int]:
    """Rename the level-2 headings that mean one of the type's sections; our section -> its heading's index."""
    found: dict[str, int] = {}
    for i, ln in enumerate(lines):
        h = heading(ln)
        if h is None or h[0] != 2:
            continue
        key = _key(h[1])
        for name in wanted:
            if name not in found and (key in mapping.sections[name] or (kind == "guide" and key in also_steps)):
                found[name] = i
                if h[1] != name:
                    ln.text = f"## {name}"
                    findings.append(finding(rel, ln.no, 1, "info", "section-renamed",
                                            f"heading '## {h[1]}' became '## {name}'"))
                break
    return found


def _merge(lines: list[Ln], inserts: dict[int, list[tuple[int, list[Ln]]]]) -> list[Ln]:
    """The lines with each inserted block before its index (in the type's section order)."""
    out: list[Ln] = []
    for i in range(len(lines) + 1):
        for _, block in sorted(inserts.get(i, []), key=lambda item: item[0]):
            out += block
        if i < len(lines):
            out.append(lines[i])
    return out
