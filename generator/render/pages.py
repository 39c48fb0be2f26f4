"""Render stage: page contexts (typed) and the Markdown the templates make from them.

Generated pages are Markdown, not HTML, so MkDocs checks every link and anchor we
write, builds the table of contents and indexes the text for search. Links are
relative ``.md`` paths; MkDocs turns them into URLs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import markupsafe

from generator.layout import (
    HOME_LANGS,
    INDEX_PAGES,
    SATISFACTION_SRC,
    area_src,
    article_src,
    home_src,
    protocol_src,
    relative_url,
)
from generator.model.article import Article
from generator.model.catalog import Catalog, ProtocolEntry
from generator.model.fields import LEVELS, Callout, callouts
from generator.model.protocol import Protocol, Step
from generator.model.register import site_register
from generator.render.i18n import in_register, reason_labels, strings
from generator.render.runner import MarkdownRenderer, RunnerOptions, data_json, runner_data


def rel(from_src: str, to_src: str) -> str:
    """Relative link from one page source to another, as MkDocs resolves it (``posixpath.relpath``
    of the two, without its calls to the file system: index pages make thousands of these)."""
    base, target = from_src.split("/")[:-1], to_src.split("/")
    common = 0
    while common < len(base) and common < len(target) - 1 and base[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + target[common:])


# --- typed contexts -------------------------------------------------------------------------------
@dataclass(frozen=True)
class LangLink:
    """One entry of a page's language switch; ``href`` is empty for the page itself."""

    lang: str
    name: str  # the language's own name: "Español", "English"
    href: str = ""


@dataclass(frozen=True)
class Link:
    title: str
    href: str
    note: str = ""
    languages: tuple[LangLink, ...] = ()  # other language versions of the target


@dataclass(frozen=True)
class OptionView:
    label: str
    kind: str  # "next" | "resolve" | "escalate"
    text: str  # cause, escalation target or the next step's title
    href: str = ""  # "#step-id" for next
    number: int = 0  # the next step's number
    explain: str = ""
    prevent: str = ""


@dataclass(frozen=True)
class StepArticle:
    """An article linked from a step; ``href`` is the built page's URL (the step's HTML is not Markdown)."""

    id: str
    title: str
    href: str
    audience: str
    note: str


@dataclass(frozen=True)
class StepView:
    """Context of ``fragments/step.md``: one step, for the decision list and the runner alike."""

    number: int
    step: Step
    articles: tuple[StepArticle, ...]
    options: tuple[OptionView, ...]
    callouts: tuple[Callout, ...] = ()  # fields shown as a callout before the step's content (a warning…)

    @property
    def says(self) -> tuple[tuple[str, str], ...]:
        """What to say at this step by customer level (the levels declared once in the model), those it has."""
        say = self.step.say
        return tuple((lv, getattr(say, lv)) for lv in LEVELS if say is not None and getattr(say, lv))

    @property
    def technician_articles_only(self) -> bool:
        return all(a.audience == "technician" for a in self.articles)


@dataclass(frozen=True)
class ProtocolContext:
    """Context of ``fragments/protocol.md``."""

    protocol: Protocol
    version: str
    steps: tuple[StepView, ...]
    related: tuple[Link, ...]
    t: dict[str, str]
    runner_json: str = ""  # the runner's data as JSON (generator/render/runner.py)
    languages: tuple[LangLink, ...] = ()  # the language switch: every version, this one without href


@dataclass(frozen=True)
class SatisfactionContext:
    """Context of ``fragments/satisfaction.md``: the one-question CSAT page."""

    t: dict[str, str]


@dataclass(frozen=True)
class ArticleContext:
    """Context of ``fragments/article.md``."""

    article: Article
    related_protocols: tuple[Link, ...]
    used_in: tuple[Link, ...]
    t: dict[str, str]
    feedback: bool = False  # show the "did this solve it?" widget
    reasons_json: str = "[]"  # the widget's reasons as [[code, label], ...] (render/i18n.py reason_labels)
    related_articles: tuple[Link, ...] = ()  # similar articles, computed by generator/search/related.py
    languages: tuple[LangLink, ...] = ()  # the language switch: every version, this one without href


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class IndexContext:
    """Context of ``fragments/index.md``: a titled list of sections of links."""

    title: str
    intro: str
    sections: tuple[Section, ...]
    t: dict[str, str]


@dataclass(frozen=True)
class HomeContext:
    """Context of ``fragments/home.md``."""

    site_name: str
    protocols: tuple[Link, ...]
    guides: tuple[Link, ...]
    index_links: tuple[Link, ...]
    t: dict[str, str]
    homes: tuple[LangLink, ...] = ()  # the homes of the other languages


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    title: str
    markdown: str
    description: str = ""


@dataclass
class Renderer:
    """Renders pages of one catalog with the templates in ``theme/fragments``."""

    catalog: Catalog
    theme_dirs: list[Path]
    lang: str = "es"
    feedback_types: tuple[str, ...] = ("solution", "guide")  # article types that get the feedback widget
    runner: RunnerOptions = field(default_factory=RunnerOptions)  # protocol runner settings
    related_articles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # article id -> related ids
    register: Mapping[str, str] = field(default_factory=lambda: site_register(None))  # e.g. {"es": "usted"}
    env: jinja2.Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d / "fragments") for d in self.theme_dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._markdown = MarkdownRenderer(self.runner.html_embeds)
        self.env.filters["indent_md"] = _indent
        self.env.filters["markdown"] = self._markdown_html
        self.env.filters["plain"] = self._markdown.plain

    def _markdown_html(self, text: str | None) -> markupsafe.Markup:
        """A Markdown field as HTML, sanitised by the pages' allow-list (generator/content/html.py)."""
        return markupsafe.Markup(self._markdown.html(text) or "")

    def _render(self, template: str, ctx: object) -> str:
        return self.env.get_template(template).render(c=ctx)

    # --- contexts ---------------------------------------------------------------------------------
    def _article_link(self, from_src: str, article_id: str) -> Link:
        a = self.catalog.article_by_id[article_id]
        return Link(a.meta.title, rel(from_src, article_src(a)), self.t(a.meta.lang)[a.meta.type])

    def _step_article(self, from_src: str, article_id: str) -> StepArticle:
        a = self.catalog.article_by_id[article_id]
        href = relative_url(from_src, article_src(a), directory_urls=self.runner.directory_urls)
        return StepArticle(a.id, a.meta.title, href, a.meta.audience, self.t(a.meta.lang)[a.meta.type])

    def _protocol_link(self, from_src: str, protocol_id: str) -> Link:
        p = self.catalog.protocol_by_id[protocol_id].model
        return Link(p.title, rel(from_src, protocol_src(p.id)), p.summary)

    def t(self, lang: str) -> dict[str, str]:
        """The interface strings of ``lang`` in the site's register."""
        return in_register(strings(lang), lang, self.register)

    def _src_of(self, ident: str) -> str:
        if ident in self.catalog.article_by_id:
            return article_src(self.catalog.article_by_id[ident])
        return protocol_src(ident)

    def languages(self, ident: str, from_src: str | None = None) -> tuple[LangLink, ...]:
        """The language versions of ``ident``'s page, linked from ``from_src``. Without ``from_src``:
        the page's own switch, the page itself included without a link; with it (an index page):
        the other versions only."""
        here = from_src or self._src_of(ident)
        return tuple(LangLink(v.lang, strings(v.lang)[f"lang_{v.lang}"],
                              "" if v.id == ident else rel(here, self._src_of(v.id)))
                     for v in self.catalog.versions(ident) if from_src is None or v.id != ident)

    def protocol_context(self, entry: ProtocolEntry) -> ProtocolContext:
        proto, src = entry.model, protocol_src(entry.id)
        numbers = {s.id: i + 1 for i, s in enumerate(proto.steps)}
        titles = {s.id: s.title for s in proto.steps}
        steps = []
        for i, step in enumerate(proto.steps):
            options = []
            for o in step.options:
                if o.next is not None:
                    options.append(OptionView(o.label, "next", titles[o.next], f"#{o.next}", numbers[o.next]))
                elif o.resolve is not None:
                    options.append(OptionView(o.label, "resolve", o.resolve, explain=o.explain or "",
                                              prevent=o.prevent or ""))
                else:
                    options.append(OptionView(o.label, "escalate", o.escalate or ""))
            steps.append(StepView(i + 1, step, tuple(self._step_article(src, a) for a in step.articles),
                                  tuple(options), callouts(step)))
        related = self.related_protocols(entry)
        data = runner_data(entry, self.catalog, src, self.runner, self._markdown)
        return ProtocolContext(proto, entry.version, tuple(steps), related, self.t(proto.lang), data_json(data),
                               self.languages(entry.id))

    def related_protocols(self, entry: ProtocolEntry) -> tuple[Link, ...]:
        """Protocols that share tags or articles with this one, most shared first."""
        mine_tags = set(entry.model.tags)
        mine_articles = {a for s in entry.model.steps for a in s.articles}
        scored = []
        for other in self.catalog.protocols:
            if other.id == entry.id or other.model.lang != entry.model.lang:
                continue
            shared = len(mine_tags & set(other.model.tags)) + 2 * len(
                mine_articles & {a for s in other.model.steps for a in s.articles})
            if shared:
                scored.append((-shared, other.model.title.lower(), other.id))
        return tuple(self._protocol_link(protocol_src(entry.id), pid) for _, _, pid in sorted(scored)[:5])

    def article_context(self, article: Article) -> ArticleContext:
        src = article_src(article)
        declared = [p for p in article.meta.protocols if p in self.catalog.protocol_by_id]
        using = [p for p in self.catalog.protocols_using_article.get(article.id, ()) if p not in declared]
        return ArticleContext(
            article,
            tuple(self._protocol_link(src, p) for p in declared),
            tuple(self._protocol_link(src, p) for p in using),
            self.t(article.meta.lang),
            feedback=article.meta.type in self.feedback_types and "feedback" not in article.meta.hide,
            reasons_json=data_json(reason_labels(article.meta.lang)),
            related_articles=tuple(self._article_link(src, r) for r in self.related_articles.get(article.id, ())
                                   if r in self.catalog.article_by_id),
            languages=self.languages(article.id),
        )

    # --- pages ------------------------------------------------------------------------------------
    def protocol_markdown(self, entry: ProtocolEntry) -> str:
        return self._render("protocol.md", self.protocol_context(entry))

    def article_markdown(self, article: Article) -> str:
        return self._render("article.md", self.article_context(article))

    def index_page(self, src: str, title: str, intro: str, sections: list[Section]) -> GeneratedPage:
        ctx = IndexContext(title, intro, tuple(sections), self.t(self.lang))
        return GeneratedPage(src, title, self._render("index.md", ctx), intro)

    def generated_pages(self, *, home: bool, existing: set[str]) -> list[GeneratedPage]:
        """Every page the plugin adds: protocols, indexes by area, tag and audience, home."""
        return [self.protocol_page(p) for p in self.catalog.protocols] + self.index_pages(home=home,
                                                                                          existing=existing)

    def protocol_page(self, entry: ProtocolEntry) -> GeneratedPage:
        return GeneratedPage(protocol_src(entry.id), entry.model.title, self.protocol_markdown(entry),
                             entry.model.summary)

    def index_pages(self, *, home: bool, existing: set[str]) -> list[GeneratedPage]:
        """The generated pages other than protocols: indexes by area, tag and audience, satisfaction, home."""
        t = self.t(self.lang)
        pages: list[GeneratedPage] = []
        src = INDEX_PAGES["protocols"]
        pages.append(self.index_page(src, t["protocols"], t["home_tech"], [Section(
            t["all_protocols"], "todos", tuple(self._index_link(src, p.id) for p in self._sorted_protocols()))]))

        src = INDEX_PAGES["areas"]
        area_links = []
        for area, all_articles in self.catalog.areas.items():
            articles = tuple(a for a in all_articles if not self.catalog.is_translation(a.id))
            area_page = area_src(area)
            if area_page not in existing:
                pages.append(self.index_page(area_page, area.replace("-", " ").capitalize(), "", [Section(
                    t["articles_in_area"], "articulos",
                    tuple(self._index_link(area_page, a.id) for a in articles))]))
            area_links.append(Link(area.replace("-", " ").capitalize(), rel(src, area_page),
                                   f"{len(articles)} {t['count_articles']}"))
        pages.append(self.index_page(src, t["areas"], "", [Section(t["areas"], "lista", tuple(area_links))]))

        src = INDEX_PAGES["tags"]
        tag_sections = []
        tags = {tag: [x for x in ids if not self.catalog.is_translation(x)] for tag, ids in self.catalog.tags.items()}
        for i, (tag, ids) in enumerate((tag, ids) for tag, ids in tags.items() if ids):
            tag_sections.append(Section(tag, f"tag-{i + 1}", tuple(self._index_link(src, x) for x in ids)))
        pages.append(self.index_page(src, t["tags"], "", tag_sections))

        src = INDEX_PAGES["audiences"]
        aud_sections = []
        for aud in ("end-user", "technician", "both"):
            links = [self._index_link(src, a.id) for a in self._sorted_articles() if a.meta.audience == aud]
            links += [self._index_link(src, p.id) for p in self._sorted_protocols() if p.model.audience == aud]
            aud_sections.append(Section(t[aud], aud, tuple(links)))
        pages.append(self.index_page(src, t["audiences"], "", aud_sections))

        pages.append(GeneratedPage(SATISFACTION_SRC, t["csat_title"], self._render(
            "satisfaction.md", SatisfactionContext(t)), t["csat_description"]))
        if home:
            pages += [self.home_page(site_name="", lang=lang) for lang in HOME_LANGS]
        return pages

    def home_page(self, site_name: str, lang: str | None = None) -> GeneratedPage:
        """The home of one language: the site's language at ``index.md``, another at ``<lang>/index.md``
        (``/en/``); each lists that language's protocols and guides and links the other homes."""
        lang = lang or self.lang
        t = self.t(lang)
        src = home_src(lang, self.lang)
        mine = self._sorted_protocols(lang)
        protocols = tuple(self._index_link(src, p.id) for p in mine if p.model.audience in ("technician", "both"))
        guides = tuple(self._index_link(src, a.id) for a in self._sorted_articles(lang)
                       if a.meta.audience in ("end-user", "both"))
        guides += tuple(self._index_link(src, p.id) for p in mine if p.model.audience in ("end-user", "both"))
        # the index pages are in the site's language: linked from its home only
        index_links = tuple(Link(t[k], rel(src, v)) for k, v in INDEX_PAGES.items()) if lang == self.lang else ()
        homes = tuple(LangLink(other, strings(other)[f"lang_{other}"], rel(src, home_src(other, self.lang)))
                      for other in HOME_LANGS if other != lang)
        ctx = HomeContext(site_name, protocols[:12], guides[:12], index_links, t, homes)
        return GeneratedPage(src, t["home"], self._render("home.md", ctx), t["home_user"])

    def _index_link(self, from_src: str, ident: str) -> Link:
        """A link on an index or the home page, with links to the target's other language versions."""
        link = (self._article_link(from_src, ident) if ident in self.catalog.article_by_id
                else self._protocol_link(from_src, ident))
        langs = self.languages(ident, from_src)
        return dataclasses.replace(link, languages=langs) if langs else link

    # Index pages and the site language's home list originals; a translation is one click away on its
    # source's page. Another language's home lists the pages in that language.
    def _sorted_protocols(self, lang: str | None = None) -> list[ProtocolEntry]:
        keep = ((lambda p: not self.catalog.is_translation(p.id)) if lang in (None, self.lang)
                else (lambda p: p.model.lang == lang))
        return sorted((p for p in self.catalog.protocols if keep(p)), key=lambda p: p.model.title.lower())

    def _sorted_articles(self, lang: str | None = None) -> list[Article]:
        keep = ((lambda a: not self.catalog.is_translation(a.id)) if lang in (None, self.lang)
                else (lambda a: a.meta.lang == lang))
        return sorted((a for a in self.catalog.articles if keep(a)), key=lambda a: a.meta.title.lower())


def _indent(text: str, width: int = 4) -> markupsafe.Markup:
    """Trusted Markdown written in the repository (reviewed in pull requests), indented
    on every line but the first so it can sit inside an admonition or a list item.

    Titles, labels and other one-line fields stay autoescaped in the templates."""
    pad = " " * width
    lines = text.strip("\n").splitlines()
    return markupsafe.Markup("\n".join((pad + line) if line.strip() and i else line.rstrip()
                                        for i, line in enumerate(lines)))
