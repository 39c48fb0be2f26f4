"""The relevance harness: Recall@1, Recall@3 and MRR of an engine over a file of queries.

A query file (``tests/search/queries.yml``)::

    queries:
      - {q: "no me carga ninguna pagina", expected: dns-configurado-a-mano, lang: es, typo: true}
      - {q: "hay red pero no navega", expected: [sin-conexion-internet, dns-configurado-a-mano]}

A query is answered at rank k when any expected id is among the first k results, or a
translation of it (each page is shown in the query's language when it exists there).
MRR is the mean of 1/rank of the first expected id (0 when it is not in the first 10).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.diagnostics import ContentError, Diagnostic
from generator.search.results import Engine

DEPTH = 10


@dataclass(frozen=True)
class Query:
    q: str
    expected: tuple[str, ...]
    lang: str = "es"
    typo: bool = False


@dataclass(frozen=True)
class Outcome:
    query: Query
    rank: int | None  # 1-based rank of the first expected id in the first DEPTH results
    top: tuple[str, ...]


@dataclass
class Metrics:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def recall(self, k: int, subset: str = "all") -> float:
        rows = self._rows(subset)
        return sum(1 for o in rows if o.rank is not None and o.rank <= k) / len(rows) if rows else 0.0

    def mrr(self, subset: str = "all") -> float:
        rows = self._rows(subset)
        return sum(1 / o.rank for o in rows if o.rank) / len(rows) if rows else 0.0

    def _rows(self, subset: str) -> list[Outcome]:
        if subset == "typo":
            return [o for o in self.outcomes if o.query.typo]
        if subset in ("es", "en"):
            return [o for o in self.outcomes if o.query.lang == subset]
        return self.outcomes

    def misses(self, k: int = 3) -> list[Outcome]:
        return [o for o in self.outcomes if o.rank is None or o.rank > k]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "queries": len(self.outcomes), "recall@1": round(self.recall(1), 4),
                "recall@3": round(self.recall(3), 4), "mrr": round(self.mrr(), 4),
                "misses@3": [{"q": o.query.q, "expected": list(o.query.expected), "rank": o.rank,
                              "top": list(o.top[:3])} for o in self.misses(3)]}


def load_queries(path: Path) -> list[Query]:
    """Read a query file with the hardened YAML loader; every problem is reported at once."""
    from generator.content.yamlsafe import load

    doc = load(path.read_text(encoding="utf-8"), str(path))
    items = doc.data.get("queries") if isinstance(doc.data, dict) else None
    if not isinstance(items, list) or not items:
        raise ContentError([Diagnostic(str(path), 1, 1, "queries", "expected a non-empty list of queries")])
    out: list[Query] = []
    problems: list[Diagnostic] = []
    for i, item in enumerate(items):
        line, col = doc.pos(("queries", i))
        exp = item.get("expected") if isinstance(item, dict) else None
        expected = (exp,) if isinstance(exp, str) else tuple(exp) if isinstance(exp, list) else ()
        if not isinstance(item, dict) or not isinstance(item.get("q"), str) or not expected \
                or not all(isinstance(e, str) for e in expected):
            problems.append(Diagnostic(str(path), line, col, f"queries[{i}]",
                                       "expected {q: text, expected: id or [ids], lang: es|en, typo: true|false}"))
            continue
        out.append(Query(item["q"], expected, str(item.get("lang", "es")), item.get("typo") is True))
    if problems:
        raise ContentError(problems)
    return out


def evaluate(name: str, engine: Engine, queries: Sequence[Query], family: Mapping[str, str] | None = None) -> Metrics:
    """``family``: page id -> the id of the original it translates (``Manifest.families``)."""
    fam = family or {}
    metrics = Metrics(name)
    for q in queries:
        top = tuple(h.id for h in engine.search(q.q, limit=DEPTH, lang=q.lang).hits)
        wanted = {fam.get(e, e) for e in q.expected}
        rank = next((i + 1 for i, hid in enumerate(top) if fam.get(hid, hid) in wanted), None)
        metrics.outcomes.append(Outcome(q, rank, top))
    return metrics


def unknown_ids(queries: Sequence[Query], known: set[str]) -> list[str]:
    """Expected ids that are not in the content (a stale query file)."""
    return sorted({e for q in queries for e in q.expected if e not in known})


def report(results: Sequence[Metrics], show_misses: bool = True) -> str:
    """A plain-text table for technicians and CI logs."""
    lines = [f"{'search':<8} {'queries':>7} {'R@1':>6} {'R@3':>6} {'MRR':>6}   {'typos R@3':>9} {'en R@3':>7}"]
    for m in results:
        lines.append(f"{m.name:<8} {len(m.outcomes):>7} {m.recall(1):>6.3f} {m.recall(3):>6.3f} {m.mrr():>6.3f}"
                     f"   {m.recall(3, 'typo'):>9.3f} {m.recall(3, 'en'):>7.3f}")
    if show_misses:
        for m in results:
            for o in m.misses(3):
                got = ", ".join(o.top[:3]) or "nothing"
                lines.append(f"  {m.name} miss: {o.query.q!r} expected {'/'.join(o.query.expected)} "
                             f"(rank {o.rank or '-'}), got {got}")
    return "\n".join(lines) + "\n"
