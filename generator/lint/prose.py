"""Prose out of Markdown and YAML values, with the file position of every character. Pure: no I/O.

Lint rules read *prose*: what a person reads as sentences. :func:`mask` turns Markdown into a
string of the same length in which everything that is not prose is blanked out (code blocks
and spans, URLs, link targets, HTML, list and heading markers), so an offset in the mask is
an offset in the source. Inline code and URLs become runs of ``x``: one neutral word each.
The text is cut into :class:`Block` s (paragraphs, list items, headings, table rows).

:class:`Locator` maps an offset in a text back to ``line:col`` in the file: directly for an
article body, and for a YAML value by aligning the value's words with the words of the raw
file from where the value starts (folding, indentation and block indicators only move words
around; they never change them).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

BlockKind = Literal["prose", "heading", "table"]

_FENCE = re.compile(r"^[ \t]*(```+|~~~+)")
_HEADING = re.compile(r"^(#{1,6})([ \t]+)")
_LIST = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_TABLE = re.compile(r"^[ \t]*\|")
_ADMONITION = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]")
_HTML_LINE = re.compile(r"^[ \t]*</?[A-Za-z!][^>]*>")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK_TARGET = re.compile(r"\]\([^)\n]*\)|\]\[[^\]\n]*\]")
_URL = re.compile(r"<?(?:https?://|www\.)[^\s<>)\]»]*[^\s<>)\].,;:!?»]>?|<[^\s@<>]+@[^\s@<>]+>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>\n]*>|<!--.*?-->")
_EMPHASIS_ONLY = re.compile(r"^\s*(\*\*|__)([^*_\n]+?)\1[.:]?\s*$")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Block:
    """A paragraph, list item, heading or table row: ``start``/``end`` offsets into the text."""

    kind: BlockKind
    start: int
    end: int
    heading_level: int = 0  # 1-6 for '#' headings; 7 for a bold line standing as a heading


@dataclass(frozen=True)
class Masked:
    """Markdown with everything but prose blanked out (same length), and its blocks."""

    text: str  # the original
    mask: str  # same length; offsets are shared
    blocks: tuple[Block, ...]
    labels: tuple[tuple[int, int], ...] = ()  # names shown on screen: short *italic*, **bold**, «quoted», link text

    def in_label(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.labels)

    @cached_property
    def bare(self) -> str:
        """The mask with the names shown on screen blanked too (what the author can reword)."""
        if not self.labels:
            return self.mask
        chars = list(self.mask)
        for s, e in self.labels:
            _blank(chars, s, e)
        return "".join(chars)


def _blank(chars: list[str], start: int, end: int, fill: str = " ") -> None:
    """``fill`` over ``chars[start:end]``, line ends kept."""
    if "\n" not in chars[start:end]:  # (one line: in C)
        chars[start:end] = fill * (end - start)
        return
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = fill


_LINK_TEXT = re.compile(r"(?<!!)\[([^\]\n]+)\](?=\(|\[)")
_LABEL = re.compile(r"\*\*([^*]+?)\*\*|(?<![*\w])\*([^*\s][^*]*?)\*(?![*\w])|(?<![_\w])_([^_]+?)_(?![_\w])"
                    r"|«([^»]+?)»|\"([^\"]+?)\"|“([^”]+?)”")
MAX_LABEL_WORDS = 6


def _mask_inline(chars: list[str], line: str, base: int, labels: list[tuple[int, int]]) -> None:
    """Blank what is not prose on one line; record the link texts (names of other pages) in ``labels``."""
    def current() -> str:
        return "".join(chars[base:base + len(line)])

    if "`" in line:
        for m in _CODE_SPAN.finditer(line):
            _blank(chars, base + m.start(), base + m.end(), " ")
            _blank(chars, base + m.start(2), base + m.end(2), "x")  # one neutral word
    if "[" in line:
        for m in _IMAGE.finditer(current()):
            _blank(chars, base + m.start(), base + m.end())
        for m in _LINK_TEXT.finditer(current()):  # the title of another page: a name, like a label
            labels.append((base + m.start(1), base + m.end(1)))
        for m in _LINK_TARGET.finditer(current()):
            _blank(chars, base + m.start(), base + m.end())
    if "http" in line or "www." in line or "<" in line:
        for m in _URL.finditer(current()):
            _blank(chars, base + m.start(), base + m.end(), "x")
    if "<" in line:
        for m in _HTML_TAG.finditer(current()):
            _blank(chars, base + m.start(), base + m.end())


_LABEL_MARK = re.compile("[*_«\"“]")


def _find_labels(masked: str, block: Block, labels: list[tuple[int, int]]) -> None:
    """Short *italic*, **bold** or «quoted» text, or a menu path (*Ajustes > Red*): a name on screen.
    ``masked``: the text as masked so far."""
    chunk = masked[block.start:block.end]
    if _LABEL_MARK.search(chunk) is None:
        return
    for m in _LABEL.finditer(chunk):
        inner = next(i for i in range(1, 7) if m.group(i) is not None)
        if len(_WORD.findall(m.group(inner))) <= MAX_LABEL_WORDS or " > " in m.group(inner):
            labels.append((block.start + m.start(inner), block.start + m.end(inner)))


_PLAIN_LINE = re.compile(r"[^\n`*_\[\]<>|#!«\"“~]*")
_MARKUP_START = re.compile(r"\s*(?:[-+>]|\d{1,9}[.)])\s|\s*$")


def _extend(current: list[int] | None, start: int, end: int) -> list[int]:
    """The open prose block, or a new one, made to end at ``end``."""
    if current is None:
        return [start, end]
    current[1] = end
    return current


def _plain_line(body: str) -> bool:
    """A line of prose with no markup at all (no fence, heading, list, quote, table, HTML, code, link,
    URL or emphasis): :func:`mask` keeps it as it is."""
    return (_PLAIN_LINE.fullmatch(body) is not None and not _MARKUP_START.match(body)
            and "http" not in body and "www." not in body and not body.lstrip(" \t").startswith("???"))


@lru_cache(maxsize=512)
def mask(text: str) -> Masked:
    """Blank out what is not prose and cut the rest into blocks (see the module docstring)."""
    if _PLAIN_LINE.fullmatch(text) and not _MARKUP_START.match(text) and "http" not in text and "www." not in text:
        return Masked(text, text, (Block("prose", 0, len(text)),))  # one line of plain prose: most YAML values
    chars = list(text)
    blocks: list[Block] = []
    labels: list[tuple[int, int]] = []
    fence: str | None = None
    current: list[int] | None = None  # [start, end] of the open prose block
    offset = 0

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(Block("prose", current[0], current[1]))
            current = None

    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start, end = offset, offset + len(body)
        offset += len(line)
        if not body:  # an empty line: it ends a paragraph (in a fence too), nothing to blank
            close()
            continue
        if fence is None and _plain_line(body):  # most lines of a paragraph: nothing to blank
            current = _extend(current, start, end)
            continue
        fm = _FENCE.match(body)
        if fence is not None or fm:
            _blank(chars, start, end)
            if fm and (fence is None or fm.group(1).startswith(fence)):
                fence = None if fence is not None else fm.group(1)[:3]
            close()
            continue
        if not body.strip() or _ADMONITION.match(body) or _HTML_LINE.match(body):
            _blank(chars, start, end)  # (a blank line: only white space blanked)
            close()
            continue
        hm = _HEADING.match(body)
        if hm:
            close()
            _blank(chars, start, start + hm.end())
            _mask_inline(chars, body, start, labels)
            blocks.append(Block("heading", start, end, len(hm.group(1))))
            continue
        if _TABLE.match(body):
            close()
            _table_row(chars, body, start, labels, blocks)
            continue
        inner = quoted.end() if (quoted := _QUOTE.match(body)) else 0
        if quoted:
            _blank(chars, start, start + inner)
        lm = _LIST.match(body[inner:])
        if lm:
            close()
            _blank(chars, start + inner, start + inner + lm.end())
        _mask_inline(chars, body, start, labels)
        current = _extend(current, start, end)
    close()
    return _finish(text, chars, blocks, labels)


def _table_row(chars: list[str], body: str, start: int, labels: list[tuple[int, int]], blocks: list[Block]) -> None:
    """A table row: its pipes blanked, a block of its own; a separator row blanked whole."""
    end = start + len(body)
    if re.fullmatch(r"[\s|:\-]*", body):
        _blank(chars, start, end)
        return
    for i in range(start, end):
        if chars[i] == "|":
            chars[i] = " "
    _mask_inline(chars, body, start, labels)
    blocks.append(Block("table", start, end))


def _finish(text: str, chars: list[str], blocks: list[Block], labels: list[tuple[int, int]]) -> Masked:
    """Labels found, link brackets and emphasis markers blanked, bold-only paragraphs made headings."""
    masked = "".join(chars)
    for b in blocks:
        _find_labels(masked, b, labels)
    for marker in "[]*_":  # brackets of links; emphasis markers (str.replace: C speed, unlike translate)
        if marker in masked:
            masked = masked.replace(marker, " ")
    # A paragraph that is only bold text ("**Para el técnico**") stands as a heading.
    out = []
    for b in sorted(blocks, key=lambda b: b.start):
        if b.kind == "prose" and "\n" not in text[b.start:b.end] and _EMPHASIS_ONLY.match(text[b.start:b.end]):
            out.append(Block("heading", b.start, b.end, 7))
        else:
            out.append(b)
    return Masked(text, masked, tuple(out), tuple(sorted(labels)))


# --- positions ---------------------------------------------------------------------------------

Pos = tuple[int, int]


class Locator:
    """Maps an offset in a text to its 1-based ``(line, col)`` in the file."""

    def at(self, offset: int) -> Pos:  # pragma: no cover - overridden
        raise NotImplementedError


class BodyLocator(Locator):
    """A text that is a contiguous part of the file starting at column 1 of ``first_line``."""

    def __init__(self, text: str, first_line: int) -> None:
        self.first_line = first_line
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def at(self, offset: int) -> Pos:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.first_line + i, offset - self.starts[i] + 1


class ValueLocator(Locator):
    """A YAML value: its words are matched, in order, with the raw words of the file from ``start``.

    ``raw`` is the file's lines (or None when they are not at hand: every offset then maps to
    ``start``). An escape in a double-quoted string glues a letter to the next word (``\\tlos``):
    the raw word then only has to end with the value's word. The alignment stops at the first
    word that still differs; later offsets map from the last aligned word. It is made on the
    first call of :meth:`at`: most values have no finding.
    """

    def __init__(self, value: str, raw_lines: Sequence[str] | None, start: Pos) -> None:
        self.value, self.raw_lines, self.start = value, raw_lines, start
        self._aligned: tuple[list[int], list[int], list[Pos]] | None = None

    def _align(self) -> tuple[list[int], list[int], list[Pos]]:
        starts: list[int] = []  # offset of each aligned word in the value
        ends: list[int] = []
        raw_pos: list[Pos] = []
        lines = self.raw_lines
        if lines is None or not (1 <= self.start[0] <= len(lines)):
            return starts, ends, raw_pos
        line_no, col0 = self.start
        skip = col0 - 1
        first = lines[line_no - 1]
        if first[skip:skip + 1] in ("|", ">"):  # block scalar: the text starts on the next line
            line_no, skip = line_no + 1, 0
        elif first[skip:skip + 1] in ("'", '"'):
            skip += 1
        for tok in _WORD.finditer(self.value):
            raw = self._next_raw(lines, line_no, skip)
            if raw is None or not raw[2].endswith(tok.group()):
                break
            line_no, col, word = raw
            starts.append(tok.start())
            ends.append(tok.end())
            raw_pos.append((line_no, col + 1 + len(word) - len(tok.group())))  # '\tlos' in a quoted value: 'los'
            skip = col + len(word)
        return starts, ends, raw_pos

    @staticmethod
    def _next_raw(lines: Sequence[str], line_no: int, skip: int) -> tuple[int, int, str] | None:
        while line_no <= len(lines):
            m = _WORD.search(lines[line_no - 1], skip)
            if m is not None:
                return line_no, m.start(), m.group()
            line_no, skip = line_no + 1, 0
        return None

    def at(self, offset: int) -> Pos:
        if self._aligned is None:
            self._aligned = self._align()
        starts, ends, raw_pos = self._aligned
        if not starts:
            return self.start
        i = max(bisect.bisect_right(starts, offset) - 1, 0)
        if offset >= ends[i] and i + 1 < len(starts):
            i += 1  # between two words: step back from the next one ('¿Qué', '«Sin', '(el')
        line, col = raw_pos[i]
        delta = offset - starts[i]
        return (line, col + delta) if col + delta >= 1 else (line, col)


def words_in(text: str) -> int:
    """How many words (runs of letters or digits) a masked text holds."""
    return len(_WORD.findall(text))
