"""Links and images of an imported article: follow them inside the source folder.

* a link to another imported article points at its new file (``../red/otro.md``);
* an image or attachment found in the source folder is copied next to the article
  (``kb/<area>/img/<id>/<name>``) and the link follows it;
* a target that is missing, outside the source folder, or an article that was not imported
  keeps only its text (a broken link fails ``kb build --strict``), and is reported;
* ``javascript:`` and other script URLs are removed; remote images are kept and reported
  (they vanish when the old help centre closes).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from generator.diagnostics import Diagnostic
from generator.importer.body import Ln
from generator.importer.dialects import outside_code
from generator.importer.htmlclean import unsafe_parts
from generator.importer.report import finding
from generator.pipeline.scaffold import slugify

ARTICLE_SUFFIXES = (".md", ".markdown", ".mdown")
MAX_ASSET_BYTES = 20 * 1024 * 1024
_MD_LINK = re.compile(r"(?P<bang>!?)\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(?P<url><[^<>\n]*>|[^()\s]*"
                      r"(?:\([^()\s]*\)[^()\s]*)*)(?P<title>\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)")
_REF_DEF = re.compile(r"^(?P<lead>\s{0,3}\[(?P<label>[^\]]+)\]:\s*)(?P<url><[^<>]*>|\S+)(?P<rest>.*)$")
_HTML_TAG = re.compile(r"<(?P<name>img|a|source)\b[^<>]*>", re.IGNORECASE)
_HTML_URL = re.compile(r"""(?P<lead>\b(?:src|href)\s*=\s*)(?P<q>["']?)(?P<url>(?(q)[^"']*|[^\s>]*))(?P=q)""",
                       re.IGNORECASE)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_DANGEROUS = frozenset({"javascript", "vbscript", "data", "livescript", "mocha"})
_UNAVAILABLE = {"es": "imagen no disponible", "en": "image not available"}


@dataclass
class LinkContext:
    source_root: Path  # resolved
    rel: str  # the article's source path, relative to source_root
    target: str  # the new article, relative to the kb folder: "<area>/<id>.md"
    assets_dir: str  # "img/<id>", relative to the article's folder
    lang: str
    imported: dict[str, str]  # source path -> new path (both relative, posix)
    old_site: str | None = None  # the old help centre's address: site-relative links point there
    anchors: set[str] | None = None  # the article's own anchors (headings, ids), once its lines are known
    copies: dict[str, Path] = field(default_factory=dict)  # new asset path (kb-relative) -> source file
    findings: list[Diagnostic] = field(default_factory=list)


def _asset_name(source: Path, taken: dict[str, Path], folder: str) -> str:
    suffix = re.sub(r"[^a-z0-9.]", "", source.suffix.lower())[:10]
    base = slugify(source.stem) if source.stem else "archivo"
    name, n = f"{base}{suffix}", 2
    while f"{folder}/{name}" in taken and taken[f"{folder}/{name}"] != source:
        name, n = f"{base}-{n}{suffix}", n + 1
    return name


def _scheme(url: str) -> str:
    m = _SCHEME.match(url.strip())
    return m.group(1).lower() if m else ""


def resolve(url: str, image: bool, ctx: LinkContext, line: int, col: int) -> str | None:
    """The URL to write instead of ``url``, or None to keep only the text."""
    raw = url.strip().removeprefix("<").removesuffix(">").strip()
    if raw.startswith("#") and ctx.anchors is not None and unquote(raw[1:]) not in ctx.anchors and not image:
        ctx.findings.append(finding(ctx.rel, line, col, "warning", "broken-link",
                                    f"no heading or anchor '{raw[:60]}' in the article: only the link text was kept"))
        return None
    if not raw or raw.startswith("#"):
        return url
    scheme = _SCHEME.match(raw)
    if scheme and len(scheme.group(1)) > 1:  # c:\... is a Windows path, not a scheme
        name = scheme.group(1).lower()
        if name in _DANGEROUS:
            what = "an embedded data: image" if image and name == "data" else f"a {name}: link"
            ctx.findings.append(finding(ctx.rel, line, col, "warning", "unsafe-link", f"{what} removed"))
            return None
        if image and name in ("http", "https"):
            ctx.findings.append(finding(ctx.rel, line, col, "warning", "remote-image",
                                        f"image left on another site ({raw[:80]}): it breaks when that site "
                                        "closes; put the file in the source folder and import again"))
        return url
    if raw.startswith("//"):
        return url
    path_part = re.split(r"[?#]", raw, maxsplit=1)[0]
    fragment = raw[len(path_part):]
    fragment = fragment[fragment.find("#"):] if "#" in fragment else ""
    here = (ctx.source_root / ctx.rel).parent
    rel_path = unquote(path_part).replace("\\", "/")
    candidate = (ctx.source_root / rel_path.lstrip("/")) if rel_path.startswith("/") else here / rel_path
    what = "image" if image else "link target"
    try:
        found = candidate.resolve()
    except (OSError, RuntimeError):
        found = None
    if (found is None or not found.is_file()) and not image and (
            article := _same_import(rel_path, ctx)) is not None:
        return posixpath.relpath(article, posixpath.dirname(ctx.target)) + fragment
    if (found is None or not found.is_file()) and rel_path.startswith("/") and ctx.old_site:
        ctx.findings.append(finding(ctx.rel, line, col, "info", "old-site-link",
                                    f"{what} '{raw[:100]}' is not in the import: it points at the old site"))
        return ctx.old_site.rstrip("/") + raw
    if found is None or not found.is_relative_to(ctx.source_root) or not found.is_file():
        where = "is outside the imported folder" if found is not None and not found.is_relative_to(
            ctx.source_root) else "does not exist"
        code = "missing-image" if image else "broken-link"
        ctx.findings.append(finding(ctx.rel, line, col, "warning", code,
                                    f"{what} '{raw[:100]}' {where}: only its text was kept"))
        return None
    return _local_file(found, what, fragment, image, ctx, line, col)


def _local_file(found: Path, what: str, fragment: str, image: bool, ctx: LinkContext, line: int,
                col: int) -> str | None:
    """A file of the imported folder: the new path of an imported article, or of the copied image or file."""
    target_rel = found.relative_to(ctx.source_root).as_posix()
    article_dir = posixpath.dirname(ctx.target)
    if found.suffix.lower() in ARTICLE_SUFFIXES and not image:
        new = ctx.imported.get(target_rel)
        if new is None:
            ctx.findings.append(finding(ctx.rel, line, col, "warning", "broken-link",
                                        f"link to '{target_rel}', which was not imported: only its text was kept"))
            return None
        return posixpath.relpath(new, article_dir) + fragment
    if found.stat().st_size > MAX_ASSET_BYTES:
        ctx.findings.append(finding(ctx.rel, line, col, "warning", "large-file",
                                    f"{what} '{target_rel}' is over {MAX_ASSET_BYTES // 2**20} MiB: not copied, "
                                    "only its text was kept"))
        return None
    folder = posixpath.join(article_dir, ctx.assets_dir)
    name = _asset_name(found, ctx.copies, folder)
    ctx.copies[f"{folder}/{name}"] = found
    return f"{ctx.assets_dir}/{name}"


def _same_import(link: str, ctx: LinkContext) -> str | None:
    """The new path of the imported article a link without its file names ('/outlook/client/foo',
    '../foo' for foo.md): the same name, and the most folders in common at the end of the path."""
    parts = [p.casefold() for p in link.split("/") if p and p not in (".", "..")]
    if not parts:
        return None
    parts[-1] = posixpath.splitext(parts[-1])[0]
    best: tuple[int, str] | None = None
    for source, new in ctx.imported.items():
        src = [p.casefold() for p in posixpath.splitext(source)[0].split("/")]
        if src[-1] != parts[-1] or source == ctx.rel:
            continue
        common = 0
        for a, b in zip(reversed(src), reversed(parts), strict=False):
            if a != b:
                break
            common += 1
        if best is None or common > best[0]:
            best = (common, new)
    return best[1] if best is not None else None


def _anchors(lines: list[Ln]) -> set[str]:
    """The ids the page will have: headings (as the toc extension makes them) and ``{#id}``; an HTML
    ``id=`` does not count: the HTML cleaner removes it."""
    from markdown.extensions.toc import slugify as toc_slugify  # type: ignore[import-untyped]
    from markdown.extensions.toc import slugify_unicode

    out: set[str] = set()
    for ln in lines:
        if ln.code:
            continue
        h = re.match(r"^#{1,6}\s+(.+?)\s*#*$", ln.text)
        if h:
            plain = re.sub(r"[*_`]|\[|\]\([^)]*\)", "", h.group(1))
            out |= {toc_slugify(plain, "-"), slugify_unicode(plain, "-")}
            out.add(slugify(h.group(1)))
        out.update(re.findall(r"\{\s*#([\w-]+)", ln.text))
    return out


def rewrite_links(lines: list[Ln], ctx: LinkContext) -> list[Ln]:
    """Every link and image outside code, followed, copied or reduced to its text."""
    ctx.anchors = _anchors(lines)
    out: list[Ln] = []
    for ln in lines:
        if ln.code:
            out.append(ln)
            continue
        ref = _REF_DEF.match(ln.text)
        if ref:
            new = resolve(ref.group("url"), False, ctx, ln.no, ref.start("url") + 1)
            if new is not None:
                out.append(Ln(ln.no, ref.group("lead") + new + ref.group("rest")))
            continue

        def markdown(m: re.Match[str], no: int = ln.no, text: str = ln.text) -> str:
            col = text.find(m.group(0)) + 1
            image = bool(m.group("bang"))
            new = resolve(m.group("url"), image, ctx, no, col)
            if new is not None:
                return f"{m.group('bang')}[{m.group('text')}]({new}{m.group('title') or ''})"
            if image:
                alt = m.group("text").strip()
                word = _UNAVAILABLE.get(ctx.lang, _UNAVAILABLE["es"])
                return f"*({word}: {alt})*" if alt else f"*({word})*"
            return m.group("text")

        def tag(m: re.Match[str], no: int = ln.no, text: str = ln.text) -> str:
            col = text.find(m.group(0)) + 1
            image = m.group("name").lower() != "a"
            attr = _HTML_URL.search(m.group(0))
            if attr is None or _scheme(attr.group("url")) in _DANGEROUS:
                return m.group(0)  # the HTML cleaner removes and reports it
            new = resolve(attr.group("url"), image, ctx, no, col)
            if new is None:
                if not image:
                    return m.group(0).replace(attr.group(0), "", 1)  # the link text stays
                ctx.findings += [finding(ctx.rel, no, col, "warning", "unsafe-html", f"{what} removed")
                                 for what in unsafe_parts(m.group("name"), m.group(0)[len(m.group("name")) + 1:])]
                alt = _ALT.search(m.group(0))
                word = _UNAVAILABLE.get(ctx.lang, _UNAVAILABLE["es"])
                text_alt = next((g for g in alt.groups() if g), "") if alt else ""
                return f"*({word}: {text_alt})*" if text_alt else f"*({word})*"
            q = attr.group("q") or '"'
            return m.group(0).replace(attr.group(0), f"{attr.group('lead')}{q}{new}{q}", 1)

        def both(part: str) -> str:
            return _HTML_TAG.sub(tag, _MD_LINK.sub(markdown, part))

        out.append(Ln(ln.no, outside_code(ln.text, both)))
    return out
