"""The persistent build cache (generator/mkdocs/cache.py): a seeded random sequence of edits, each rebuilt
with the cache and compared file for file with a clean ``--no-cache`` build; the cache re-renders only the
pages whose output changed (and the edited page), and none when nothing changed."""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.sitebuild import add_articles, copy_tiny, env

SEED = 18
AREA = "masivo"


def start_build(kb_command: list[str], root: Path, site: Path, *extra: str, data: Path | None = None,
                engine: str = "mkdocs") -> subprocess.Popen[str]:
    environ = {**env(), **({"KB_DATA_DIR": str(data)} if data else {})}
    return subprocess.Popen([*kb_command, "build", "--root", str(root), "--site-dir", str(site), "--engine", engine,
                             *extra], env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def done(proc: subprocess.Popen[str]) -> str:
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return err


def kb_build(kb_command: list[str], root: Path, site: Path, *extra: str, engine: str = "mkdocs") -> str:
    """Build; returns the build's messages."""
    return done(start_build(kb_command, root, site, *extra, engine=engine))


def files(site: Path) -> dict[str, bytes]:
    """Every file of a site; gzip files by their content (their header carries a time)."""
    out = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        out[path.relative_to(site).as_posix()] = gzip.decompress(data) if path.suffix == ".gz" else data
    return out


def stats(root: Path, *, data: bool = False) -> dict[str, object]:
    """What the last build with ``root`` (a content repository, or with ``data``: a data folder) rendered."""
    folder = root if data else root / ".kb-data"
    doc = json.loads((folder / "cache" / "build" / "stats.json").read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def page_of(src: str) -> str:
    """The HTML file of a page source (directory URLs)."""
    if src == "index.md" or src.endswith("/index.md"):
        return src[:-3] + ".html"
    return src[:-3] + "/index.html"


def article(root: Path, n: int) -> Path:
    return root / "kb" / AREA / f"articulo-{n}.md"


def edit_body(root: Path, rng: random.Random) -> str:
    path = article(root, rng.choice(existing(root)))
    path.write_text(path.read_text(encoding="utf-8") + "\nReinicie el equipo y vuelva a probar.\n", encoding="utf-8")
    return f"{AREA}/{path.name}"


def edit_title(root: Path, rng: random.Random) -> str:
    path = article(root, rng.choice(existing(root)))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Artículo sintético", "title: Artículo revisado", 1), encoding="utf-8")
    return f"{AREA}/{path.name}"


def new_article(root: Path, rng: random.Random) -> str:
    n = 100 + rng.randrange(100)
    text = article(root, existing(root)[0]).read_text(encoding="utf-8")
    first = existing(root)[0]
    article(root, n).write_text(text.replace(f"articulo-{first}", f"articulo-{n}").replace(
        f"sintético {first}", f"nuevo {n}").replace(f"Síntoma {first}", f"Síntoma nuevo {n}"), encoding="utf-8")
    return f"{AREA}/articulo-{n}.md"


def delete_article(root: Path, rng: random.Random) -> str:
    n = rng.choice(existing(root))
    article(root, n).unlink()
    return f"{AREA}/articulo-{n}.md"


TRUNK = "El conmutador troncal de fibra pierde la sincronía con el enlace redundante."


def add_trunk(root: Path, rng: random.Random) -> str:
    text = article(root, existing(root)[0]).read_text(encoding="utf-8")
    text = re.sub(r"articulo-\d+", "enlace-troncal", text).replace("sintético", "troncal")
    (root / "kb" / AREA / "enlace-troncal.md").write_text(f"{text}\n{TRUNK}\n", encoding="utf-8")
    return f"{AREA}/enlace-troncal.md"


def relate(root: Path, rng: random.Random) -> str:
    """An article gets the rare words of ``enlace-troncal``, which is not edited: its related articles change."""
    path = article(root, rng.choice(existing(root)))
    path.write_text(path.read_text(encoding="utf-8") + f"\n{TRUNK} {TRUNK}\n", encoding="utf-8")
    return f"{AREA}/{path.name}"


def override_template(root: Path, rng: random.Random) -> str:
    (root / "overrides" / "partials").mkdir(parents=True, exist_ok=True)
    (root / "overrides" / "partials" / "copyright.html").write_text(
        f'<div class="md-copyright">Soporte {rng.randrange(1000)}</div>\n', encoding="utf-8")
    return ""


def edit_config(root: Path, rng: random.Random) -> str:
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("site_name: Soporte mínimo",
                                                           f"site_name: Soporte {rng.randrange(1000)}"),
                   encoding="utf-8")
    return ""


def existing(root: Path) -> list[int]:
    return sorted(int(p.stem.split("-")[1]) for p in (root / "kb" / AREA).glob("articulo-*.md"))


EDITS: dict[str, Callable[[Path, random.Random], str]] = {
    "body": edit_body, "title": edit_title, "new": new_article, "delete": delete_article,
    "template": override_template, "config": edit_config}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = copy_tiny(tmp_path / "repo")
    add_articles(root, 12, area=AREA, words=60)
    (root / "overrides").mkdir()
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        next(line for line in cfg.read_text(encoding="utf-8").splitlines() if "custom_dir" in line),
        "  custom_dir: overrides"), encoding="utf-8")
    return root


def check_step(kb_command: list[str], root: Path, tmp: Path, step: int, before: dict[str, bytes],
               edited: str, kind: str, engine: str = "mkdocs") -> dict[str, bytes]:
    """Rebuild with the cache, compare with a clean build, check what was re-rendered; the new site's files.
    ``before`` is the previous site, itself equal to a clean build: after no change it is the reference."""
    clean_build = None
    if kind != "nothing":  # the clean build (its own data folder) runs meanwhile: the machine's two cores
        clean_build = start_build(kb_command, root, tmp / f"clean-{step}", "--no-cache",
                                  data=tmp / f"clean-data-{step}", engine=engine)
    messages = kb_build(kb_command, root, root / "site", engine=engine)
    assert "Page skipped" not in messages  # MkDocs' note on an empty output: not for the pages reused
    cached = files(root / "site")
    st = stats(root)
    clean = before
    if clean_build is not None:
        done(clean_build)
        clean = files(tmp / f"clean-{step}")
        no_cache = stats(tmp / f"clean-data-{step}", data=True)
        assert no_cache["reused"] == 0 and len(no_cache["rendered"]) == no_cache["pages"]  # type: ignore[arg-type]
    assert sorted(cached) == sorted(clean), kind
    assert [f for f in clean if cached[f] != clean[f]] == [], kind
    if clean_build is not None:  # the server index (in the data folder) holds what a clean build's does
        assert server_index(root / ".kb-data") == server_index(tmp / f"clean-data-{step}"), kind
    rendered = set(st["rendered"])  # type: ignore[arg-type]
    changed = {f for f in clean if f.endswith(".html") and before.get(f) != clean[f]}
    pages = {page_of(src) for src in rendered}
    # Every page whose output changed was rendered again; nothing else but the edited page.
    assert changed - {"404.html"} <= pages, (kind, changed - pages)
    assert pages <= changed | ({page_of(edited)} if edited else set()), (kind, pages - changed)
    if kind == "nothing":
        assert rendered == set() and st["reused"] == st["pages"]
    if kind == "body":
        assert edited in rendered and len(rendered) <= 6, (kind, sorted(rendered))
    if kind == "related":  # an article not edited lists the edited one among its related articles now
        assert f"{AREA}/enlace-troncal/index.html" in changed, (kind, sorted(changed))
    return cached


def server_index(data: Path) -> tuple[list[object], bytes]:
    """What the server index holds: each segment's digest of its documents' fields (impacts and words
    included), in doc-number order, and the synonyms. Segment files carry random ids and whoosh's write
    order, so their bytes differ between two builds of the same content; these digests do not."""
    folder = data / "search" / "server"
    segments = json.loads((folder / "segments.json").read_text(encoding="utf-8"))["segments"]
    return [(s["digest"], s["docs"]) for s in segments], (folder / "synonyms.json").read_bytes()


def tampered(kb_command: list[str], root: Path, reference: dict[str, bytes]) -> None:
    """A stored page modified in the cache is rendered again; a corrupt index and a missing search folder
    are misses, never errors."""
    cache = root / ".kb-data" / "cache" / "build"
    stored = sorted((cache / "pages").glob("*.html"))[0]
    stored.write_bytes(stored.read_bytes().replace(b"<body", b"<body data-tampered", 1))
    blob = next(cache.glob("sources-*.txt"))  # the article Markdown, by offset: a changed byte is a miss
    data = blob.read_bytes()
    blob.write_bytes(bytes([data[0] ^ 1]) + data[1:])
    kb_build(kb_command, root, root / "site")
    assert files(root / "site") == reference
    assert len(stats(root)["rendered"]) == 1  # type: ignore[arg-type]
    (cache / "pages.json").write_bytes(b"{not json")
    (cache / "sources.json").write_bytes(b"[1, 2")
    shutil.rmtree(cache / "search" / "static")
    kb_build(kb_command, root, root / "site")
    assert files(root / "site") == reference
    assert stats(root)["reused"] == 0


def test_random_edits_rebuild_like_a_clean_build(repo: Path, tmp_path: Path, kb_command: list[str]) -> None:
    kb_build(kb_command, repo, repo / "site")
    before = files(repo / "site")
    assert stats(repo)["reused"] == 0
    rng = random.Random(SEED)
    kinds = list(EDITS)
    rng.shuffle(kinds)
    more = {"trunk": add_trunk, "related": relate}
    for step, kind in enumerate(["nothing", *kinds, *more]):
        edited = {**EDITS, **more}[kind](repo, rng) if kind != "nothing" else ""
        before = check_step(kb_command, repo, tmp_path, step, before, edited, kind)
    tampered(kb_command, repo, before)


def test_properdocs_reuses_and_updates(repo: Path, tmp_path: Path, kb_command: list[str]) -> None:
    kb_build(kb_command, repo, repo / "site", engine="properdocs")
    before = files(repo / "site")
    before = check_step(kb_command, repo, tmp_path, 0, before, "", "nothing", engine="properdocs")
    edited = edit_body(repo, random.Random(SEED))
    check_step(kb_command, repo, tmp_path, 1, before, edited, "body", engine="properdocs")


def test_nothing_changed_forks_no_render_work(repo: Path, tmp_path: Path, kb_command: list[str]) -> None:
    """The cache's hits are known before the render workers start (PageCache.predict): a rebuild with
    nothing changed gives them no page, one with a body edited only the pages that miss."""
    add_articles(repo, 40, area=AREA, words=60)
    cfg = repo / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    assert "  - kb\n" in text
    cfg.write_text(text.replace("  - kb\n", "  - kb:\n      render_workers: 2\n", 1), encoding="utf-8")
    kb_build(kb_command, repo, repo / "site")
    cold = stats(repo)
    assert cold["workers"] > 0, cold  # type: ignore[operator]  # the workers do render on a cold build
    before = files(repo / "site")
    # The page cache's own path, not the up-to-date shortcut (generator/mkdocs/uptodate.py), which would keep the site
    (repo / ".kb-data" / "cache" / "build" / "site.json").unlink()
    kb_build(kb_command, repo, repo / "site")
    assert stats(repo)["workers"] == 0 and stats(repo)["rendered"] == [] and "up_to_date" not in stats(repo)
    assert files(repo / "site") == before
    edited = edit_body(repo, random.Random(SEED))
    kb_build(kb_command, repo, repo / "site")
    st = stats(repo)
    done(start_build(kb_command, repo, tmp_path / "clean", "--no-cache", data=tmp_path / "clean-data"))
    assert files(repo / "site") == files(tmp_path / "clean")
    # the workers render only pages that miss (the edited one, those whose related articles changed)
    assert edited in st["rendered"] and st["workers"] <= len(st["rendered"]) <= 6, st  # type: ignore
