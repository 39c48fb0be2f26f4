"""Real MkDocs builds: golden output, escaping, offline assets, nav size, atomic swap."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests import early
from tests.sitebuild import REPO, TINY, add_articles, copy_tiny, env, kb, page

GOLDEN = REPO / "tests" / "golden" / "tiny"
GOLDEN_PAGES = {
    "protocol": "protocolos/sin-conexion",
    "article-solution": "red/dns-mal-configurado",
    "article-linked": "red/cable-suelto",
    "article-guide": "cuentas/cambiar-contrasena",
    "home": "",
    "index-protocols": "protocolos",
    "index-areas": "areas",
    "index-area-red": "red",
    "index-tags": "etiquetas",
    "index-audiences": "audiencias",
}


def _kb(*args: str) -> subprocess.CompletedProcess[str]:
    """``kb(...)`` for the builds below that start in the background right after collection
    (tests/early.py): the tests check them when their turn comes."""
    return early.run([sys.executable, "-m", "generator.cli", *args], env=env(), timeout=300)


@early.job(__name__, "test_golden_pages", "test_protocol_page_structure", "test_article_page_enrichment",
           "test_home_sends_people_the_right_way", "test_tag_and_audience_indexes",
           "test_manifest_lists_ids_versions_and_urls", "test_no_external_assets",
           "test_shared_helpers_load_before_every_kb_script")
def tiny_build() -> tuple[subprocess.CompletedProcess[str], Path]:
    root = copy_tiny(early.tempdir("kb-tiny-") / "repo", search=True)
    return _kb("build", "--strict", "--root", str(root)), root / "site"


@pytest.fixture(scope="module")
def tiny_site() -> Path:
    """The tiny fixture repo built once with `kb build --strict`; returns the site folder."""
    result, site = tiny_build.result()
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    return site


def _normalise(html: BeautifulSoup) -> str:
    article = html.select_one("article.md-content__inner")
    assert article is not None
    for a in article.select("a.headerlink"):
        a.decompose()
    return article.prettify()


@pytest.mark.parametrize("name", sorted(GOLDEN_PAGES))
def test_golden_pages(tiny_site: Path, name: str) -> None:
    """Each generated page's main content equals the reviewed golden HTML (parsed, normalised)."""
    got = _normalise(page(tiny_site, GOLDEN_PAGES[name]))
    golden = GOLDEN / f"{name}.html"
    if os.environ.get("KB_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    expected = BeautifulSoup(golden.read_text(encoding="utf-8"), "html.parser").prettify()
    assert got == expected


def test_protocol_page_structure(tiny_site: Path) -> None:
    html = page(tiny_site, "protocolos/sin-conexion")
    steps = [h["id"] for h in html.select("h3.kb-step-title")]
    assert steps == ["comprobar-cable", "comprobar-dns", "escalar"]
    # option links point at the next step's anchor, and that anchor exists
    hrefs = [a["href"] for a in html.select("article a[href^='#']") if not a.get("class")]
    assert "#comprobar-dns" in hrefs and "#escalar" in hrefs
    assert all(html.find(id=h[1:]) is not None for h in hrefs)
    titles = [p.get_text(strip=True) for p in html.select(".admonition.quote .admonition-title .kb-tech-only")]
    assert titles.count("Diga al cliente (nivel básico)") == 2
    assert titles.count("Diga al cliente (nivel avanzado)") == 2
    ends = [s.get_text(strip=True) for s in html.select(".kb-end")]
    assert ends == ["Resuelto", "Resuelto", "Escalar a"]
    assert html.select_one("details.note summary").get_text(strip=True) == "Instrucciones para el técnico"
    article_links = {a["href"] for a in html.select("article li a") if not a["href"].startswith("#")}
    assert article_links == {"../../red/cable-suelto/", "../../red/dns-mal-configurado/"}


def test_article_page_enrichment(tiny_site: Path) -> None:
    html = page(tiny_site, "red/dns-mal-configurado")
    assert html.select_one("h1").get_text(strip=True) == "DNS mal configurado"
    assert [b.get_text(strip=True) for b in html.select(".kb-badge")] == ["Solución", "Técnicos"]
    assert html.select_one(".kb-owner").get_text(strip=True) == "Responsable: equipo-redes"
    assert html.select_one(".kb-reviewed time")["datetime"] == "2026-10-01"
    symptoms = html.select(".admonition.warning li")
    assert [li.get_text(strip=True) for li in symptoms] == ["Las páginas no cargan pero el Wi-Fi está conectado"]
    related = html.find(id="protocolos-relacionados").find_next("ul")
    assert [a["href"] for a in related.select("a")] == ["../../protocolos/sin-conexion/"]
    # cable-suelto is not declared but used by the protocol: a "used in" backlink
    other = page(tiny_site, "red/cable-suelto")
    used = other.find(id="usado-en").find_next("ul")
    assert [a.get_text(strip=True) for a in used.select("a")] == ["Sin conexión a Internet"]


def test_home_sends_people_the_right_way(tiny_site: Path) -> None:
    html = page(tiny_site, "")
    users = html.find(id="usuarios").find_parent("section")
    techs = html.find(id="tecnicos").find_parent("section")
    assert users.select_one("form[role=search] input[name=q]") is not None
    assert {a.get_text(strip=True) for a in users.select("li a")} == {
        "Cambiar la contraseña", "El cable de red está suelto", "Sin conexión a Internet"}
    assert [a.get_text(strip=True) for a in techs.select("li a")] == ["Sin conexión a Internet"]


def test_tag_and_audience_indexes(tiny_site: Path) -> None:
    tags = page(tiny_site, "etiquetas")
    headings = [h.get_text(strip=True) for h in tags.select("article h2")]
    assert headings == ["cuentas", "dns", "red"]
    red = tags.find("h2", string=lambda s: s and s.strip() == "red").find_next("ul")
    assert len(red.select("a")) == 3
    aud = page(tiny_site, "audiencias")
    users = aud.find(id="end-user").find_next("ul")
    assert {a.get_text(strip=True) for a in users.select("a")} == {
        "Cambiar la contraseña", "El cable de red está suelto"}


def test_manifest_lists_ids_versions_and_urls(tiny_site: Path) -> None:
    manifest = json.loads((tiny_site / "kb-manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["articles"]) == ["cable-suelto", "cambiar-contrasena", "dns-mal-configurado"]
    proto = manifest["protocols"]["sin-conexion"]
    assert proto["url"] == "/protocolos/sin-conexion/"
    assert proto["steps"] == ["comprobar-cable", "comprobar-dns", "escalar"]
    text = (TINY / "protocols" / "sin-conexion.yml").read_text(encoding="utf-8")
    assert proto["version"] == hashlib.sha256(text.encode()).hexdigest()[:12]


def test_no_external_assets(tiny_site: Path) -> None:
    """Nothing is loaded from another host: no CDN fonts, scripts, styles or images."""
    offenders = []
    for f in tiny_site.rglob("*.html"):
        html = BeautifulSoup(f.read_text(encoding="utf-8"), "html.parser")
        for el in html.select("script[src], link[href], img[src], iframe[src], source[src]"):
            url = el.get("src") or el.get("href")
            if url.startswith(("http:", "https:", "//")):
                offenders.append((f.name, url))
    assert offenders == []


def test_shared_helpers_load_before_every_kb_script(tiny_site: Path) -> None:
    """assets/kb/kb.js (el, uuid, storage keys, strings) comes before the scripts that use it, on every page."""
    for f in tiny_site.rglob("*.html"):
        html = BeautifulSoup(f.read_text(encoding="utf-8"), "html.parser")
        ours = [s["src"].rsplit("/", 1)[1] for s in html.select("script[src*='assets/kb/']")]
        if ours:
            assert ours[0] == "kb.js" and ours.count("kb.js") == 1, (f, ours)
            assert {"events.js", "runner.js", "feedback.js", "support.js", "ticket.js", "search.js"} <= set(ours), f


XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def test_titles_are_inert_everywhere(tmp_path: Path) -> None:
    """A hostile title, summary, step title, label, owner and symptom come out as text on every page."""
    root = copy_tiny(tmp_path / "repo", search=True)
    q = json.dumps(XSS)
    art = root / "kb/red/cable-suelto.md"
    text = art.read_text(encoding="utf-8")
    text = text.replace("title: El cable de red está suelto", f"title: {q}")
    text = text.replace("symptoms: [No hay Internet,", f"symptoms: [{q},").replace("owner: equipo-redes", f"owner: {q}")
    art.write_text(text, encoding="utf-8")
    proto = root / "protocols/sin-conexion.yml"
    text = proto.read_text(encoding="utf-8").replace("title: Sin conexión a Internet", f"title: {q}", 1)
    text = text.replace("title: Comprobar el DNS", f"title: {q}").replace(
        "summary: El equipo está conectado a la red pero no navega.", f"summary: {q}")
    text = text.replace("label: Sí\n        resolve: Cable desconectado", f"label: {q}\n        resolve: {q}")
    proto.write_text(text, encoding="utf-8")
    result = kb("build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    site = root / "site"
    shown = 0
    for f in site.rglob("*.html"):
        html = BeautifulSoup(f.read_text(encoding="utf-8"), "html.parser")
        assert html.select("img[src=x]") == [], f
        code = [s for s in html.find_all("script") if s.get("type") != "application/json"]
        assert [s for s in code if "alert(2)" in (s.string or "")] == [], f
        for data in html.find_all("script", type="application/json"):  # inert data, escaped for a script
            assert "<" not in (data.string or "") and ">" not in (data.string or ""), f
            if "alert(2)" in (data.string or ""):
                assert XSS in json.dumps(json.loads(data.string), ensure_ascii=False)
        assert [el.name for el in html.find_all(True) if any(a.startswith("on") for a in el.attrs)] == [], f
        shown += sum(XSS in el.get_text() for el in html.find_all(["title", "h1", "h3", "a", "li", "p"]))
    assert shown >= 8  # the text is still there, shown literally
    title = page(site, "red/cable-suelto").title.get_text()
    assert title.startswith(XSS)


@early.job(__name__, "test_nav_stays_small_with_many_pages")
def many_pages_build() -> tuple[int, Path]:
    root = copy_tiny(early.tempdir("kb-nav-") / "repo")
    add_articles(root, 60)
    return _kb("build", "--root", str(root)).returncode, root / "site"


def test_nav_stays_small_with_many_pages() -> None:
    """The nav lists sections, not articles: its size does not grow with the content."""
    returncode, site = many_pages_build.result()
    assert returncode == 0
    html = page(site, "masivo/articulo-7")
    nav_links = html.select("nav.md-nav--primary a.md-nav__link")
    assert len(nav_links) <= 8
    assert "Artículo sintético" not in " ".join(a.get_text() for a in nav_links)


def test_outputs_stay_inside_the_site_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated file whose destination escapes the site folder stops the build."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File, Files

    from generator.mkdocs.plugin import KbPlugin

    root = copy_tiny(tmp_path / "repo")
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["kb"]
    assert isinstance(plugin, KbPlugin)
    monkeypatch.setenv("KB_TODAY", "2026-11-23")
    config = config.plugins.on_config(config)
    escaping = File("../../fuera.md", None, config.site_dir, True)
    escaping.content_string = "# x"
    evil = Files([escaping])
    with pytest.raises(PluginError, match="outside the site folder"):
        config.plugins.on_files(evil, config=config)


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        h.update(f.relative_to(folder).as_posix().encode())
        if f.is_file():
            h.update(f.read_bytes())
    return h.hexdigest()


def test_killed_build_leaves_previous_site_intact(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    assert kb("build", "--root", str(root)).returncode == 0
    site = root / "site"
    before = _tree_digest(site)
    add_articles(root, 400, words=400)
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", "--root", str(root)],
                            env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    killed_mid_write = False
    while time.monotonic() < deadline and proc.poll() is None:
        tmp_sites = list(root.glob(".site-tmp-*"))  # the site being built, and the search index folders
        if any(any(t.rglob("*.html")) for t in tmp_sites):
            proc.send_signal(signal.SIGKILL)
            killed_mid_write = True
            break
        time.sleep(0.02)
    proc.wait()
    assert killed_mid_write, "the build finished before it could be killed"
    assert proc.returncode == -signal.SIGKILL
    assert _tree_digest(site) == before
    assert not (site / "masivo").exists()
    # the next build cleans the stale temporary folder and swaps in the new site; the 400 articles
    # were only there to make the killed build long, one is enough for this one
    for extra in (root / "kb" / "masivo").glob("articulo-*.md"):
        if extra.name != "articulo-399.md":
            extra.unlink()
    assert kb("build", "--root", str(root)).returncode == 0
    assert list(root.glob(".site-tmp-*")) == []
    assert (site / "masivo" / "articulo-399" / "index.html").is_file()


@early.job(__name__, "test_built_site_is_readable_by_the_web_server")
def plain_build() -> tuple[int, Path]:
    root = copy_tiny(early.tempdir("kb-mode-") / "repo")
    return _kb("build", "--root", str(root)).returncode, root / "site"


def test_built_site_is_readable_by_the_web_server() -> None:
    """The temporary build folder is private; the swapped-in site must not be."""
    returncode, site = plain_build.result()
    assert returncode == 0
    mode = site.stat().st_mode & 0o777
    assert mode & 0o005 == 0o005, oct(mode)  # others may list and read it (umask 022)


@early.job(__name__, "test_failed_build_keeps_previous_site_and_reports")
def failed_build() -> tuple[int, str, subprocess.CompletedProcess[str], Path]:
    """A good build, then a build of a broken protocol: (first's return code, digest of its site,
    the second's run, the repository)."""
    root = copy_tiny(early.tempdir("kb-failed-") / "repo")
    first = _kb("build", "--root", str(root)).returncode
    before = _tree_digest(root / "site") if first == 0 else ""
    proto = root / "protocols/sin-conexion.yml"
    proto.write_text(proto.read_text(encoding="utf-8").replace("next: comprobar-dns", "next: no-existe"),
                     encoding="utf-8")
    return first, before, _kb("build", "--root", str(root)), root


def test_failed_build_keeps_previous_site_and_reports() -> None:
    first, before, result, root = failed_build.result()
    assert first == 0
    assert result.returncode == 1
    assert "protocols/sin-conexion.yml:29:15: steps[0].options[1].next: expected the id of a step of this " \
           "protocol, found 'no-existe'" in result.stderr
    assert "Traceback" not in result.stderr and "BuildError" not in result.stderr
    assert result.stderr.strip().endswith("1 error, 0 warnings in 4 files")
    assert _tree_digest(root / "site") == before
    assert list(root.glob(".site-tmp-*")) == []


@early.job(__name__, "test_broken_markdown_link_fails_strict_build")
def broken_link_builds() -> tuple[int, subprocess.CompletedProcess[str]]:
    root = copy_tiny(early.tempdir("kb-link-") / "repo")
    art = root / "kb/red/dns-mal-configurado.md"
    art.write_text(art.read_text(encoding="utf-8").replace("(cable-suelto.md)", "(cable-suelto.md#no-anchor)"),
                   encoding="utf-8")
    return _kb("build", "--root", str(root)).returncode, _kb("build", "--strict", "--root", str(root))


def test_broken_markdown_link_fails_strict_build() -> None:
    plain, strict = broken_link_builds.result()
    assert plain == 0
    assert strict.returncode == 1
    assert "no-anchor" in strict.stderr


@early.job(__name__, "test_starter_content_builds_strict_with_zero_warnings")
def starter_builds() -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str], Path]:
    """`kb build --strict` and `mkdocs build --strict` of the real starter content, started in the
    background right after collection (tests/early.py); (kb's run, mkdocs' run, kb's site)."""
    out = early.tempdir("kb-starter-")
    own = {**env(), "KB_DATA_DIR": str(out / "data")}  # other builds of the repository may run meanwhile
    # Material prints an end-of-life notice (naming NO_MKDOCS_2_WARNING) to `mkdocs` unless this is set;
    # importing Material sets it in this process, which an earlier test used to do before this one ran.
    own["NO_MKDOCS_2_WARNING"] = "true"
    result = early.run([sys.executable, "-m", "generator.cli", "build", "--strict", "--root", str(REPO),
                        "-d", str(out / "kbsite")], env=own, timeout=300)
    plain = early.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"),
                       "-d", str(out / "mksite")], env=own, timeout=300)
    return result, plain, out / "kbsite"


def test_starter_content_builds_strict_with_zero_warnings() -> None:
    """The real starter content: `mkdocs build --strict` and `kb build --strict`, no warnings."""
    result, plain, kbsite = starter_builds.result()
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr
    assert plain.returncode == 0, plain.stderr
    assert "WARNING" not in plain.stderr
    assert len(list((kbsite / "protocolos").glob("*/index.html"))) >= 8
