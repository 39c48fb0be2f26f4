"""Protocols that learn from their runs: a better order for a chain of checks.

A *chain* is a run of checks where the "no" of one leads to the next: each step of it has one
option going on (``next``) and at least one that resolves. If check *i* resolves a share p_i of
the runs that reach it and takes t_i seconds on average, the expected time through the chain in
the order 1..k is  t_1 + (1 - p_1)·t_2 + (1 - p_1)(1 - p_2)·t_3 + …  Sorting the checks by
p_i / t_i, highest first, minimises it (decision-theoretic troubleshooting; Kadane & Simon 1977,
Heckerman, Breese & Rommelse 1995). Steps may declare ``after: [ids]``: then the best order that
respects those dependencies is searched exhaustively (chains of up to 8 checks) or built greedily
(the best ratio among the checks whose dependencies are placed).

The expected saving gets a 95 % interval by a parametric bootstrap on the per-step aggregates
(the report keeps no per-run data): each draw takes p_i* ~ Binomial(n_i, p_i)/n_i and
t_i* ~ Normal(t_i, sd_i/√n_i) and recomputes the saving of the recommended order.
A chain gets a recommendation only when each of its steps was reached by ``min_runs`` runs.
"""

from __future__ import annotations

import itertools
import math
import random
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from generator.model.manifest import StepLinks

MIN_RUNS = 30  # runs reaching every step of a chain before anything is recommended
DRAWS = 400  # bootstrap draws
EXHAUSTIVE = 8  # longest chain searched exhaustively


_NOWHERE = StepLinks()


def chains(graph: Mapping[str, StepLinks], order: Sequence[str]) -> list[list[str]]:
    """Maximal chains of checks (two or more), in the protocol's current order."""
    def is_check(step: str) -> bool:
        node = graph.get(step, _NOWHERE)
        return len(node.next) == 1 and node.resolves

    incoming: dict[str, int] = {}
    for step in order:
        for target in graph.get(step, _NOWHERE).next:
            incoming[target] = incoming.get(target, 0) + 1
    out = []
    starts = [s for s in order if is_check(s)]
    inside: set[str] = set()
    for step in starts:
        chain = [step]
        while True:
            nxt = graph[chain[-1]].next[0]
            if not is_check(nxt) or nxt in chain or incoming.get(nxt, 0) != 1:
                break
            chain.append(nxt)
        inside.update(chain[1:])
        out.append(chain)
    return [c for c in out if len(c) >= 2 and c[0] not in inside]


def expected_seconds(order: Sequence[str], p: Mapping[str, float], t: Mapping[str, float]) -> float:
    total, still = 0.0, 1.0
    for step in order:
        total += still * t[step]
        still *= 1 - p[step]
    return total


def _allowed(order: Sequence[str], after: Mapping[str, Sequence[str]]) -> bool:
    seen: set[str] = set()
    for step in order:
        if any(dep in order and dep not in seen for dep in after.get(step, ())):
            return False
        seen.add(step)
    return True


def best_order(chain: Sequence[str], p: Mapping[str, float], t: Mapping[str, float],
               after: Mapping[str, Sequence[str]]) -> list[str]:
    """The order of ``chain`` with the least expected time that respects ``after``."""
    def ratio(step: str) -> float:
        return p[step] / t[step] if t[step] > 0 else math.inf

    if len(chain) <= EXHAUSTIVE:
        orders = (list(o) for o in itertools.permutations(chain) if _allowed(o, after))
        return min(orders, key=lambda o: (round(expected_seconds(o, p, t), 9), [chain.index(s) for s in o]))
    placed: list[str] = []
    while len(placed) < len(chain):
        ready = [s for s in chain if s not in placed and all(d in placed or d not in chain for d in after.get(s, ()))]
        placed.append(max(ready, key=lambda s: (ratio(s), -chain.index(s))))
    return placed


def _binomial_share(rng: random.Random, n: int, p: float) -> float:
    if n <= 0:
        return p
    if n <= 500:
        return sum(rng.random() < p for _ in range(n)) / n
    return min(1.0, max(0.0, rng.gauss(p, math.sqrt(p * (1 - p) / n))))


def _interval(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[int(0.025 * (len(ordered) - 1))], ordered[math.ceil(0.975 * (len(ordered) - 1))]


def recommend(protocol: Mapping[str, Any], graph: Mapping[str, StepLinks],
              min_runs: int = MIN_RUNS) -> list[dict[str, Any]]:
    """For each chain of the protocol: the current and recommended orders, expected seconds of each,
    the saving and its bootstrap interval; or why there is no recommendation (``reason``)."""
    steps = {row["step"]: row for row in protocol["funnel"]}
    order = list(protocol.get("step_titles", {})) or [row["step"] for row in protocol["funnel"]]
    after = {s: list(graph.get(s, _NOWHERE).after) for s in order}
    out = []
    for chain in chains(graph, order):
        rows = [steps.get(s, {"reached": 0}) for s in chain]
        fewest = min(int(r["reached"]) for r in rows)
        if fewest < min_runs or any(r.get("mean_seconds") is None for r in rows):
            out.append({"chain": chain, "reason": "too_few_runs", "fewest_runs": fewest, "min_runs": min_runs})
            continue
        p = {s: r["resolved_here"] / r["reached"] for s, r in zip(chain, rows, strict=True)}
        t = {s: float(r["mean_seconds"]) for s, r in zip(chain, rows, strict=True)}
        best = best_order(chain, p, t, after)
        now, then = expected_seconds(chain, p, t), expected_seconds(best, p, t)
        rng = random.Random(zlib.crc32(("|".join(chain)).encode()))
        draws = []
        for _ in range(DRAWS):
            pd = {s: _binomial_share(rng, int(r["reached"]), p[s]) for s, r in zip(chain, rows, strict=True)}
            td = {s: max(0.0, rng.gauss(t[s], float(r["sd_seconds"] or 0) / math.sqrt(int(r["reached"]))))
                  for s, r in zip(chain, rows, strict=True)}
            draws.append(expected_seconds(chain, pd, td) - expected_seconds(best, pd, td))
        low, high = _interval(draws)
        out.append({"chain": chain, "recommended": best, "changed": best != chain,
                    "resolution_share": p, "mean_seconds": t, "expected_seconds": now,
                    "expected_seconds_recommended": then, "saving_seconds": now - then,
                    "saving_interval": [low, high], "min_runs": min_runs})
    return out
