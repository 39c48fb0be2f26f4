"""The kb plugin's page: MkDocs' ``Page`` whose Markdown→HTML result is a value, :class:`Rendered`.

The kb plugin gives every documentation file a :class:`KbPage` in ``on_files``
(``file.page = KbPage(...)``; MkDocs' ``get_navigation`` keeps a page a plugin set, as Material's
blog plugin relies on). ``KbPage.render`` either *applies* a :class:`Rendered` whose Markdown hash
matches the page's Markdown (after every plugin's ``on_page_markdown``) — from a worker process
(generator/mkdocs/workers.py), from the build cache, or from a previous build of the live preview —
or renders the page here and records its result in ``page.rendered``.

A :class:`Rendered` is plain data (JSON, never pickle): the HTML after our sanitiser, the table of
contents' tokens, the title found in the first ``<h1>``, the anchors the page has, its links to
anchors of other pages, the paths it looked up among the site's files (with what it found: the
dependencies a cache must check) and the log records the render emitted (broken links), which are
emitted again when it is applied, so ``--strict`` fails the same way.

MkDocs API this relies on (MkDocs 1.6 and ProperDocs 1.6): ``Page`` and its attributes
(``markdown``, ``content``, ``toc``, ``_title_from_render``, ``present_anchor_ids``,
``links_to_anchors``), ``mkdocs.structure.toc.get_toc``, and the four Markdown processors
``Page.render`` registers (``_RawHTMLPreprocessor``, ``_ExtractAnchorsTreeprocessor``,
``_RelativePathTreeprocessor``, ``_ExtractTitleTreeprocessor``): private names, registered here
exactly as ``Page.render`` does, on one Markdown instance per process that is ``reset()`` between
pages instead of built again for each page.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import markdown  # type: ignore[import-untyped]
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

# "mkdocs", or "properdocs" when ProperDocs runs our plugin (it maps mkdocs.* onto itself)
ENGINE_LOGGER = Page.__module__.split(".")[0]

Warning_ = tuple[str, int, str]  # logger name, level, message


def markdown_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclasses.dataclass(frozen=True)
class Rendered:
    """A page's Markdown rendered to HTML, as plain data (see the module's docstring)."""

    markdown_sha256: str
    content: str  # after the kb sanitiser (generator/content/html.py:clean) where the plugin applies it
    toc_tokens: list[dict[str, Any]]
    title: str | None
    anchors: list[str]  # sorted
    links_to_anchors: dict[str, dict[str, str]]  # {target src_uri: {anchor: link as written}}
    lookups: dict[str, str | None]  # {path looked up in Files: src_uri found, or None}
    warnings: list[Warning_]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rendered:
        """The Rendered of ``to_json``'s data; raises (KeyError, TypeError, ValueError) on other data."""
        fields = {f.name for f in dataclasses.fields(cls)}
        if set(data) != fields:
            raise ValueError(f"expected the fields {sorted(fields)}, found {sorted(data)}")
        r = cls(**data)
        if not (isinstance(r.markdown_sha256, str) and isinstance(r.content, str)
                and isinstance(r.toc_tokens, list) and isinstance(r.anchors, list)
                and isinstance(r.links_to_anchors, dict) and isinstance(r.lookups, dict)
                and isinstance(r.warnings, list) and (r.title is None or isinstance(r.title, str))):
            raise TypeError("a field of the wrong type")
        return dataclasses.replace(r, warnings=[(str(n), int(lv), str(m)) for n, lv, m in r.warnings])

    def still_valid(self, files: Any) -> bool:
        """Whether every path the render looked up still finds the same file."""
        for path, found in self.lookups.items():
            f = files.get_file_from_path(path)
            if (f.src_uri if f is not None else None) != found:
                return False
        return True


class _Lookups:
    """The site's files as the link processor sees them, noting each lookup and what it found."""

    def __init__(self, files: Any) -> None:
        self.files = files
        self.seen: dict[str, str | None] = {}

    def get_file_from_path(self, path: str) -> Any:
        f = self.files.get_file_from_path(path)
        self.seen[path] = f.src_uri if f is not None else None
        return f


class _Capture(logging.Handler):
    """Keeps the records emitted while a page renders."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[Warning_] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


# Where HTMLParser could read an attribute named id or name (it lowercases names; a name follows a quote,
# a space or a slash and ends at a space, "/", "=" or ">"): a superset of what MkDocs' raw-HTML scan adds.
_MAY_NAME_ANCHOR = re.compile(r"""(?i)(?<=['"\s/])(?:id|name)(?=[\s/=>]|$)""")


class _RawHTML(mkdocs_pages._RawHTMLPreprocessor):
    """MkDocs' scan of a page's raw HTML for anchors (ids, ``<a name>``), skipped where no attribute can
    be one: it feeds the whole page to an HTML parser (≈ 6 % of a page's Markdown time) and changes no line."""

    def run(self, lines: list[str]) -> list[str]:
        if _MAY_NAME_ANCHOR.search("\n".join(lines)) is None:
            self.present_anchor_ids = set()
            return lines
        result: list[str] = super().run(lines)
        return result


class PageMarkdown:
    """One Markdown instance with MkDocs' page processors, reset between pages."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.md = markdown.Markdown(extensions=config["markdown_extensions"],
                                    extension_configs=config["mdx_configs"] or {})
        self.raw_html = _RawHTML()
        self.raw_html._register(self.md)
        self.anchors = mkdocs_pages._ExtractAnchorsTreeprocessor(None, None, config)  # type: ignore[arg-type]
        self.anchors._register(self.md)
        self.relpath = mkdocs_pages._RelativePathTreeprocessor(None, None, config)  # type: ignore[arg-type]
        self.relpath._register(self.md)
        self.title = mkdocs_pages._ExtractTitleTreeprocessor()
        self.title._register(self.md)

    def convert(self, text: str, file: Any, files: Any, capture: _Capture) -> Rendered:
        """``text`` rendered for ``file``; the content is not sanitised yet."""
        self.md.reset()
        lookups = _Lookups(files)
        self.anchors.present_anchor_ids = set()
        self.relpath.file, self.relpath.links_to_anchors = file, {}
        self.relpath.files = lookups  # type: ignore[assignment]
        self.title.title = None
        logger = logging.getLogger(ENGINE_LOGGER)
        logger.addHandler(capture)
        try:
            html = self.md.convert(text)
        finally:
            logger.removeHandler(capture)
        return Rendered(
            markdown_sha256=markdown_hash(text), content=html,
            toc_tokens=list(getattr(self.md, "toc_tokens", [])), title=self.title.title,
            anchors=sorted(self.anchors.present_anchor_ids | self.raw_html.present_anchor_ids),
            links_to_anchors={f.src_uri: dict(links) for f, links in self.relpath.links_to_anchors.items()},
            lookups=lookups.seen, warnings=capture.records)


def _relative(value: Any) -> Iterator[bool]:
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _relative(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _relative(v)
    else:
        yield type(value).__name__ == "RelativeDirPlaceholder"


_cached: list[tuple[Any, PageMarkdown]] = []  # (config, its PageMarkdown) of this process: the last one


def page_markdown(config: Any) -> PageMarkdown:
    """This process's Markdown for ``config``. A ``!relative`` extension option (resolved against the
    page being rendered when the extension reads it) gets a new instance per page, as in MkDocs."""
    if any(_relative(config["mdx_configs"] or {})):
        return PageMarkdown(config)
    if not _cached or _cached[0][0] is not config:
        _cached[:] = [(config, PageMarkdown(config))]
    return _cached[0][1]


class KbPage(Page):
    """A page whose render is a :class:`Rendered` value (module docstring)."""

    rendered: Rendered | None = None  # the result of the last render (or the one to apply: the cache's)
    applied: bool = False  # the last render applied a Rendered (its content is sanitised already)
    supply: Callable[[str], Rendered | None] | None = None  # where finished renders come from (workers)

    def __init__(self, title: str | None, file: Any, config: Any,
                 supply: Callable[[str], Rendered | None] | None = None) -> None:
        super().__init__(title, file, config)
        self.supply = supply
        self._fresh: Rendered | None = None

    def render(self, config: Any, files: Any) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        digest = markdown_hash(self.markdown)
        for candidate in self._candidates():
            if candidate is not None and candidate.markdown_sha256 == digest and candidate.still_valid(files):
                self.apply(candidate, files)
                return
        self.applied = False
        self._fresh = page_markdown(config).convert(self.markdown, self.file, files, _Capture())
        self._set(self._fresh, files)

    def _candidates(self) -> Iterator[Rendered | None]:
        yield self.rendered
        if self.supply is not None:
            yield self.supply(self.file.src_uri)

    def apply(self, rendered: Rendered, files: Any) -> None:
        """Take ``rendered`` as this page's render, and emit its log records again."""
        self.applied, self.rendered, self._fresh = True, rendered, None
        self._set(rendered, files)
        for name, level, message in rendered.warnings:
            logging.getLogger(name).log(level, message)

    def _set(self, r: Rendered, files: Any) -> None:
        self.content = r.content
        self.toc = get_toc(r.toc_tokens)  # type: ignore[arg-type]
        self._title_from_render = r.title
        self.present_anchor_ids = set(r.anchors)
        if mkdocs_pages.log.getEffectiveLevel() > logging.DEBUG:
            links = {}
            for src, anchors in r.links_to_anchors.items():
                target = self.file if src == self.file.src_uri else files.get_file_from_path(src)
                if target is not None:
                    links[target] = dict(anchors)
            self.links_to_anchors = links

    def finish(self, content: str) -> str:
        """Called by the plugin's ``on_page_content`` with the page's final (sanitised) HTML: the
        render of this build is now complete and kept in ``self.rendered``. Returns ``content``."""
        if self._fresh is not None:
            self.rendered = dataclasses.replace(self._fresh, content=content)
            self._fresh = None
        return content


def nav_titles(nav: Any) -> dict[str, str]:
    """{src path: title} of the pages ``nav`` (mkdocs.yml's ``nav``) names with a title: MkDocs gives
    a page its nav title when it creates the page, and we create the pages before the navigation."""
    out: dict[str, str] = {}

    def walk(items: Any) -> None:
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, dict):
                for title, value in item.items():
                    if isinstance(value, str) and title is not None:
                        out.setdefault(value.lstrip("/"), str(title))
                    elif not isinstance(value, str):
                        walk(value)

    walk(nav or [])
    return out
