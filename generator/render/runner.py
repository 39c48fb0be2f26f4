"""The protocol runner's data: one JSON document per protocol page, read by ``assets/kb/runner.js``.

The steps themselves are rendered once, on the server, by ``theme/fragments/step.md`` (the decision
list's sections, which the runner shows one at a time); this JSON carries only what the runner's state
needs: the graph (options and where they lead), titles for the path and the summary, articles for the
follow-up message. Which texts it carries comes from their field metadata (``TextField`` in
generator/model/fields.py), never by name: one-line fields as they are, Markdown sent to the customer
(``TextField.sent``: ``explain``, ``prevent``) as plain text, because it goes into a plain-text message;
Markdown shown on the step (``do``, ``say``) and callouts (``warning``) are the step template's. The
runner puts every string of it in the DOM with ``textContent`` only. The enumerations the runner offers
(levels) and their labels come with the data. The Markdown renderer below is also the step template's
(its ``markdown`` and ``plain`` filters).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import markdown  # type: ignore[import-untyped]
from pydantic import BaseModel

from generator.content.html import clean, keep_placeholders
from generator.layout import SATISFACTION_SRC, article_src, relative_url
from generator.model.catalog import Catalog, ProtocolEntry
from generator.model.fields import LEVELS, field_meta
from generator.render.i18n import enum_labels

# The Markdown extensions the site's pages use for these fields (see mkdocs.yml).
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "pymdownx.details", "pymdownx.superfences", "tables",
              "sane_lists"]
DATA_ID = "kb-protocol-data"


@dataclass(frozen=True)
class RunnerOptions:
    """Settings of the runner that come from the site configuration."""

    directory_urls: bool = True
    """MkDocs' ``use_directory_urls``: how links to other pages are written."""
    max_age_days: int = 30
    """Runs kept in the browser (finished or not) are cleared after this many days."""
    html_embeds: bool = False
    """The site keeps <iframe>, <video> and <audio> in Markdown (the kb plugin's ``html_embeds``)."""


class _Text(HTMLParser):
    """The text of rendered Markdown: a soft line break is a space, a block starts a new line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pre = 0

    def handle_data(self, data: str) -> None:
        self.parts.append(data if self.pre else data.replace("\n", " "))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "li", "br", "pre", "div", "ul", "ol", "blockquote", "table", "tr"):
            self.parts.append("\n")
        self.pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        self.pre -= tag == "pre" and self.pre > 0
        if tag in ("p", "li", "pre", "div", "ul", "ol", "blockquote", "table", "tr"):
            self.parts.append("\n")


class MarkdownRenderer:
    """Renders the Markdown fields of a protocol (one converter, reset between fields), sanitised
    by the same allow-list as the pages (generator/content/html.py)."""

    def __init__(self, embeds: bool = False) -> None:
        self._md = markdown.Markdown(extensions=EXTENSIONS)
        self.embeds = embeds

    def html(self, text: str | None) -> str | None:
        if not text:
            return None
        self._md.reset()
        return clean(str(self._md.convert(keep_placeholders(text.strip()))), embeds=self.embeds)

    def plain(self, text: str | None) -> str | None:
        """Markdown as plain text: paragraphs kept, emphasis and code marks removed."""
        html = self.html(text)
        if html is None:
            return None
        parser = _Text()
        parser.feed(html)
        lines = [re.sub(r"[ \t]+", " ", line).strip() for line in "".join(parser.parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() or None


def field_data(obj: BaseModel, md: MarkdownRenderer) -> dict[str, Any]:
    """The texts of a step or an option the runner's state needs, by their field metadata
    (generator/model/fields.py ``TextField``): one-line fields as they are, Markdown sent to the customer as
    plain text. Markdown shown on the step, nested models (``say``) and callouts are rendered once by
    ``theme/fragments/step.md``; lists are left to the caller."""
    out: dict[str, Any] = {}
    for name, info in type(obj).model_fields.items():
        meta, value = field_meta(info), getattr(obj, name)
        if meta is None or meta.callout is not None or isinstance(value, (list, BaseModel)):
            continue
        if meta.sent:
            out[name] = md.plain(value)
        elif not meta.markdown:
            out[name] = value
    return {k: v for k, v in out.items() if v is not None}  # an absent field is left out of the page's JSON


def runner_data(entry: ProtocolEntry, catalog: Catalog, src: str, options: RunnerOptions,
                md: MarkdownRenderer | None = None) -> dict[str, Any]:
    """Everything the runner needs about one protocol, with links relative to its page ``src``."""
    md = md or MarkdownRenderer(options.html_embeds)
    proto = entry.model
    steps = []
    for step in proto.steps:
        articles = []
        for aid in step.articles:
            a = catalog.article_by_id[aid]
            articles.append({"id": a.id, "title": a.meta.title, "audience": a.meta.audience,
                             "url": relative_url(src, article_src(a), directory_urls=options.directory_urls)})
        steps.append({"id": step.id, **field_data(step, md), "articles": articles,
                      "options": [{**({"next": o.next} if o.next else {}), **field_data(o, md)} for o in step.options]})
    return {
        "id": proto.id,
        "version": entry.version,
        "title": proto.title,
        "audience": proto.audience,
        "lang": proto.lang,
        "channels": list(proto.channels),
        "levels": list(LEVELS),
        "labels": enum_labels(proto.lang),
        "prerequisites": list(proto.prerequisites),
        "start": proto.start,
        "steps": steps,
        "csat_url": relative_url(src, SATISFACTION_SRC, directory_urls=options.directory_urls),
        "max_age_days": options.max_age_days,
    }


def data_json(data: object) -> str:
    """Compact JSON for the ``data-protocol`` attribute; the template's autoescaping makes it safe there.

    An attribute, not ``<script type="application/json">``: Material's instant navigation re-creates
    every inline script of a new page as an executable one, without its type or id."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
