"""The site manifest, typed: what the service, the report and search evaluation know about the built
content. The build writes it as ``kb-manifest.json`` (generator/layout.py names the file); the
readers parse it here, so its shape is declared once. Pure: no I/O (the callers read the file).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

_FROZEN = ConfigDict(frozen=True, extra="ignore")


class StepLinks(BaseModel):
    """Where a step leads, for the report's step-order recommendations."""

    model_config = _FROZEN
    next: tuple[str, ...] = ()
    """Steps an option of this step leads to."""
    resolves: bool = False
    """The step (or one of its options) ends a run as resolved."""
    after: tuple[str, ...] = ()
    """Steps that must come before this one (the protocol's ``after:``)."""


class ManifestEntry(BaseModel):
    """What an article and a protocol both say about themselves."""

    model_config = _FROZEN
    title: str
    url: str
    """The page's absolute URL path (``/red/dns/``)."""
    version: str
    """A content hash: the same content, the same version."""
    audience: str
    lang: str
    owner: str
    reviewed: date
    review_every_days: int
    translation_of: str | None = None


class ManifestArticle(ManifestEntry):
    area: str
    type: str
    protocols: tuple[str, ...] = ()
    """Protocols that link the article."""


class ManifestProtocol(ManifestEntry):
    steps: tuple[str, ...] = ()
    step_titles: dict[str, str] = Field(default_factory=dict)
    graph: dict[str, StepLinks] = Field(default_factory=dict)


class Csp(BaseModel):
    """The built theme's inline scripts (by hash), for the Content-Security-Policy of `kb serve`."""

    model_config = _FROZEN
    script_hashes: tuple[str, ...] = ()
    embeds: bool = False


Kind = Literal["articles", "protocols"]


class Manifest(BaseModel):
    """Every article and protocol of a built site, by id."""

    model_config = _FROZEN
    articles: dict[str, ManifestArticle] = Field(default_factory=dict)
    protocols: dict[str, ManifestProtocol] = Field(default_factory=dict)
    csp: Csp | None = None

    @classmethod
    def parse(cls, text: str) -> Manifest:
        """The manifest in ``text`` (JSON); ValueError names what is wrong."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            raise ValueError(f"expected a kb manifest, found: {exc.errors()[0]['msg']} at "
                             f"{'.'.join(str(p) for p in exc.errors()[0]['loc'])}") from None

    def to_json(self) -> str:
        return self.model_dump_json(indent=1, exclude_none=False)

    def entries(self, kind: Kind) -> Mapping[str, ManifestEntry]:
        return self.articles if kind == "articles" else self.protocols

    def canonical_ids(self) -> dict[str, str]:
        """Translation id -> its original's id (articles and protocols): a translation counts with its original."""
        out = {}
        for kind in ("articles", "protocols"):
            items = self.entries(kind)
            for cid, info in items.items():
                original = info.translation_of
                if original and original in items and original != cid:
                    out[cid] = original
        return out

    def families(self) -> dict[str, str]:
        """Page id -> its original's id (``translation_of``), whether or not the original is here."""
        return {i: p.translation_of for kind in ("articles", "protocols")
                for i, p in self.entries(kind).items() if p.translation_of}
