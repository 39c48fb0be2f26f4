"""The one allow-list sanitiser for HTML rendered from the repository's Markdown (nh3 = Ammonia).

Python-Markdown passes raw HTML through, so a ``<script>``, an ``onerror=`` or a
``javascript:`` link in an article body or a protocol's ``say``/``do`` would run on the site.
Every page's rendered content (the MkDocs adapter) and every Markdown field the runner inserts
(``generator/render/runner.py``) goes through :func:`clean`; :func:`unsafe_html` tells the lint
what :func:`clean` removes, with offsets. Embeds (``iframe``, ``video``, ``audio``) are off
unless a site opts in (``html_embeds: true`` of the kb plugin in mkdocs.yml).

Angle-bracket text that is not an HTML element (``<IPAddress or Hostname>``, ``<your-server>``)
would be read as an unknown tag and vanish: :func:`keep_placeholders` escapes it first, outside
code, so it stays visible as text.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import nh3

TAGS = frozenset({
    "a", "abbr", "aside", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "nav", "ol", "p", "picture", "pre", "q", "s", "samp", "section",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "u", "ul", "var", "wbr",
})
EMBED_TAGS = frozenset({"iframe", "video", "audio", "source", "track"})
GENERIC_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "hidden", "role", "tabindex"})
GENERIC_PREFIXES = frozenset({"aria-", "data-"})
ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "hreflang", "rel", "target"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "time": frozenset({"datetime"}),
    "td": frozenset({"colspan", "rowspan", "align", "style"}),
    "th": frozenset({"colspan", "rowspan", "align", "style", "scope"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "details": frozenset({"open"}),
    "del": frozenset({"datetime"}),
    "ins": frozenset({"datetime"}),
    "col": frozenset({"span"}),
}
EMBED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "iframe": frozenset({"src", "width", "height", "allow", "allowfullscreen", "loading", "referrerpolicy"}),
    "video": frozenset({"src", "width", "height", "controls", "poster", "preload", "muted", "loop", "playsinline"}),
    "audio": frozenset({"src", "controls", "preload", "loop"}),
    "source": frozenset({"src", "type", "media"}),
    "track": frozenset({"src", "kind", "label", "srclang", "default"}),
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite", "action", "formaction", "data", "srcset", "background",
                            "xlink:href"})
STYLE_PROPERTIES = frozenset({"text-align"})  # Markdown tables align columns with style="text-align: …"

# Every HTML element name: angle-bracket text with another name is a placeholder, not a tag.
KNOWN_ELEMENTS = TAGS | EMBED_TAGS | frozenset({
    "address", "applet", "area", "article", "audio", "base", "basefont", "bdi", "bdo", "bgsound", "big", "blink",
    "body", "button", "canvas", "center", "content", "data", "datalist", "dialog", "dir", "embed", "fieldset",
    "font", "footer", "form", "frame", "frameset", "head", "header", "hgroup", "html", "image", "input", "isindex",
    "keygen", "label", "legend", "link", "listing", "main", "map", "marquee", "math", "menu", "menuitem", "meta",
    "meter", "nobr", "noembed", "noframes", "noscript", "object", "optgroup", "option", "output", "param",
    "plaintext", "portal", "progress", "rb", "rp", "rt", "rtc", "ruby", "script", "search", "select", "shadow",
    "slot", "spacer", "strike", "style", "svg", "template", "textarea", "title", "tt", "xmp",
})

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])([^<>]*)>")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:")


def _cleaner(embeds: bool) -> nh3.Cleaner:
    tags = TAGS | (EMBED_TAGS if embeds else frozenset())
    attributes = {tag: set(attrs) for tag, attrs in {**ATTRIBUTES, **(EMBED_ATTRIBUTES if embeds else {})}.items()}
    attributes["*"] = set(GENERIC_ATTRIBUTES)
    return nh3.Cleaner(tags=set(tags), attributes=attributes, generic_attribute_prefixes=set(GENERIC_PREFIXES),
                       url_schemes=set(URL_SCHEMES), link_rel=None, strip_comments=True,
                       filter_style_properties=set(STYLE_PROPERTIES),
                       clean_content_tags={"script", "style", "template", "noscript", "textarea", "title",
                                           "xmp", "noembed", "noframes", "object", "applet"}
                       | (set() if embeds else {"iframe"}))


_CLEANERS = {False: _cleaner(False), True: _cleaner(True)}


def clean(html: str, *, embeds: bool = False) -> str:
    """``html`` with only allowed elements, attributes and URL schemes left."""
    return _CLEANERS[embeds].clean(html)


def _code_ranges(md: str) -> list[tuple[int, int]]:
    """(start, end) offsets of fenced code blocks and code spans."""
    out: list[tuple[int, int]] = []
    fence: str | None = None
    start = offset = 0
    for line in md.splitlines(keepends=True):
        m = _FENCE.match(line)
        if fence is None and m:
            fence, start = m.group(1)[0] * 3, offset
        elif fence is not None and m and m.group(1).startswith(fence):
            out.append((start, offset + len(line)))
            fence = None
        offset += len(line)
    if fence is not None:
        out.append((start, len(md)))
    fenced = list(out)
    for m in _CODE_SPAN.finditer(md):
        if not any(s <= m.start() < e for s, e in fenced):
            out.append((m.start(), m.end()))
    return out


def _tags(md: str) -> Iterator[re.Match[str]]:
    code = _code_ranges(md)
    for m in _TAG.finditer(md):
        if not any(s <= m.start() < e for s, e in code):
            yield m


def keep_placeholders(md: str) -> str:
    """Markdown with ``<`` escaped before every name that is not an HTML element (outside code)."""
    # Code ranges are only looked for when a name that is not an element is found (most pages have none).
    found = [m for m in _TAG.finditer(md) if m.group(2).lower() not in KNOWN_ELEMENTS]
    if not found:
        return md
    code = _code_ranges(md)
    cuts = [m.start() for m in found if not any(s <= m.start() < e for s, e in code)]
    if not cuts:
        return md
    parts, last = [], 0
    for cut in cuts:
        parts += [md[last:cut], "&lt;"]
        last = cut + 1
    parts.append(md[last:])
    return "".join(parts)


@dataclass(frozen=True)
class Removed:
    offset: int  # in the Markdown text
    what: str  # 'the element <script>', 'the attribute onerror of <img>', 'the javascript: link of <a>'


def _allowed_attr(tag: str, name: str, embeds: bool) -> bool:
    own = ATTRIBUTES.get(tag, frozenset()) | (EMBED_ATTRIBUTES.get(tag, frozenset()) if embeds else frozenset())
    return name in GENERIC_ATTRIBUTES or name in own or name.startswith(tuple(GENERIC_PREFIXES))


def unsafe_html(md: str, *, embeds: bool = False) -> list[Removed]:
    """What :func:`clean` removes from the HTML the Markdown ``md`` renders to, with offsets."""
    out: list[Removed] = []
    allowed = TAGS | (EMBED_TAGS if embeds else frozenset())
    for m in _tags(md) if "<" in md else ():  # (every tag starts with '<')
        tag = m.group(2).lower()
        if tag not in KNOWN_ELEMENTS or m.group(1):
            continue
        if tag not in allowed:
            out.append(Removed(m.start(), f"the element <{tag}>"))
            continue
        for a in _ATTR.finditer(m.group(3)):
            name, value = a.group(1).lower(), (a.group(2) or "").strip("\"'")
            if not _allowed_attr(tag, name, embeds):
                out.append(Removed(m.start(), f"the attribute {name} of <{tag}>"))
            elif name in URL_ATTRIBUTES and (s := _SCHEME.match(value)) and s.group(1).lower() not in URL_SCHEMES:
                out.append(Removed(m.start(), f"the {s.group(1).lower()}: link of <{tag}>"))
    code: list[tuple[int, int]] | None = None  # found when a link with a scheme asks
    for m in _MD_LINK.finditer(md):
        s = _SCHEME.match(m.group(1))
        if s and s.group(1).lower() not in URL_SCHEMES:
            code = _code_ranges(md) if code is None else code
            if not any(a <= m.start() < b for a, b in code):
                out.append(Removed(m.start(), f"the {s.group(1).lower()}: link"))
    return sorted(out, key=lambda r: r.offset)


_INLINE_SCRIPT = re.compile(r"<script(\s[^>]*)?>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def inline_script_hashes(page: str) -> set[str]:
    """CSP hashes (``sha256-…``) of a page's inline scripts; data blocks (``type="application/json"``)
    and external scripts do not run inline and need none."""
    out = set()
    for m in _INLINE_SCRIPT.finditer(page):
        attrs = (m.group(1) or "").lower()
        if "src=" in attrs or ("type=" in attrs and "javascript" not in attrs and "module" not in attrs):
            continue
        digest = hashlib.sha256(m.group(2).encode("utf-8")).digest()
        out.add("sha256-" + base64.b64encode(digest).decode("ascii"))
    return out
