"""Mutation test: one fault per edit, and the error must be reported on the edited line.

Every content file is loaded, and single-line faults are made from what the loader says
stands on each line (a key, a scalar value, a list item): a misspelt key, a duplicated key
line, an enum or date or number or id that is wrong, a reference to nothing, a text that is
a number, an alias, a tag... Each fault is attributable to exactly that line, so every
ERROR the validator reports for the mutated file must be on it, and one must say what the
operator expects. The file is validated together with a stub for each id it refers to
(the catalogue it needs), which keeps each check as cheap as parsing the one file.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from generator.content.sources import discover, read_article, read_protocol
from generator.content.yamlsafe import Located, PathKey
from generator.diagnostics import Severity
from generator.pipeline.validation import validate_texts

REPO = Path(__file__).resolve().parents[1]
TINY = Path(__file__).parent / "fixtures" / "tiny"
TODAY = date(2026, 11, 23)

ENUMS = {"audience": "tecnico", "type": "faq", "lang": "fr"}
ENUM_ITEMS = {"channels": "fax", "hide": "nav"}
DAYS = ("estimated_minutes", "review_every_days")
STEP_REFS = ("start", "next")
TEXTS = frozenset({"title", "summary", "owner", "ask", "label", "resolve", "escalate", "cause", "explain",
                   "prevent", "basic", "advanced", "do"})
TEXT_ITEMS = frozenset({"tags", "products", "symptoms", "prerequisites"})
# Replacements for a text value; one is used per line, in turn, so that all are exercised.
TEXT_FAULTS = (
    ("text-number", "42", "expected a text, found the number 42"),
    ("text-empty", '""', "expected a non-empty text, found an empty text"),
    ("text-list", "[uno, dos]", "expected a text, found a list"),
    ("text-alias", "*texto", "found an alias (*texto)"),
    ("text-tag", "!traducir Hola", "found the tag '!traducir'"),
    ("text-true", "true", "expected a text, found true"),
)
ID_PATTERN_MESSAGE = "expected an id of at most 64 lower-case letters, digits and hyphens"


@dataclass(frozen=True)
class Mutation:
    path: str
    line: int  # the edited line of the mutated text, 1-based
    operator: str
    text: str  # the whole mutated file
    expect: str  # part of the message one error on that line must carry


class FileMutator:
    """All single-line mutations of one content file, found through the loader's positions."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines(keepends=True)
        if path.startswith("protocols/"):
            self.located: Located = read_protocol(text, path).located
            self.yaml_end = len(self.lines)  # last line that holds YAML
        else:
            article = read_article(text, path)
            self.located = article.located
            self.yaml_end = article.body_line - 2
        positions = [*self.located.keys.items(), *self.located.values.items()]
        self.by_line: dict[int, list[PathKey]] = defaultdict(list)
        for key, (line, _) in positions:
            self.by_line[line].append(key)
        self.positioned = sorted(self.by_line)

    # --- what stands where ---------------------------------------------------------------------
    def value(self, key: PathKey) -> Any:
        data = self.located.data
        for part in key:
            data = data[part]
        return data

    def single_line(self, key: PathKey) -> bool:
        """The value at ``key`` is a scalar or flow collection wholly on its line, with no continuation."""
        line, col = self.located.values[key]
        if self.located.keys.get(key, (line, 0))[0] != line:
            return False  # a block value on the following lines
        if self.lines[line - 1][col - 1:col] in ("|", ">"):
            return False  # a block scalar
        for other, (other_line, _) in [*self.located.keys.items(), *self.located.values.items()]:
            if other[:len(key)] == key and other_line != line:
                return False  # a nested collection spread over lines
        later = [n for n in self.positioned if n > line]
        end = later[0] if later else self.yaml_end + 1
        return all(not s.strip() or s.lstrip().startswith("#") for s in self.lines[line:end - 1])

    def replaced(self, line: int, start: int, end: int | None, new: str) -> str:
        """The text with line ``line`` columns [start, end) replaced (end None: to the line end)."""
        old = self.lines[line - 1]
        body = old.rstrip("\r\n")
        stop = len(body) if end is None else end - 1
        lines = list(self.lines)
        lines[line - 1] = body[:start - 1] + new + body[stop:] + old[len(body):]
        return "".join(lines)

    def set_value(self, key: PathKey, new: str) -> tuple[int, str]:
        line, col = self.located.values[key]
        return line, self.replaced(line, col, None, new)

    def set_item(self, key: PathKey, new: str) -> tuple[int, str] | None:
        """Replace one list item: up to the next ',' or ']' in a flow list, to the line end in a block list."""
        line, col = self.located.values[key]
        list_line, list_col = self.located.values[key[:-1]]
        if self.lines[list_line - 1][list_col - 1] != "[":
            return line, self.replaced(line, col, None, new)
        raw = self.lines[line - 1][col - 1:]
        if raw[:1] in ("'", '"'):
            return None  # quoted items may hold commas: leave them alone
        token = re.match(r"[^,\]\r\n]*", raw)
        assert token is not None
        return line, self.replaced(line, col, col + len(token.group().rstrip()), new)

    # --- the operators -------------------------------------------------------------------------
    def mutations(self) -> Iterator[Mutation]:
        text_turn = 0
        for key, (line, col) in sorted(self.located.keys.items(), key=lambda kv: kv[1]):
            name = str(key[-1])
            prefix = self.lines[line - 1][:col - 1]
            if not self.lines[line - 1][col - 1:].startswith(name + ":"):
                continue  # a quoted or flow-mapping key
            typo = name[:len(name) // 2] + name[len(name) // 2] + name[len(name) // 2:]
            yield self.mut(line, self.replaced(line, col, col + len(name), typo), "key-typo",
                           f"found unknown key '{typo}'; did you mean '{name}'?")
            if not self.single_line(key):
                continue
            if prefix.strip(" -") == "":
                lines = list(self.lines)
                lines.insert(line, " " * (col - 1) + self.lines[line - 1][col - 1:].rstrip("\r\n") + "\n")
                yield self.mut(line + 1, "".join(lines), "key-duplicate",
                               f"expected each key once, found '{name}' again (first on line {line})")
            value = self.value(key)
            if isinstance(value, list):
                yield from self.item_mutations(key, name, value)
            if isinstance(value, dict | list) or value is None:
                continue
            if name in ENUMS:
                yield self.mut(*self.set_value(key, ENUMS[name]), "enum", "expected one of")
            elif name == "reviewed":
                yield self.mut(*self.set_value(key, "2026-02-30"), "date-invalid", "expected a date as YYYY-MM-DD")
                yield self.mut(*self.set_value(key, "2027-01-01"), "date-future", "expected a date not after today")
            elif name in DAYS:
                yield self.mut(*self.set_value(key, "quince"), "number-word", "expected a whole number, found 'quince'")
                yield self.mut(*self.set_value(key, "0"), "number-zero", "expected a number at least 1")
            elif name in ("id", *STEP_REFS, "translation_of") and isinstance(value, str):
                yield self.mut(*self.set_value(key, value.upper()), "id-upper", ID_PATTERN_MESSAGE)
                if name in STEP_REFS:
                    yield self.mut(*self.set_value(key, "paso-inexistente"), "step-dangling",
                                   "expected the id of a step of this protocol, found 'paso-inexistente'")
                elif name == "translation_of":
                    yield self.mut(*self.set_value(key, "original-inexistente"), "translation-dangling",
                                   "found 'original-inexistente'")
            elif name in TEXTS:
                op, new, expect = TEXT_FAULTS[text_turn % len(TEXT_FAULTS)]
                text_turn += 1
                yield self.mut(*self.set_value(key, new), op, expect)

    def item_mutations(self, key: PathKey, name: str, items: list[Any]) -> Iterator[Mutation]:
        for i, item in enumerate(items):
            if not isinstance(item, str):
                continue
            faults: list[tuple[str, str, str]] = []
            if name in ENUM_ITEMS:
                faults.append(("enum-item", ENUM_ITEMS[name], "expected one of"))
            elif name == "articles":
                faults += [("article-dangling", "articulo-inexistente",
                            "expected the id of an article in kb/, found 'articulo-inexistente'"),
                           ("id-upper-item", item.upper(), ID_PATTERN_MESSAGE)]
            elif name == "protocols":
                faults += [("protocol-dangling", "protocolo-inexistente",
                            "expected the id of a protocol in protocols/, found 'protocolo-inexistente'"),
                           ("id-upper-item", item.upper(), ID_PATTERN_MESSAGE)]
            elif name in TEXT_ITEMS and i == 0:
                faults.append(("text-item-number", "7", "expected a text, found the number 7"))
            for op, new, expect in faults:
                edit = self.set_item((*key, i), new)
                if edit is not None:
                    yield self.mut(*edit, op, expect)

    def mut(self, line: int, text: str, operator: str, expect: str) -> Mutation:
        assert text != self.text, (self.path, line, operator)
        return Mutation(self.path, line, operator, text, expect)


def stubs_for(path: str, text: str) -> dict[str, str]:
    """The catalogue a file needs: a minimal valid article or protocol for each id it refers to."""
    data = (read_protocol(text, path) if path.startswith("protocols/") else read_article(text, path)).located.data
    articles: set[str] = set()
    protocols: set[str] = set()
    if path.startswith("protocols/"):
        articles.update(a for step in data.get("steps", []) for a in step.get("articles", []))
        protocols.update([data["translation_of"]] if data.get("translation_of") else [])
    else:
        protocols.update(data.get("protocols", []))
        articles.update([data["translation_of"]] if data.get("translation_of") else [])
    out = {f"kb/stub/{a}.md": (f"---\nid: {a}\ntitle: Stub\ntype: guide\naudience: both\nowner: tests\n"
                               f"reviewed: 2026-11-01\n---\n## Pasos\n\n1. Nada.\n") for a in articles}
    out.update({f"protocols/{p}.yml": (f"id: {p}\ntitle: Stub\nsummary: Stub.\naudience: both\nowner: tests\n"
                                       f"reviewed: 2026-11-01\nstart: fin\nsteps:\n  - id: fin\n    title: Fin\n"
                                       f"    escalate: Nivel 2\n") for p in protocols})
    return out


def select(mutations: list[Mutation], budget: int | None) -> list[Mutation]:
    """At most ``budget`` mutations, shared among the operators, spread evenly through the file."""
    if budget is None or len(mutations) <= budget:
        return mutations
    groups: dict[str, list[Mutation]] = defaultdict(list)
    for m in mutations:
        groups[m.operator].append(m)
    quota = -(-budget // len(groups))
    chosen = []
    for group in groups.values():
        k = min(len(group), quota)
        chosen += [group[j * len(group) // k] for j in range(k)]
    return sorted(chosen, key=lambda m: (m.line, m.operator))


def verdict(m: Mutation, stubs: dict[str, str]) -> str | None:
    """None if the mutated file's errors are all on the edited line and one says what is expected."""
    diags = validate_texts({**stubs, m.path: m.text}, today=TODAY).diagnostics
    errors = [d for d in diags if d.path == m.path and d.severity is Severity.ERROR]
    if errors and all(d.line == m.line for d in errors) and any(m.expect in d.message for d in errors):
        return None
    shown = "\n    ".join(d.format() for d in errors) or "(no error)"
    edited = m.text.splitlines()[m.line - 1]
    return (f"{m.operator} at {m.path}:{m.line}: {edited.strip()!r}, expected {m.expect!r} on that line, "
            f"got:\n    {shown}")


def check(content: dict[str, str], budgets: dict[str, int | None]) -> tuple[list[Mutation], list[str]]:
    """Run the selected mutations of every file; return them and a description of each one that failed."""
    done: list[Mutation] = []
    failures: list[str] = []
    for path, text in sorted(content.items()):
        stubs = stubs_for(path, text)
        base = validate_texts({**stubs, path: text}, today=TODAY)
        assert [d for d in base.diagnostics if d.path == path and d.severity is Severity.ERROR] == [], path
        mutations = list(FileMutator(path, text).mutations())
        assert mutations, path
        for m in select(mutations, budgets["protocols" if path.startswith("protocols/") else "kb"]):
            done.append(m)
            if (failure := verdict(m, stubs)) is not None:
                failures.append(failure)
    return done, failures


def content_of(root: Path) -> dict[str, str]:
    return {rel: (root / rel).read_text(encoding="utf-8") for rel in discover(root)}


def test_mutations_of_the_tiny_fixture() -> None:
    """Every candidate mutation of the tiny repo, unsampled: the harness on a fixed input."""
    done, failures = check(content_of(TINY), {"protocols": None, "kb": None})
    assert failures == []
    counts: dict[str, int] = defaultdict(int)
    for m in done:
        counts[m.operator] += 1
    assert dict(sorted(counts.items())) == {
        "article-dangling": 2, "date-future": 4, "date-invalid": 4, "enum": 7, "enum-item": 3, "id-upper": 10,
        "id-upper-item": 3, "key-duplicate": 65, "key-typo": 71, "number-word": 2, "number-zero": 2,
        "protocol-dangling": 1, "step-dangling": 3, "text-alias": 4, "text-empty": 7, "text-item-number": 7,
        "text-list": 6, "text-number": 7, "text-tag": 4, "text-true": 3,
    }
    assert len(done) == 215


def test_the_harness_flags_errors_off_the_edited_line(tiny_texts: dict[str, str]) -> None:
    """Faults the validator cannot pin to their line must fail the check, or the check proves nothing."""
    path = "protocols/sin-conexion.yml"
    text = tiny_texts[path]
    stubs = stubs_for(path, text)
    # 'start' moved to another existing step: the errors are about other steps becoming unreachable.
    moved = text.replace("start: comprobar-cable", "start: comprobar-dns")
    assert verdict(Mutation(path, 12, "start-moved", moved, "unreachable"), stubs) == (
        "start-moved at protocols/sin-conexion.yml:12: 'start: comprobar-dns', expected 'unreachable' on that "
        "line, got:\n    protocols/sin-conexion.yml:14:9: steps[0].id: expected every step to be reachable from "
        "start 'comprobar-dns', found 'comprobar-cable' unreachable")
    # No error at all.
    same = text.replace("title: Sin conexión a Internet", "title: Sin conexión")
    assert verdict(Mutation(path, 2, "harmless", same, "expected"), stubs) == (
        "harmless at protocols/sin-conexion.yml:2: 'title: Sin conexión', expected 'expected' on that line, "
        "got:\n    (no error)")
    # An error on the right line but not the expected one.
    wrong = text.replace("audience: both", "audience: tecnico")
    assert verdict(Mutation(path, 4, "enum", wrong, "expected a date"), stubs) is not None
    assert verdict(Mutation(path, 4, "enum", wrong, "expected one of"), stubs) is None


def test_mutations_of_the_starter_content() -> None:
    """The repo's own kb/ and protocols/: at least 200 faults, each reported on its line, in < 60 s."""
    content = content_of(REPO)
    assert any(p.startswith("protocols/") for p in content) and any(p.startswith("kb/") for p in content), \
        "no starter content in kb/ and protocols/"
    start = time.perf_counter()
    done, failures = check(content, {"protocols": 160, "kb": 40})
    elapsed = time.perf_counter() - start
    assert failures == [], f"{len(failures)} of {len(done)} mutations misplaced:\n" + "\n".join(failures[:30])
    assert len(done) >= 200
    assert len({m.operator for m in done}) >= 20
    assert len({m.path for m in done}) == len(content)
    assert elapsed < 60, f"{len(done)} mutations took {elapsed:.1f} s"
