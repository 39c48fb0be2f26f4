"""Catalog: every article and protocol of a content repository, with lookups. No I/O."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from generator.content.yamlsafe import Located
from generator.model.article import Article
from generator.model.protocol import Protocol


@dataclass(frozen=True)
class ProtocolEntry:
    """A protocol with where it came from; ``version`` changes whenever its file changes."""

    model: Protocol
    path: str
    version: str

    @property
    def id(self) -> str:
        return self.model.id


@dataclass(frozen=True)
class Version:
    """One language version of a page: itself, its source or another translation of its source."""

    id: str
    lang: str
    kind: str  # "article" | "protocol"


@dataclass(frozen=True)
class Catalog:
    articles: tuple[Article, ...] = ()
    protocols: tuple[ProtocolEntry, ...] = ()
    # Positions are kept for validation rules that run on the finished catalog.
    positions: dict[str, Located] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def article_by_id(self) -> dict[str, Article]:
        return {a.id: a for a in self.articles}

    @cached_property
    def protocol_by_id(self) -> dict[str, ProtocolEntry]:
        return {p.id: p for p in self.protocols}

    @cached_property
    def protocols_using_article(self) -> dict[str, tuple[str, ...]]:
        """Article id -> ids of protocols whose steps link it, or that it declares."""
        out: dict[str, set[str]] = defaultdict(set)
        for p in self.protocols:
            for s in p.model.steps:
                for a in s.articles:
                    out[a].add(p.id)
        for art in self.articles:
            for pid in art.meta.protocols:
                out[art.id].add(pid)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    @cached_property
    def areas(self) -> dict[str, tuple[Article, ...]]:
        out: dict[str, list[Article]] = defaultdict(list)
        for a in self.articles:
            out[a.area].append(a)
        return {k: tuple(sorted(v, key=lambda a: a.meta.title.lower())) for k, v in sorted(out.items())}

    @cached_property
    def tags(self) -> dict[str, tuple[str, ...]]:
        """Tag -> ids of articles and protocols that carry it."""
        out: dict[str, set[str]] = defaultdict(set)
        for a in self.articles:
            for t in a.meta.tags:
                out[t].add(a.id)
        for p in self.protocols:
            for t in p.model.tags:
                out[t].add(p.id)
        return {k: tuple(sorted(v)) for k, v in sorted(out.items(), key=lambda kv: kv[0].lower())}

    def lang(self, ident: str) -> str:
        """The language of an article or protocol (KeyError for an unknown id)."""
        found = self._lang_and_source(ident)
        if found is None:
            raise KeyError(ident)
        return found[0]

    def _lang_and_source(self, ident: str) -> tuple[str, str | None, str] | None:
        if ident in self.article_by_id:
            m = self.article_by_id[ident].meta
            return m.lang, m.translation_of, "article"
        if ident in self.protocol_by_id:
            p = self.protocol_by_id[ident].model
            return p.lang, p.translation_of, "protocol"
        return None

    @cached_property
    def translations(self) -> dict[str, tuple[str, ...]]:
        """Source id -> ids of its translations (of the same kind), sorted."""
        out: dict[str, set[str]] = defaultdict(set)
        for a in self.articles:
            if a.meta.translation_of in self.article_by_id:
                out[a.meta.translation_of].add(a.id)
        for p in self.protocols:
            if p.model.translation_of in self.protocol_by_id:
                out[p.model.translation_of].add(p.id)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    def is_translation(self, ident: str) -> bool:
        """True when ``ident`` translates a page that exists (it is reached from that page's switch)."""
        found = self._lang_and_source(ident)
        return found is not None and found[1] is not None and self._lang_and_source(found[1]) is not None

    def versions(self, ident: str) -> tuple[Version, ...]:
        """Every language version of ``ident``'s page, the source first, one per language, itself included.

        Empty when the page has no translation."""
        found = self._lang_and_source(ident)
        if found is None:
            return ()
        source = found[1] if self.is_translation(ident) else ident
        assert source is not None
        members = (source, *self.translations.get(source, ()))
        if len(members) < 2:
            return ()
        out: dict[str, Version] = {}
        for m in members:
            info = self._lang_and_source(m)
            if info is not None and info[0] not in out:
                out[info[0]] = Version(m, info[0], info[2])
        return tuple(out.values()) if len(out) > 1 else ()
