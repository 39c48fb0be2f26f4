"""`kb synonyms suggest`: synonym groups to review, from the searches that found nothing or little.

Reads the report's zero-result searches and low-click searches (found something, but the results
were rarely opened: the words the person used are not the site's) — ``kb report`` writes both to
``report.json``: ``health.zero_result_searches``, ``health.low_click_searches`` — keeps the query
words the built site does not know (not in its vocabulary, not in a synonym group, not a number)
and prints them as a synonyms file to review: one group per word, the searches it came from, and
the site's words closest in spelling as hints. Nothing is added by itself: a person completes
each group with the site's own word for it ("hoja de cálculo" → [calculo, plantilla]) and moves
it into the synonyms file in a pull request, where the search harness checks it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from generator.search.analysis import content_words, distance
from generator.search.static import StaticIndex

MAX_HINTS = 4


def zero_result_searches(report: Any) -> list[tuple[str, int]]:
    """(query, times) from a report.json, most searched first; ValueError when it has none."""
    health = report.get("health") if isinstance(report, dict) else None
    rows = health.get("zero_result_searches") if isinstance(health, dict) else None
    if not isinstance(rows, list):
        raise ValueError("expected a report.json written by kb report (health.zero_result_searches), found none")
    out = [(str(r["query"]), int(r["searches"])) for r in rows if isinstance(r, dict) and "query" in r]
    return sorted(out, key=lambda qn: (-qn[1], qn[0]))


def low_click_searches(report: Any) -> list[tuple[str, int, int]]:
    """(query, searches, clicks) from a report.json, most searched first (none in an older report)."""
    health = report.get("health") if isinstance(report, dict) else None
    rows = health.get("low_click_searches") if isinstance(health, dict) else None
    out = [(str(r["query"]), int(r["searches"]), int(r.get("clicks", 0))) for r in rows or []
           if isinstance(r, dict) and "query" in r and "searches" in r]
    return sorted(out, key=lambda row: (-row[1], row[0]))


def _hints(index: StaticIndex, word: str) -> list[str]:
    """The site's words closest in spelling (same first letter, up to 3 edits or a shared start)."""
    if word[0] not in index.meta["vocab"]:
        return []
    vocab: dict[str, int] = index._file(f"v/{word[0]}.json")
    scored = [(d, -df, w) for w, df in vocab.items() if df > 0 and (
        (d := distance(word, w, 3)) <= 3 or (len(w) >= 5 and w[:5] == word[:5]))]
    return [w for _, _, w in sorted(scored)[:MAX_HINTS]]


def _unknown(index: StaticIndex, searches: list[tuple[str, int, str]]) -> dict[str, list[tuple[str, int, str]]]:
    """Each query word the site does not know -> the searches (query, times, how it went) it came from."""
    unknown: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for query, times, how in searches:
        for word in dict.fromkeys(content_words(query)):
            if len(word) < 3 or word.isdigit() or index.synonyms.of(word):
                continue
            near = index.near(word, 0) if word[0] in index.meta["vocab"] else []
            if any(w == word for w, _, _ in near):
                continue  # the site has the word: the search failed on another one
            unknown[word].append((query, times, how))
    return unknown


def suggest(report: Any, static_dir: Path, min_searches: int = 1) -> str:
    """The synonyms file to review (YAML), from a report and a built site's static index."""
    index = StaticIndex(static_dir)
    zero = zero_result_searches(report)
    low = low_click_searches(report)
    searches = [(q, n, "") for q, n in zero] + [(q, n, f", {c} click{'s' if c != 1 else ''}") for q, n, c in low]
    unknown = _unknown(index, searches)
    total = sum(t for _, t, _ in searches)
    lines = [f"# kb synonyms suggest: {len(unknown)} words the site does not know, from {len(zero)} "
             f"zero-result and {len(low)} low-click searches ({total} searches in all).",
             "# Review each group: add the word(s) the site uses for it, delete the groups that are not",
             "# synonyms, then move them into your synonyms file (search_synonyms: in mkdocs.yml) in a",
             "# pull request. A group needs two words or more to do anything.",
             "groups:"]
    ranked = sorted(unknown.items(), key=lambda kv: (-sum(t for _, t, _ in kv[1]), kv[0]))
    for word, uses in ranked:
        n = sum(t for _, t, _ in uses)
        if n < min_searches:
            continue
        quoted = ", ".join(json.dumps(q, ensure_ascii=False) + (f" (found {t}{how})" if how else "")
                           for q, t, how in uses[:3])
        hints = _hints(index, word)
        hint = f"; the site has: {', '.join(hints)}" if hints else ""
        lines.append(f"  - [{word}]  # {n} search{'es' if n != 1 else ''}: {quoted}{hint}")
    if len(lines) == 5:
        lines[-1] = "groups: []  # every such search used words the site already knows"
    return "\n".join(lines) + "\n"


def suggest_files(report_path: Path, static_dir: Path, min_searches: int = 1) -> str:
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"--report: expected the report.json of kb report, could not read {report_path}: "
                         f"{exc}") from None
    if not (static_dir / "meta.json").is_file():
        raise ValueError(f"expected a site built with search in {static_dir.parent}, found none (run 'kb build' "
                         "or use -d)")
    return suggest(report, static_dir, min_searches)
