"""What gets indexed: one ``SearchDoc`` per article and protocol of a catalog. Pure: no I/O.

Fields and their weights (the same for the static and the server index):

=========  ======  ==============================================  ==========================================
field      weight  article                                         protocol
=========  ======  ==============================================  ==========================================
title      3       title                                           title
symptoms   3       symptoms                                        summary ("use it when ...")
summary    1.5     summary, cause                                  prerequisites, step questions, causes found
keywords   1.5     tags, products, area                            tags, step titles
body       1       the Markdown body as text                       what to say, what to do, explanations
=========  ======  ==============================================  ==========================================
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from sys import intern
from typing import Final, get_args

from pydantic import BaseModel

from generator.layout import article_src, page_url, protocol_src
from generator.model.article import Article, ArticleType
from generator.model.catalog import Catalog, ProtocolEntry
from generator.model.fields import SearchField, field_texts
from generator.search.analysis import RULES, stem, words

FIELDS: Final = get_args(SearchField)
WEIGHTS: Final = {"title": 3.0, "symptoms": 3.0, "summary": 1.5, "keywords": 1.5, "body": 1.0}
TYPES: Final = ("protocol", *sorted(get_args(ArticleType)))
STRONG_FIELDS: Final = ("title", "symptoms", "keywords")

_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_TAG = re.compile(r"<[^>]*>|\{:[^}]*\}|\{#[^}]*\}")


def markdown_text(md: str) -> str:
    """Markdown as searchable text: link targets, HTML tags and attribute lists removed."""
    return _TAG.sub(" ", _LINK_TARGET.sub("] ", md))


@dataclass(frozen=True)
class SearchDoc:
    """One searchable page: its text by field and what a result shows."""

    id: str
    type: str  # protocol | guide | solution
    title: str
    url: str  # site-root path with a leading slash, e.g. /red/dns-configurado-a-mano/
    audience: str
    area: str  # an article's area; "protocolos" for protocols
    lang: str
    channels: tuple[str, ...]
    symptoms: tuple[str, ...]  # shown under the title: the one that best matches the query
    text: dict[str, str]
    family: str = ""  # the id of the original this page translates ("": none, the page is its own)


@dataclass(frozen=True)
class Analyzed:
    """A document analysed once for every index: term counts per field (stemmed in the
    document's language) and its folded, unstemmed words (the typo vocabulary)."""

    doc: SearchDoc
    tf: dict[str, Counter[str]]
    words: frozenset[str]  # every word of every field, stop words out
    strong: frozenset[str]  # the words of the title, symptoms and keywords


def analyze(doc: SearchDoc) -> Analyzed:
    tf: dict[str, Counter[str]] = {}
    every: set[str] = set()
    strong: set[str] = set()
    for f in FIELDS:
        # Interned: one string per distinct word and term across all documents, not one per occurrence
        # (at 10,000 pages that is millions of small strings, most of an analysis' memory).
        ws = [intern(w) for w in words(doc.text.get(f, "")) if w not in RULES.stop]
        tf[f] = Counter(intern(stem(w, doc.lang)) for w in ws)
        every.update(ws)
        if f in STRONG_FIELDS:
            strong.update(ws)
    # The text is not needed once analysed (indexes show title, URL and symptoms): at 10,000 pages it is ~40 MB.
    return Analyzed(dataclasses.replace(doc, text={}), tf, frozenset(every), frozenset(strong))


def field_text(obj: BaseModel) -> dict[str, list[str]]:
    """The words of a model by search field, from its field metadata (``TextField.search``); Markdown as text."""
    out: dict[str, list[str]] = {f: [] for f in FIELDS}
    for text in field_texts(obj):
        if text.meta.search is not None:
            out[text.meta.search].append(markdown_text(text.value) if text.meta.markdown else text.value)
    return out


def article_doc(a: Article, directory_urls: bool = True) -> SearchDoc:
    m = a.meta
    text = field_text(m)
    text["keywords"].append(a.area.replace("-", " "))
    text["body"].append(markdown_text(a.body))
    return SearchDoc(
        id=a.id, type=m.type, title=m.title, url=page_url(article_src(a), directory_urls=directory_urls),
        audience=m.audience,
        area=a.area, lang=m.lang, channels=(), symptoms=tuple(m.symptoms) or ((m.summary,) if m.summary else ()),
        text={f: "\n".join(parts) for f, parts in text.items()}, family=m.translation_of or "")


def protocol_doc(entry: ProtocolEntry, directory_urls: bool = True) -> SearchDoc:
    p = entry.model
    return SearchDoc(
        id=p.id, type="protocol", title=p.title, url=page_url(protocol_src(p.id), directory_urls=directory_urls),
        audience=p.audience, area="protocolos", lang=p.lang, channels=tuple(p.channels), symptoms=(p.summary,),
        text={f: "\n".join(parts) for f, parts in field_text(p).items()}, family=p.translation_of or "")


def catalog_docs(catalog: Catalog, directory_urls: bool = True) -> Iterator[SearchDoc]:
    """Every article and protocol, protocols first, each group in id order (stable doc numbers),
    one at a time (a document's text is dropped once it is analysed)."""
    for p in sorted(catalog.protocols, key=lambda p: p.id):
        yield protocol_doc(p, directory_urls)
    for a in sorted(catalog.articles, key=lambda a: a.id):
        yield article_doc(a, directory_urls)
