"""What ``kb search`` and ``kb search-eval`` do (the CLI only parses arguments and calls these)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.search.results import SearchResult


def _text(result: SearchResult, labels: Mapping[str, str]) -> str:
    if not result.hits:
        return f"no results for {result.query!r}\n"
    lines = []
    if result.corrected:
        lines.append("also searched: " + ", ".join(f"{w} -> {'/'.join(c)}" for w, c in result.corrected.items()))
    for i, h in enumerate(result.hits, 1):
        lines.append(f"{i:>2}. {h.title}  [{labels.get(h.type, h.type)} · {labels.get(h.audience, h.audience)}]")
        lines.append(f"    {h.url}  ({h.id}, score {h.score:g})")
        if h.symptom:
            lines.append(f"    {h.symptom}")
    for name, counts in result.facets.items():
        if counts:
            lines.append(f"{name}: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
    return "\n".join(lines) + "\n"


def search_site(site: Path, query: str, *, limit: int = 10, filters: Mapping[str, str] | None = None,
                facets: bool = False, as_json: bool = False, lang: str = "es") -> str:
    """Search a built site's server index; the text technicians read, or the API's JSON."""
    from generator.render.i18n import strings
    from generator.search import open_server_index
    from generator.search.api import BadRequest, parse

    params = {"q": query, "limit": str(limit), "facets": "1" if facets else "0", **(filters or {})}
    q, limit, flt, want_facets = parse(params)  # same checks as the API (BadRequest is a ValueError)
    del BadRequest
    index = open_server_index(site)
    try:
        result = index.search(q, limit=limit, filters=flt, facets=want_facets, lang=lang)
    finally:
        index.close()
    if as_json:
        return json.dumps(result.as_json(), ensure_ascii=False, indent=1) + "\n"
    return _text(result, strings(lang))


@dataclass(frozen=True)
class EvalOutcome:
    text: str
    ok: bool  # every minimum met


def evaluate_site(root: Path, queries: Path, *, site: Path | None = None, as_json: bool = False,
                  min_recall3: Mapping[str, float] | None = None, data: Path | None = None) -> EvalOutcome:
    """Recall@1, Recall@3 and MRR of the static and the server search over a query file.

    Without ``site`` the indexes are built from the content of ``root`` into a temporary
    folder (the same code the build runs); with it, a built site's indexes are measured.
    The static number comes from ``StaticIndex``, the Python twin of the browser's ranking
    (tests/search/test_js_parity.py checks they agree query by query)."""
    from generator.diagnostics import ContentError
    from generator.layout import MANIFEST, SERVER_DIR, STATIC_DIR
    from generator.model.manifest import Manifest
    from generator.pipeline.validation import validate_tree
    from generator.search.evaluate import evaluate, load_queries, report, unknown_ids
    from generator.search.server import ServerIndex
    from generator.search.static import StaticIndex

    qs = load_queries(queries)
    built = site is not None  # a built site's server index is in the private data folder, not in the site
    data = data if data is not None else (site.parent / ".kb-data" if site is not None else None)
    with tempfile.TemporaryDirectory(prefix="kb-search-eval-") as tmp:
        if site is None:
            from generator.pipeline.today import today
            from generator.search.build import SearchBuild

            result = validate_tree(root, today(), lint=False)
            if not result.ok:
                raise ContentError([d for d in result.diagnostics if d.severity == "error"])
            site = Path(tmp)
            build = SearchBuild.prepare(result.catalog)
            build.write_static(site)
            build.write_server(site)
            known = set(result.catalog.article_by_id) | set(result.catalog.protocol_by_id)
            family = {a.id: a.meta.translation_of for a in result.catalog.articles if a.meta.translation_of}
            family |= {p.id: p.model.translation_of for p in result.catalog.protocols if p.model.translation_of}
        else:
            manifest = Manifest.parse((site / MANIFEST).read_text(encoding="utf-8"))
            known = set(manifest.articles) | set(manifest.protocols)
            family = manifest.families()
        stale = unknown_ids(qs, known)
        if stale:
            raise ValueError(f"{queries}: expected ids of this content, found unknown {', '.join(stale)}")
        server = ServerIndex((data if data is not None and built else site) / SERVER_DIR)
        try:
            metrics = [evaluate("static", StaticIndex(site / STATIC_DIR), qs, family),
                       evaluate("server", server, qs, family)]
        finally:
            server.close()
    minimum = dict(min_recall3 or {})
    ok = all(m.recall(3) >= minimum.get(m.name, 0.0) for m in metrics)
    if as_json:
        text = json.dumps({"queries": str(queries), "results": [m.as_json() for m in metrics],
                           "min_recall3": minimum, "ok": ok}, ensure_ascii=False, indent=1) + "\n"
    else:
        text = report(metrics)
        for m in metrics:
            if m.name in minimum and m.recall(3) < minimum[m.name]:
                text += f"FAIL: {m.name} Recall@3 {m.recall(3):.3f} is below {minimum[m.name]:.3f}\n"
    return EvalOutcome(text, ok)
