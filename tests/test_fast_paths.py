"""The short paths taken for speed (issue 18: `kb validate` cold at 10,000 files) give exactly what
the general paths beside them give, on generated texts that mix the usual and the unusual.

* the YAML loader: libyaml's events on the short path (``_Builder.add_all``) against every event
  through the checked path (``_Builder.add``, the pure-Python parser's events);
* the front matter and headings of a text whose lines end with "\\n" only, found by searching,
  against the loop over ``str.splitlines`` (which also cuts at "\\r", "\\x0c", "\\u2028"…);
* the word lists: a phrase tried only on text holding every word of one of its readings, against
  the phrase tried everywhere.
"""

from __future__ import annotations

import random
import re

import pytest
import yaml

from generator.content import sources, yamlsafe
from generator.diagnostics import ContentError
from generator.lint.lists import PhraseSet, needed_words, phrase_set

YAML_PIECES = ["a: ", "b: ", "a:", "- ", "  ", "\n", "x", "'q'", '"d"', "[1, 2]", "{k: v}", "&an ", "*an", "!!str ",
               "!t ", "? ", "true", "007", "-3", "~", "null", "a: b: c", "|\n  lit\n", ">\n  f\n", "---\n", "...\n",
               "#c\n", "  - ", "[", "{", "}", "]", ",", "{a: 1, a: 2}", "k:\n  - 1\n  - {x: y}\n", "ñandú: sí\n"]


def _loaded(text: str, short: bool) -> object:
    """libyaml's events through the short path, or each one through the checked path."""
    builder = yamlsafe._Builder("p.yml", 1)
    try:
        if short:
            builder.add_all(yamlsafe._CParser(text))
        else:
            for event in yamlsafe._events(text, True):
                builder.add(event)
    except ContentError as exc:
        return [d.format() for d in exc.diagnostics]
    except yaml.YAMLError:
        return "syntax error"
    located = builder.located
    return builder.problems, located.data, located.values, located.keys


def test_the_short_path_of_the_yaml_loader_gives_what_the_checked_path_gives() -> None:
    rnd = random.Random(18)
    texts = ["".join(rnd.choice(YAML_PIECES) for _ in range(rnd.randint(0, 14))) for _ in range(4000)]
    texts += ["a:\n" + "".join("  " * i + "- \n" for i in range(70)), "[" * 100 + "]" * 100,
              "id: x\nsteps:\n  - id: a\n    say: {basic: hola}\n    options:\n      - {label: Sí, next: b}\n"]
    outcomes = [_loaded(text, True) for text in texts]
    assert outcomes == [_loaded(text, False) for text in texts]
    assert sum(isinstance(o, tuple) for o in outcomes) > 500 and sum(isinstance(o, list) for o in outcomes) > 100


MD_PIECES = ["---", "...", "\n", "\r\n", "```", "~~~", "# H", "## T ##", "#nope", "texto", " ", "\u2028", "\x0c",
             "---\n", "\n---\n", "#", "~~~~", "```py", "id: a\n"]


def _split(text: str) -> object:
    try:
        return sources.split_front_matter(text, "a.md")
    except ContentError as exc:
        return [d.format() for d in exc.diagnostics]


def _split_by_lines(text: str) -> object:
    """The loop over str.splitlines, as split_front_matter takes it for other line ends."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        return "no opening"
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1:]), i + 2
    return "no closing"


def _headings_by_lines(body: str, first_line: int) -> list[tuple[int, str, int]]:
    out, fence = [], None
    for offset, line in enumerate(body.splitlines()):
        m = re.match(r"^(```|~~~)", line)
        if m:
            fence = None if fence == m.group(1) else (fence or m.group(1))
            continue
        h = None if fence else re.match(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", line)
        if h:
            out.append((len(h.group(1)), h.group(2).strip(), first_line + offset))
    return out


def test_front_matter_and_headings_found_by_searching_equal_the_loop_over_lines() -> None:
    rnd = random.Random(18)
    texts = ["".join(rnd.choice(MD_PIECES) for _ in range(rnd.randint(0, 12))) for _ in range(6000)]
    texts += ["---\nid: a\n---\n# Uno\n```\n# no\n```\n## Dos ##\n", "---\nid: a\n---", "---\r\nid: a\r\n---\r\n"]
    for text in texts:
        split = _split(text)
        expected = _split_by_lines(text)
        if isinstance(expected, tuple):
            assert split == expected, text
        else:
            assert isinstance(split, list), text
        found = [(h.level, h.text, h.line) for h in sources.markdown_headings(text, 3)]
        assert found == _headings_by_lines(text, 3), text


@pytest.mark.parametrize(("phrase", "readings"), [
    ("{no hizo caso|no ha hecho caso}", [{"no", "hizo", "caso"}, {"no", "ha", "hecho", "caso"}]),
    ("es {obvio|de cajón}", [{"es", "obvio"}, {"es", "de", "cajon"}]),
    ("{debería|tenía que} haber *{ado|ido}", [{"deberia", "haber"}] * 2 + [{"tenia", "que", "haber"}] * 2),
    ("Wi-Fi", [{"wi", "fi"}]),
])
def test_a_phrase_needs_every_word_of_one_of_its_readings(phrase: str, readings: list[set[str]]) -> None:
    assert [set(r) for r in needed_words(phrase) or ()] == readings


def test_phrases_tried_only_where_their_words_are_find_what_trying_everywhere_finds() -> None:
    phrases = (("no hizo caso", False), ("{no hizo caso|no ha hecho caso}", False), ("usted {ha|había} roto", False),
               ("es {obvio|evidente}", False), ("IP", True), ("*{ado|ido} usted", False),
               ("{su culpa|culpa suya}", False))
    filtered = phrase_set(phrases)
    everywhere = PhraseSet(filtered.patterns, filtered.by_first, filtered.always, filtered.required)
    rnd = random.Random(18)
    words = ["no", "hizo", "caso", "ha", "hecho", "usted", "había", "roto", "es", "obvio", "Evidente", "IP", "ip",
             "su", "culpa", "suya", "cansado", "Usted", "NO", "HIZO", "\n", ",", "."]
    for _ in range(3000):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 30)))
        cut = rnd.randint(0, len(text))
        spans = [(0, cut), (cut, len(text))]
        assert filtered.find(text, spans) == everywhere.find(text, spans), text
