"""The texts of an article or a protocol that lint rules read: who reads each one, and where it is.

Each :class:`Text` is one field value (or one part of an article body) with:

* its **reader**: ``end_user`` or ``technician``, which picks the thresholds. An article is
  read by end users when its audience is ``end-user`` or ``both``; inside such an article, a
  part under a heading listed in ``technician_headings`` ("Para el técnico") is read by
  technicians. In a protocol, what is said or sent to the customer (``say.basic``,
  ``explain``, ``prevent``) is read by end users, ``say.advanced`` by a confident customer
  (technician thresholds), and the rest (title, summary, ``do``, ask, labels) by the
  technician, except in a self-service guide (audience ``end-user``), where end users read
  the title, summary, prerequisites, step titles, ask and labels too;
* which rule families apply: ``prose`` (sentence length, readability), ``jargon`` (text for
  end users, except ``say.advanced``) and ``customer`` (what the customer hears or reads:
  the blame rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from generator.content.yamlsafe import Located, PathKey, key_name
from generator.lint.config import LintConfig, Reader
from generator.lint.lists import fold, words_of
from generator.lint.prose import Block, BodyLocator, Locator, Masked, ValueLocator, mask
from generator.model.article import Article
from generator.model.catalog import ProtocolEntry


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

    def at(self, offset: int) -> tuple[int, int]:
        return self.locator.at(offset)

    @cached_property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return tuple((b.start, b.end) for b in self.blocks)

    @cached_property
    def words(self) -> frozenset[str]:
        """Its words in lower case without accents (to skip phrases that cannot match)."""
        return words_of(self.masked.mask, self.spans)


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

    def field(self, key: PathKey, reader: Reader, *, prose: bool, jargon: bool, customer: bool) -> None:
        value = _value(self.located, key)
        if not isinstance(value, str) or not value.strip():
            return
        m = mask(value)
        locator = ValueLocator(value, self.raw, self.located.pos(key))
        self.out.append(Text(self.path, key_name(key), m, m.blocks, locator, self.lang, reader,
                             prose, jargon, customer))


def article_texts(article: Article, located: Located, raw: Sequence[str] | None, config: LintConfig) -> list[Text]:
    """Title, summary, symptoms, cause and the body's parts, in reading order."""
    reader = reader_of(article.meta.audience)
    for_users = reader == "end_user"
    b = _Builder(article.path, located, raw, article.meta.lang)
    b.field(("title",), reader, prose=False, jargon=for_users, customer=for_users)
    b.field(("summary",), reader, prose=True, jargon=for_users, customer=for_users)
    for i in range(len(article.meta.symptoms)):
        b.field(("symptoms", i), reader, prose=False, jargon=for_users, customer=False)
    b.field(("cause",), reader, prose=True, jargon=for_users, customer=for_users)
    return b.out + body_texts(article, reader, config)


def _heading_text(m: Masked, block: Block) -> str:
    return " ".join(m.mask[block.start:block.end].split()).rstrip(".:")


def body_texts(article: Article, reader: Reader, config: LintConfig) -> list[Text]:
    """The body cut where the section (a '## ' heading) or the reader changes."""
    m = mask(article.body)
    locator = BodyLocator(article.body, article.body_line)
    tech_headings = [fold(h) for h in config.technician_headings]

    def technical(title: str) -> bool:
        return any(fold(title).startswith(h) for h in tech_headings)

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
                        users, f" in section '{name}'" if name else ""))
    return out


def protocol_texts(entry: ProtocolEntry, located: Located, raw: Sequence[str] | None) -> list[Text]:
    """Every text of a protocol, in file order, with its reader (see the module docstring)."""
    proto = entry.model
    # Only a self-service guide is read by end users throughout; otherwise the technician reads the
    # protocol and the customer hears or receives only say, explain and prevent.
    reader: Reader = "end_user" if proto.audience == "end-user" else "technician"
    users = reader == "end_user"
    b = _Builder(entry.path, located, raw, proto.lang)
    b.field(("title",), reader, prose=False, jargon=users, customer=False)
    b.field(("summary",), reader, prose=True, jargon=users, customer=False)
    for i in range(len(proto.prerequisites)):
        b.field(("prerequisites", i), reader, prose=False, jargon=users, customer=False)
    for si, step in enumerate(proto.steps):
        s: PathKey = ("steps", si)
        b.field((*s, "title"), reader, prose=False, jargon=users, customer=False)
        b.field((*s, "say", "basic"), "end_user", prose=True, jargon=True, customer=True)
        b.field((*s, "say", "advanced"), "technician", prose=True, jargon=False, customer=True)
        b.field((*s, "do"), "technician", prose=True, jargon=False, customer=False)
        b.field((*s, "ask"), reader, prose=False, jargon=users, customer=False)
        for oi in range(len(step.options)):
            o: PathKey = (*s, "options", oi)
            b.field((*o, "label"), reader, prose=False, jargon=users, customer=False)
            b.field((*o, "explain"), "end_user", prose=True, jargon=True, customer=True)
            b.field((*o, "prevent"), "end_user", prose=True, jargon=True, customer=True)
        b.field((*s, "explain"), "end_user", prose=True, jargon=True, customer=True)
        b.field((*s, "prevent"), "end_user", prose=True, jargon=True, customer=True)
    return b.out
