"""Hardened YAML loading with a position for every key and value.

PyYAML's loaders are unsafe for content written by many hands:

* ``safe_load`` expands anchors and aliases (an alias bomb of a few hundred bytes
  becomes gigabytes), keeps the last of duplicate keys silently, and resolves YAML
  1.1 scalars (``NO``/``on`` become booleans, ``0777`` octal, ``12:30`` sexagesimal,
  ``1.10`` a float equal to ``1.1``);
* the C loader recurses on nesting and crashes the interpreter around 25,000 levels.

So we never let PyYAML construct anything. We read the *event stream* of the pure
Python parser (iterative: no recursion, no C) and compose values ourselves, one event
at a time, with an explicit stack:

* anchors, aliases and explicit tags (``!!python/object``, ``!foo``...) are rejected
  on the first such event, before anything is built;
* nesting deeper than :data:`MAX_DEPTH` is rejected when the parser reaches it, so a
  100,000-deep file costs 65 events;
* files over :data:`MAX_BYTES` are rejected before parsing;
* duplicate keys are errors naming both lines;
* plain scalars resolve to exactly four kinds: ``true``/``false`` -> bool,
  ``null``/``~``/empty -> None, plain decimal integers -> int, anything else -> str.
  Quoted scalars are always str.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev
from yaml.reader import ReaderError

from generator.diagnostics import ContentError, Diagnostic

MAX_BYTES = 1024 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]
Pos = tuple[int, int]  # 1-based line and column


@dataclass
class Located:
    """A loaded YAML document and where each of its parts stands in the file."""

    data: Any
    values: dict[PathKey, Pos] = field(default_factory=dict)
    keys: dict[PathKey, Pos] = field(default_factory=dict)

    def pos(self, path: PathKey) -> Pos:
        """Position of the value at ``path``, or of its closest located ancestor."""
        path = tuple(path)
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def key_pos(self, path: PathKey) -> Pos:
        """Position of the key that introduces ``path`` (falls back to the value)."""
        return self.keys.get(tuple(path)) or self.pos(path)


def key_name(path: PathKey) -> str:
    """``('steps', 2, 'options', 0, 'next')`` -> ``steps[2].options[0].next``."""
    if len(path) > 8:  # very deep nesting: keep the message readable
        return f"{key_name(path[:3])}...({len(path)} levels)"
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


_INT_CHARS = frozenset("0123456789")


def resolve_plain(value: str) -> Any:
    """Resolve a plain (unquoted) scalar. Only four outcomes, no YAML 1.1 surprises."""
    if value in ("", "~", "null"):
        return None
    if value == "true":
        return True
    if value == "false":
        return False
    digits = value[1:] if value[:1] in ("-", "+") else value
    if digits and set(digits) <= _INT_CHARS and (digits == "0" or digits[0] != "0") and len(digits) < 19:
        return int(value)
    return value


def _shown_tag(tag: str) -> str:
    """A tag as the author wrote it: ``tag:yaml.org,2002:python/object`` -> ``!!python/object``."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix):] if tag.startswith(prefix) else tag


def _describe_event(event: ev.Event) -> str:
    if isinstance(event, ev.ScalarEvent):
        return f"'{event.value}'"
    return {
        ev.MappingStartEvent: "a mapping",
        ev.SequenceStartEvent: "a list",
        ev.AliasEvent: "an alias",
    }.get(type(event), "something else")


_SCALAR, _MAPPING_START, _MAPPING_END = ev.ScalarEvent, ev.MappingStartEvent, ev.MappingEndEvent
_SEQUENCE_END = ev.SequenceEndEvent
_STARTS = frozenset({ev.MappingStartEvent, ev.SequenceStartEvent})


class _Frame:
    __slots__ = ("container", "key", "key_pos", "path", "seen")

    def __init__(self, container: dict[str, Any] | list[Any], path: PathKey) -> None:
        self.container = container
        self.path = path
        self.key: str | None = None  # pending mapping key
        self.key_pos: Pos = (1, 1)
        self.seen: dict[str, int] = {}


_CParser: Any
try:  # libyaml's event parser: iterative C, about 12x faster. (Its *composer* recurses; we never use it.)
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None


def _events(text: str, fast: bool) -> Iterator[ev.Event]:
    """The event stream of ``text``: from libyaml when ``fast``, else from the pure-Python parser,
    whose error messages the diagnostics use. Both yield the same events and positions."""
    if fast and _CParser is not None:
        parser = _CParser(text)
        while parser.check_event():
            yield parser.get_event()
        return
    loader = yaml.SafeLoader(text)
    try:
        while loader.check_event():
            yield loader.get_event()  # type: ignore[no-untyped-call]
    finally:
        loader.dispose()


def load(text: str, path: str, *, line_offset: int = 0) -> Located:
    """Load one YAML document from ``text``; ``path`` is only used in messages.

    ``line_offset`` shifts reported lines (front matter starts after its ``---``).
    Raises :class:`ContentError` with every problem found. Events come from libyaml; when it
    finds a syntax error, the pure-Python parser reads the text again to report it.
    """
    try:
        return _load(text, path, line_offset, fast=True)
    except _SyntaxFallback:
        return _load(text, path, line_offset, fast=False)


class _SyntaxFallback(Exception):
    """libyaml rejected the text: read it again with the pure-Python parser for the message."""


def _check_text(text: str, path: str, line_offset: int) -> None:
    """Too large, or a lone surrogate (in-memory texts may hold one): a ContentError before parsing."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise ContentError(
            [Diagnostic(path, 1, 1, "file", f"expected at most {MAX_BYTES:,} bytes, found {size:,} bytes")]
        )
    lone = _SURROGATE.search(text)
    if lone is not None:
        line = text.count("\n", 0, lone.start()) + 1
        col = lone.start() - text.rfind("\n", 0, lone.start())
        raise ContentError([Diagnostic(path, line + line_offset, col, "file", "expected UTF-8 text, found a lone "
                                       f"surrogate U+{ord(lone.group()):04X}")])


def _load(text: str, path: str, line_offset: int, *, fast: bool) -> Located:
    _check_text(text, path, line_offset)
    builder = _Builder(path, line_offset)
    try:
        if fast and _CParser is not None:
            builder.add_all(_CParser(text))
        else:
            for event in _events(text, fast):
                builder.add(event)
    except yaml.YAMLError as exc:
        if fast:
            raise _SyntaxFallback from None
        raise ContentError([*builder.problems, _syntax_diagnostic(exc, text, path, line_offset)]) from None
    if builder.problems:
        raise ContentError(builder.problems)
    return builder.located


class _Builder:
    """Builds values from the parser's events with an explicit stack, keeping every position."""

    def __init__(self, path: str, line_offset: int) -> None:
        self.path = path
        self.line_offset = line_offset
        self.located = Located(data=None)
        self.problems: list[Diagnostic] = []
        self.stack: list[_Frame] = []
        self.documents = 0

    def here(self, mark: Any) -> Pos:
        return (mark.line + 1 + self.line_offset, mark.column + 1)

    def fail(self, mark: Any, key: PathKey, message: str) -> ContentError:
        line, col = self.here(mark)
        return ContentError([*self.problems, Diagnostic(self.path, line, col, key_name(key) or "document", message)])

    def add(self, event: Any) -> None:
        if isinstance(event, ev.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail(event.start_mark, (), "expected one YAML document, found a second one")
            return
        if isinstance(event, (ev.StreamStartEvent, ev.StreamEndEvent, ev.DocumentEndEvent)):
            return
        parent = self.stack[-1] if self.stack else None
        # Where this event goes: its path, and for mapping values the key.
        if parent is None:
            cur_path: PathKey = ()
        elif isinstance(parent.container, list):
            cur_path = (*parent.path, len(parent.container))
        elif parent.key is None:
            cur_path = parent.path  # this event is a key
        else:
            cur_path = (*parent.path, parent.key)
        self._refuse(event, cur_path)
        if isinstance(event, ev.MappingEndEvent | ev.SequenceEndEvent):
            self.stack.pop()
        elif parent is not None and isinstance(parent.container, dict) and parent.key is None:
            self._key(event, parent)
        else:
            self._value(event, parent, cur_path)

    def add_all(self, parser: Any) -> None:
        """:meth:`add` every event of libyaml's ``parser``: the usual events (plain nodes inside a
        container, ends of containers) on a short path, every other one through :meth:`add`."""
        stack, values, add, off = self.stack, self.located.values, self.add, self.line_offset + 1
        get = parser.get_event
        while (event := get()) is not None:
            cls = event.__class__
            if cls is _MAPPING_END or cls is _SEQUENCE_END:
                stack.pop()
                continue
            if not stack or (cls is not _SCALAR and (cls not in _STARTS or len(stack) >= MAX_DEPTH)) \
                    or event.anchor is not None or event.tag is not None:
                add(event)  # stream and document events, the root, refusals, too deep
                continue
            parent = stack[-1]
            container = parent.container
            if container.__class__ is list:
                path: PathKey = (*parent.path, len(container))
            elif parent.key is None:
                if cls is not _SCALAR or event.value in parent.seen:
                    add(event)  # a key that is not plain text, or a duplicate: the error
                    continue
                mark = event.start_mark
                key, kpos = event.value, (mark.line + off, mark.column + 1)
                parent.seen[key] = kpos[0]
                parent.key, parent.key_pos = key, kpos
                self.located.keys[(*parent.path, key)] = kpos
                continue
            else:
                path = (*parent.path, parent.key)
            if cls is _SCALAR:
                value: Any = event.value if event.style else resolve_plain(event.value)
            else:
                value = {} if cls is _MAPPING_START else []
            if path not in values:
                mark = event.start_mark
                values[path] = (mark.line + off, mark.column + 1)
            if isinstance(container, list):
                container.append(value)
            else:
                key = parent.key
                if key is not None and key != "\x00dup":
                    container[key] = value
                parent.key = None
            if cls is not _SCALAR:
                stack.append(_Frame(value, path))

    def _refuse(self, event: Any, cur_path: PathKey) -> None:
        """Aliases, anchors and tags: an error at the first event that carries one."""
        if isinstance(event, ev.AliasEvent):
            raise self.fail(event.start_mark, cur_path, f"expected plain values, found an alias "
                            f"(*{event.anchor}); anchors and aliases are not allowed")
        if isinstance(event, ev.NodeEvent) and event.anchor is not None:
            raise self.fail(event.start_mark, cur_path, f"expected plain values, found an anchor "
                            f"(&{event.anchor}); anchors and aliases are not allowed")
        if isinstance(event, (ev.ScalarEvent, ev.CollectionStartEvent)) and event.tag is not None:
            raise self.fail(event.start_mark, cur_path, f"expected an untagged value, found the tag "
                            f"'{_shown_tag(event.tag)}'; YAML tags are not allowed")

    def _key(self, event: Any, parent: _Frame) -> None:
        if not isinstance(event, ev.ScalarEvent):
            raise self.fail(event.start_mark, parent.path,
                            f"expected a plain key, found {_describe_event(event)} used as a key")
        key = event.value
        kpos = self.here(event.start_mark)
        key_path = (*parent.path, key)
        if key in parent.seen:
            self.problems.append(Diagnostic(
                self.path, kpos[0], kpos[1], key_name(key_path),
                f"expected each key once, found '{key}' again (first on line {parent.seen[key]})"))
            parent.key = "\x00dup"  # value is parsed and dropped
        else:
            parent.seen[key] = kpos[0]
            parent.key = key
            self.located.keys[key_path] = kpos
        parent.key_pos = kpos

    def _value(self, event: Any, parent: _Frame | None, cur_path: PathKey) -> None:
        value: Any
        if isinstance(event, ev.ScalarEvent):
            plain = event.style is None or event.style == ""  # libyaml says "", PyYAML None
            value = resolve_plain(event.value) if plain else event.value
        elif isinstance(event, ev.MappingStartEvent):
            value = {}
        elif isinstance(event, ev.SequenceStartEvent):
            value = []
        else:  # pragma: no cover - the parser yields nothing else here
            return
        if isinstance(value, dict | list) and len(self.stack) >= MAX_DEPTH:
            raise self.fail(event.start_mark, cur_path,
                            f"expected at most {MAX_DEPTH} levels of nesting, found deeper nesting")
        self.located.values.setdefault(cur_path, self.here(event.start_mark))
        if parent is None:
            self.located.data = value
        elif isinstance(parent.container, list):
            parent.container.append(value)
        else:
            assert parent.key is not None
            if parent.key != "\x00dup":
                parent.container[parent.key] = value
            parent.key = None
        if isinstance(value, dict | list):
            self.stack.append(_Frame(value, cur_path))


def _syntax_diagnostic(exc: yaml.YAMLError, text: str, path: str, line_offset: int) -> Diagnostic:
    """The pure-Python parser's error, as a diagnostic at its position."""
    if isinstance(exc, ReaderError):  # control characters and other unprintable text
        at = exc.position if isinstance(exc.position, int) else 0
        line = text.count("\n", 0, at) + 1 + line_offset
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Diagnostic(path, line, col, "yaml", f"expected printable text, found the control character "
                          f"U+{ord(char):04X}")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1 + line_offset, mark.column + 1) if mark is not None else (1, 1)
        what = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        started = exc.context_mark
        if exc.context and started is not None and mark is not None and started.line != mark.line:
            context = f" ({exc.context} started on line {started.line + 1 + line_offset})"
        return Diagnostic(path, line, col, "yaml", f"expected valid YAML, found a syntax error: {what}{context}")
    return Diagnostic(path, 1, 1, "yaml", f"expected valid YAML, found {exc}")  # pragma: no cover
