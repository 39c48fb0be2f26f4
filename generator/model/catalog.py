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
