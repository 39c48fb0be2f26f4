"""The browser's static search (theme/assets/kb/search.js, run in node) ranks exactly like StaticIndex,
the Python reader that `kb search-eval` measures. Without this, the static Recall@3 would be a claim."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from generator.search.evaluate import load_queries
from generator.search.static import StaticIndex
from tests.search.conftest import QUERIES
from tests.sitebuild import REPO

SEARCH_JS = REPO / "theme" / "assets" / "kb" / "search.js"
RUNNER = """
const fs = require("fs"), path = require("path");
const api = require(process.argv[2]);
const dir = process.argv[3];
const queries = JSON.parse(fs.readFileSync(0, "utf8"));
const idx = new api.StaticIndex(rel => Promise.resolve(JSON.parse(fs.readFileSync(path.join(dir, rel), "utf8"))));
(async () => {
  const out = [];
  for (const [q, lang] of queries) {
    const fresh = new api.StaticIndex(idx.load);
    const r = await fresh.search(q, 10, lang);
    out.push({q, lang, ids: r.results.map(h => h.id), scores: r.results.map(h => h.score), total: r.total,
              symptoms: r.results.map(h => h.symptom), corrected: r.corrected, fetched: fresh.fetched});
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def run_node(index: Path, queries: list[tuple[str, str | None]], tmp: Path) -> list[dict[str, object]]:
    node = shutil.which("node")
    assert node, "Node.js is not installed: run scripts/test-deps (Debian package nodejs)"
    script = tmp / "parity.js"
    script.write_text(RUNNER, encoding="utf-8")
    done = subprocess.run([node, str(script), str(SEARCH_JS), str(index)], input=json.dumps(queries),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result: list[dict[str, object]] = json.loads(done.stdout)
    return result


def test_node_and_python_rank_every_query_alike(starter_indexes: Path, tmp_path: Path) -> None:
    queries: list[tuple[str, str | None]] = [(q.q, q.lang) for q in load_queries(QUERIES)]
    queries += [(q, "es") for q in ("Contraseña CADUCADA!!", "wi-fi", "¿Por qué no imprime?", "x", "", "the of and",
                                    "ñoño 12345")]
    # Pages with translations: each language's reader gets one version, in their language when it matched.
    queries += [(q, lang) for q in ("password expired", "contraseña caducada", "printer queue stuck", "dns")
                for lang in ("es", "en", None)]
    index = starter_indexes / "search"
    js = run_node(index, queries, tmp_path)
    assert any(got["ids"] != other["ids"] for got in js for other in js
               if got["q"] == other["q"] and got["lang"] != other["lang"])  # the language matters somewhere
    for got in js:
        py = StaticIndex(index)
        res = py.search(str(got["q"]), limit=10, lang=got["lang"])  # type: ignore[arg-type]
        assert got["ids"] == [h.id for h in res.hits], got["q"]
        assert got["scores"] == [h.score for h in res.hits], got["q"]
        assert got["symptoms"] == [h.symptom for h in res.hits], got["q"]
        assert got["total"] == res.total, got["q"]
        assert got["corrected"] == {k: list(v) for k, v in res.corrected.items()}, got["q"]
        assert got["fetched"] == py.fetched, got["q"]  # the same files, in the same order


def test_byte_budget_keeps_the_rarest_words_in_node_and_python(starter_indexes: Path, tmp_path: Path) -> None:
    """A long query on a small budget fetches postings of its rarest words only, alike in both readers."""
    index = tmp_path / "search"
    shutil.copytree(starter_indexes / "search", index)
    meta = json.loads((index / "meta.json").read_text(encoding="utf-8"))
    assert len(meta["term_bytes"]) >= 2 and meta["term_budget"] > 0
    budget = min(meta["term_bytes"])  # one shard: only the first word taken fits, plus words sharing it
    meta["term_budget"] = budget
    (index / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    long_queries = ["la impresora no imprime y la cola de impresion esta atascada con el wifi caido y la vpn lenta",
                    "outlook password expired printer queue stuck and the wifi drops every hour in the office"]
    js = run_node(index, [(q, "es") for q in long_queries], tmp_path)
    for got in js:
        py = StaticIndex(index)
        res = py.search(str(got["q"]), limit=10, lang="es")
        assert got["ids"] == [h.id for h in res.hits] and got["fetched"] == py.fetched, got["q"]
        full = StaticIndex(starter_indexes / "search")
        full.search(str(got["q"]), limit=10, lang="es")
        shards = [f for f in py.fetched if f.startswith("t/")]
        assert 1 <= len(shards) < len([f for f in full.fetched if f.startswith("t/")]), shards


STEMS = """
const fs = require("fs"), path = require("path");
const api = require(process.argv[2]);
const meta = JSON.parse(fs.readFileSync(path.join(process.argv[3], "meta.json"), "utf8"));
const words = JSON.parse(fs.readFileSync(0, "utf8"));
const an = new api.Analyzer(meta.rules), syn = new api.Synonyms(meta.synonyms, an);
process.stdout.write(JSON.stringify(words.map(w => [an.stem(w, "es"), an.stem(w, "en"), syn.of(w)])));
"""


def test_node_stems_and_links_synonyms_like_python(starter_indexes: Path, tmp_path: Path) -> None:
    """The rules shipped in meta.json (suffixes, the gu respelling) and the synonym links (a short stem
    links only words that begin alike) give the browser the same stems and groups as Python."""
    from generator.search.analysis import stem
    from generator.search.query import DEFAULT_SYNONYMS, load_synonyms

    words = ["entregue", "entreguen", "pague", "sigue", "agua", "guerra", "pasa", "pass", "pago", "pages", "hojas",
             "codes", "conectado", "printing", "impresoras", "abre", "red", "redes"]
    script = tmp_path / "stems.js"
    script.write_text(STEMS, encoding="utf-8")
    node = shutil.which("node")
    assert node
    done = subprocess.run([node, str(script), str(SEARCH_JS), str(starter_indexes / "search")],
                          input=json.dumps(words), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    synonyms = load_synonyms([DEFAULT_SYNONYMS])
    assert json.loads(done.stdout) == [[stem(w, "es"), stem(w, "en"), synonyms.of(w)] for w in words]
