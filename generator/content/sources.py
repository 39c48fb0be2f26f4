"""Read stage: find content files, split front matter, load YAML with positions.

Produces :class:`ArticleSource` and :class:`ProtocolSource` values: raw data plus
positions and the Markdown body. Nothing here knows the content model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.content.files import inside, walk
from generator.content.parallel import fork_chunks
from generator.content.yamlsafe import MAX_BYTES, Located, load
from generator.diagnostics import ContentError, Diagnostic

KB_DIR = "kb"
PROTOCOLS_DIR = "protocols"

_FENCE = re.compile(r"^(```|~~~)")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]")  # C0 but tab, LF, FF, CR; lone surrogates
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int  # 1-based line in the file


@dataclass(frozen=True)
class ArticleSource:
    path: str  # relative to the content root, posix
    area: str
    located: Located
    body: str
    body_line: int  # file line of the body's first line
    headings: tuple[Heading, ...]
    digest: str


@dataclass(frozen=True)
class ProtocolSource:
    path: str
    located: Located
    digest: str


@dataclass
class ReadResult:
    articles: list[ArticleSource] = field(default_factory=list)
    protocols: list[ProtocolSource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    undecoded: int = 0  # the first diagnostics: files that are not UTF-8 text or too large


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def path_parts(path: str) -> tuple[str, ...]:
    """``PurePosixPath(path).parts``, without building a path object for the usual relative path."""
    parts = path.split("/")
    if "" in parts or "." in parts:  # a leading, doubled or trailing '/', or a '.': the path object decides
        return PurePosixPath(path).parts
    return tuple(parts)


# Line breaks other than "\n" that str.splitlines also cuts at: with none of them, lines are "\n"-separated.
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_FENCE_OR_HEADING = re.compile(r"^(?:```|~~~|#).*", re.MULTILINE)


def markdown_headings(body: str, first_line: int) -> tuple[Heading, ...]:
    """ATX headings outside fenced code, with their file line numbers."""
    out: list[Heading] = []
    fence: str | None = None
    for line, text in _heading_candidates(body, first_line):
        m = _FENCE.match(text)
        if m:
            fence = None if fence == m.group(1) else (fence or m.group(1))
            continue
        if fence:
            continue
        h = _HEADING.match(text)
        if h:
            out.append(Heading(len(h.group(1)), h.group(2).strip(), line))
    return tuple(out)


def _heading_candidates(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(file line number, text) of the lines that may be a fence or a heading: when the lines end with
    "\n" only, just those starting with a fence or a '#', found by one search, each line's number counted
    from the previous one; otherwise every line of ``str.splitlines``."""
    if _OTHER_BREAKS.search(body) is not None:
        yield from enumerate(body.splitlines(), start=first_line)
        return
    line, at = first_line, 0
    for candidate in _FENCE_OR_HEADING.finditer(body):
        line += body.count("\n", at, candidate.start())
        at = candidate.start()
        yield line, candidate.group()


_CLOSING = re.compile(r"^(?:---|\.\.\.)$", re.MULTILINE)


def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, body's first file line). Raises ContentError."""
    if text.startswith("---\n") and _OTHER_BREAKS.search(text) is None:  # "\n" line ends only: found in C
        closing = _CLOSING.search(text, 4)
        if closing is not None:
            at = closing.start()
            return text[4:at], text[at + 4:], text.count("\n", 0, at) + 2
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise ContentError([Diagnostic(path, 1, 1, "front matter",
                                       "expected the file to start with a '---' line opening the YAML "
                                       f"front matter, found {lines[0].rstrip()[:40]!r}"
                                       if lines else "expected YAML front matter, found an empty file")])
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1:]), i + 2
    raise ContentError([Diagnostic(path, 1, 1, "front matter",
                                   "expected a closing '---' line after the front matter, found none")])


def _check_size(size: int, path: str) -> None:
    if size > MAX_BYTES:
        raise ContentError([Diagnostic(path, 1, 1, "file",
                                       f"expected at most {MAX_BYTES:,} bytes, found {size:,} bytes")])


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text (a BOM dropped), or a ContentError at the first byte that is not, with its line and column."""
    _check_size(len(raw), path)
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a BOM; offsets below are then offsets in raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        # Columns count characters, as editors do: the bytes before the bad one are valid UTF-8.
        col = len(before[line_start:].decode("utf-8")) + 1
        raise ContentError([Diagnostic(path, line, col, "file",
                                       f"expected UTF-8 text, found the byte 0x{raw[exc.start]:02x}")]) from None
    return text


def read_article(text: str, path: str) -> ArticleSource:
    parts = path_parts(path)
    area = parts[1] if len(parts) > 2 else ""
    fm, body, body_line = split_front_matter(text, path)
    located = load(fm, path, line_offset=1)
    bad = _CONTROL.search(body)
    if bad is not None:  # a NUL would reach the HTML; none of these is text anyone meant to write
        line = body_line + body.count("\n", 0, bad.start())
        col = bad.start() - (body.rfind("\n", 0, bad.start()) + 1) + 1
        what = "a lone surrogate" if bad.group() >= "\ud800" else "the control character"
        raise ContentError([Diagnostic(path, line, col, "body", f"expected text, found {what} "
                                       f"U+{ord(bad.group()):04X}")])
    return ArticleSource(path, area, located, body, body_line, markdown_headings(body, body_line), _digest(text))


def read_protocol(text: str, path: str) -> ProtocolSource:
    return ProtocolSource(path, load(text, path), _digest(text))


def discover(root: Path) -> list[str]:
    """Content files under ``root``, as sorted posix paths relative to it (links leaving it left out)."""
    return discover_checked(root)[0]


def discover_checked(root: Path) -> tuple[list[str], list[Diagnostic]]:
    """Content files under ``root`` and an error for every symbolic link under kb/ or protocols/ that
    leaves the repository (whatever the file type: MkDocs would publish any of them)."""
    kb, protocols = walk(root, KB_DIR), walk(root, PROTOCOLS_DIR)
    found = [p for p in kb.files if p.endswith(".md")]
    found += [p for p in protocols.files if p.endswith((".yml", ".yaml"))]
    return sorted(found), kb.problems + protocols.problems


def is_article_path(path: str) -> bool:
    parts = path_parts(path)
    return parts[0] == KB_DIR and path.endswith(".md") and parts[-1] != "index.md"


def read_texts(texts: Mapping[str, str] | Iterable[tuple[str, str]]) -> ReadResult:
    """Read already-loaded file texts (path -> text). Used by tests and the mutation harness."""
    items = texts.items() if isinstance(texts, Mapping) else texts
    result = ReadResult()
    for path, text in items:
        result.files += 1
        try:
            _check_size(len(text.encode("utf-8", "surrogatepass")), path)  # the whole file, body and all
            if path.startswith(PROTOCOLS_DIR + "/"):
                result.protocols.append(read_protocol(text, path))
            elif is_article_path(path):
                result.articles.append(read_article(text, path))
        except ContentError as exc:
            result.diagnostics.extend(exc.diagnostics)
    return result


def content_paths(root: Path) -> tuple[list[str], list[Diagnostic]]:
    """The files :func:`read_tree` reads (sorted, index pages of kb/ left out), and an error for
    every symbolic link that leaves the repository (:func:`discover_checked`)."""
    found, problems = discover_checked(root)
    return [rel for rel in found if not (rel.startswith(KB_DIR + "/") and not is_article_path(rel))], problems


def with_problems(read: ReadResult, problems: list[Diagnostic]) -> ReadResult:
    """``read`` with file-level ``problems`` (links leaving the repository) first, each a file."""
    read.files += len(problems)
    read.diagnostics[:0] = problems
    read.undecoded += len(problems)
    return read


def read_tree(root: Path) -> ReadResult:
    """Read every content file under ``root``; problems are collected, never raised.

    Large trees are read and parsed across the cores (:mod:`generator.content.parallel`): each
    process reads a contiguous run of the sorted paths, and the runs are joined in order, so the
    result is the same as reading in one process."""
    def work(chunk: Sequence[str]) -> ReadResult:
        return read_files(root, chunk)

    paths, problems = content_paths(root)
    return with_problems(join_reads(fork_chunks(work, paths)), problems)


def read_files(root: Path, rels: Iterable[str]) -> ReadResult:
    """Read the files at ``rels`` (under ``root``); files that cannot be decoded come first among
    the diagnostics."""
    texts: list[tuple[str, str]] = []
    problems: list[Diagnostic] = []
    for rel in rels:
        try:
            texts.append((rel, decode((root / rel).read_bytes(), rel)))
        except ContentError as exc:
            problems.extend(exc.diagnostics)
    result = read_texts(texts)
    result.files += len(problems)
    result.diagnostics[:0] = problems
    result.undecoded = len(problems)
    return result


def join_reads(parts: Iterable[ReadResult]) -> ReadResult:
    """Consecutive runs of :func:`read_files` as one: what one run over all their files gives."""
    result = ReadResult()
    parts = list(parts)
    for part in parts:  # every run's undecodable files first, as one run lists them
        result.diagnostics += part.diagnostics[:part.undecoded]
    for part in parts:
        result.articles += part.articles
        result.protocols += part.protocols
        result.diagnostics += part.diagnostics[part.undecoded:]
        result.files += part.files
    result.undecoded = sum(part.undecoded for part in parts)
    return result


def reread(previous: ReadResult, root: Path, paths: Iterable[str]) -> ReadResult:
    """``previous`` with the files at ``paths`` read again (or dropped, when gone): the live
    preview re-reads what an edit touched instead of the whole tree."""
    paths = set(paths)
    before = {s.path for s in previous.articles} | {s.path for s in previous.protocols} | {
        d.path for d in previous.diagnostics}
    texts: list[tuple[str, str]] = []
    problems: list[Diagnostic] = []
    for rel in sorted(paths):
        file = root / rel
        if not file.is_file() or (rel.startswith(KB_DIR + "/") and not is_article_path(rel)):
            continue
        outside = inside(root, rel)
        if outside is not None:
            problems.append(outside)
            continue
        try:
            texts.append((rel, decode(file.read_bytes(), rel)))
        except ContentError as exc:
            problems.extend(exc.diagnostics)
    fresh = read_texts(texts)
    now = {rel for rel, _ in texts} | {d.path for d in problems}
    return ReadResult(
        articles=[s for s in previous.articles if s.path not in paths] + fresh.articles,
        protocols=[s for s in previous.protocols if s.path not in paths] + fresh.protocols,
        diagnostics=[d for d in previous.diagnostics if d.path not in paths] + problems + fresh.diagnostics,
        files=previous.files - len(before & paths) + len(now),
    )
