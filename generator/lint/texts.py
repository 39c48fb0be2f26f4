"""The texts of an article or a protocol that lint rules read: who reads each one, and where it is.

Each :class:`Text` is one field value (or one part of an article body) with:

* its **reader**: ``end_user`` or ``technician``, which picks the thresholds. An article is
  read by end users when its audience is ``end-user`` or ``both``; inside such an article, a
  part under a heading listed in ``technician_headings`` ("Para el técnico") is read by
  technicians. A field's reader comes from its metadata on the model (``TextField.reader`` in
  generator/model/fields.py): what is said or sent to the customer is read by end users, the
  confident customer's wording with technician thresholds, technician-only fields by the
  technician, and "document" fields by whoever the document is for (a protocol is read by the
  technician, except a self-service guide, audience ``end-user``, read by end users);
* which rule families apply: ``prose`` (sentence length, readability: ``TextField.prose``),
  ``jargon`` (text for end users), ``customer`` (what the customer hears or reads: the blame
  rule) and ``raw_html`` (``TextField.markdown``).

No field is named here: :func:`_model_texts` loops over the fields that carry metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from generator.content.yamlsafe import Located, PathKey, key_name
from generator.lint.config import LintConfig, Reader
from generator.lint.lists import chunk_words, fold
from generator.lint.prose import Block, BodyLocator, Locator, Masked, ValueLocator, mask
from generator.model.article import Article
from generator.model.catalog import ProtocolEntry
from generator.model.fields import field_texts


@dataclass(frozen=True)
class Text:
    """One text to lint: a field value or a part of a body, with its blocks and positions."""

    path: str
    key: str  # 'title', 'steps[2].say.basic', 'body'
    masked: Masked
    blocks: tuple[Block, ...]
    locator: Locator
    lang: str
    reader: Reader
    prose: bool  # sentence length and readability apply
    jargon: bool  # the jargon rule applies
    customer: bool  # said or sent to the customer: the blame rule applies
    where: str = ""  # ' in section 'Solución'' for parts of a body
    markdown: bool = False  # Markdown the site renders (the raw_html rule applies)

    def at(self, offset: int) -> tuple[int, int]:
        return self.locator.at(offset)

    @cached_property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return tuple((b.start, b.end) for b in self.blocks)

    @cached_property
    def block_words(self) -> tuple[frozenset[str], ...]:
        """The words of each block in lower case without accents (to skip phrases that cannot match)."""
        mask = self.masked.mask
        return tuple(chunk_words(mask[s:e]) for s, e in self.spans)

    @cached_property
    def words(self) -> frozenset[str]:
        """Its words in lower case without accents: those of all its blocks."""
        return frozenset().union(*self.block_words)


def reader_of(audience: str) -> Reader:
    return "technician" if audience == "technician" else "end_user"


def _value(located: Located, path: PathKey) -> Any:
    node: Any = located.data
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
    return node


class _Builder:
    def __init__(self, path: str, located: Located, raw: Sequence[str] | None, lang: str) -> None:
        self.path, self.located, self.raw, self.lang = path, located, raw, lang
        self.out: list[Text] = []

    def field(self, key: PathKey, reader: Reader, *, prose: bool, jargon: bool, customer: bool,
              markdown: bool = False) -> None:
        value = _value(self.located, key)
        if not isinstance(value, str) or not value.strip():
            return
        m = mask(value)
        locator = ValueLocator(value, self.raw, self.located.pos(key))
        self.out.append(Text(self.path, key_name(key), m, m.blocks, locator, self.lang, reader,
                             prose, jargon, customer, markdown=markdown))


def article_texts(article: Article, located: Located, raw: Sequence[str] | None, config: LintConfig) -> list[Text]:
    """The front matter's texts (by their field metadata) and the body's parts, in reading order."""
    reader = reader_of(article.meta.audience)
    return _model_texts(article.path, article.meta, article.meta.lang, reader, located, raw) + body_texts(
        article, reader, config)


def _model_texts(path: str, obj: BaseModel, lang: str, reader: Reader, located: Located,
                 raw: Sequence[str] | None) -> list[Text]:
    """Every text of a model with lint metadata (generator/model/fields.py ``TextField``), in field order."""
    b = _Builder(path, located, raw, lang)
    users = reader == "end_user"
    for text in field_texts(obj):
        meta = text.meta
        if not meta.lint:
            continue
        if meta.reader == "document":
            b.field(text.path, reader, prose=meta.prose, jargon=users, customer=users and meta.public,
                    markdown=meta.markdown)
        else:
            b.field(text.path, "end_user" if meta.reader == "customer" else "technician", prose=meta.prose,
                    jargon=meta.reader == "customer", customer=meta.reader != "technician", markdown=meta.markdown)
    return b.out


def _heading_text(m: Masked, block: Block) -> str:
    return " ".join(m.mask[block.start:block.end].split()).rstrip(".:")


def body_texts(article: Article, reader: Reader, config: LintConfig) -> list[Text]:
    """The body cut where the section (a '## ' heading) or the reader changes."""
    m = mask(article.body)
    locator = BodyLocator(article.body, article.body_line)
    tech_headings = [fold(h) for h in config.technician_headings]

    def technical(title: str) -> bool:
        folded = fold(title)
        return any(folded.startswith(h) for h in tech_headings)

    def lead_in(block: Block) -> bool:  # a paragraph that starts 'Para el técnico: …'
        start = m.mask[block.start:min(block.end, block.start + 80)]
        if block.kind != "prose" or ":" not in start:
            return False
        folded = fold(start)
        return any(folded.startswith(h + ":") for h in tech_headings)

    groups: list[tuple[str, Reader, list[Block]]] = []
    section, section_tech, sub_tech = "", False, False
    for block in m.blocks:
        if block.kind == "heading":
            title = _heading_text(m, block)
            if block.heading_level <= 2:
                section, section_tech, sub_tech = title, technical(title), False
            else:
                sub_tech = technical(title)
        tech = reader == "technician" or section_tech or sub_tech or lead_in(block)
        here: Reader = "technician" if tech else "end_user"
        if groups and groups[-1][0] == section and groups[-1][1] == here:
            groups[-1][2].append(block)
        else:
            groups.append((section, here, [block]))
    out = []
    for name, here, blocks in groups:
        users = here == "end_user"
        out.append(Text(article.path, "body", m, tuple(blocks), locator, article.meta.lang, here, True, users,
                        users, f" in section '{name}'" if name else "", markdown=True))
    return out


def protocol_texts(entry: ProtocolEntry, located: Located, raw: Sequence[str] | None) -> list[Text]:
    """Every text of a protocol, in file order, with its reader (see the module docstring)."""
    proto = entry.model
    # Only a self-service guide is read by end users throughout; otherwise the technician reads the
    # protocol and the customer hears or receives only what is said or sent to them.
    reader: Reader = "end_user" if proto.audience == "end-user" else "technician"
    return _model_texts(entry.path, proto, proto.lang, reader, located, raw)
