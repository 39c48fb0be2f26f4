"""Search in the built site and in the service: the header box, the static index, related articles,
`GET /api/search` and `kb search`."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.cli import main
from generator.service.app import ServiceConfig, create_app
from tests.sitebuild import content_files, copy_tiny, kb, page


@dataclass
class Client:
    """Requests to the ASGI app in-process (httpx's ASGI transport; no server, no port)."""

    app: Any

    def get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://kb.test") as c:
                return await c.get(path, params=params)
        # Playwright's sync API may keep a loop running in this thread: run asyncio in another one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, go()).result()


@pytest.fixture(scope="module")
def client(starter_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Client:
    """The service over the built starter site (SQLite in a temporary data folder)."""
    data = starter_site.parent / ".kb-data"  # where `kb build` wrote the server index
    return Client(create_app(ServiceConfig(site_dir=starter_site, data_dir=data, rate_limit=0)))


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def test_api_returns_the_contract(client: Client) -> None:
    r = client.get("/api/search", params={"q": "impresroa no imprime", "limit": "3"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert [set(h) >= {"id", "type", "title", "url", "score"} for h in body["results"]] == [True] * 3
    first = body["results"][0]
    assert (first["id"], first["type"], first["url"]) == (
        "impresora-no-imprime", "protocol", "/protocolos/impresora-no-imprime/")
    assert body["corrected"]["impresroa"][0] == "impresora" and body["source"] == "server"
    scores = [h["score"] for h in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_api_synonyms_typos_and_accents(client: Client) -> None:
    def top3(q: str) -> list[str]:
        return [h["id"] for h in client.get("/api/search", params={"q": q}).json()["results"][:3]]

    assert "contrasena-caducada" in top3("clave caducada")  # clave ~ contraseña
    assert "contrasena-caducada" in top3("contrasena caducda")  # no ñ, and a typo
    assert "impresora-sin-papel-o-toner" in top3("printer out of toner")  # English to Spanish


def test_api_facets_and_filters(client: Client) -> None:
    body = client.get("/api/search", params={"q": "no conecta", "facets": "1"}).json()
    assert set(body["facets"]) == {"type", "audience", "area", "channel"}
    assert body["facets"]["type"]["protocol"] >= 1 and body["facets"]["channel"]["phone"] >= 1
    only = client.get("/api/search", params={"q": "no conecta", "type": "protocol", "channel": "chat"}).json()
    assert only["results"] and {h["type"] for h in only["results"]} == {"protocol"}
    assert {h["area"] for h in client.get("/api/search", params={"q": "vpn", "area": "vpn"}).json()["results"]} == {
        "vpn"}


@pytest.mark.parametrize(("params", "reason"), [
    ({}, "expected a query in q, found none"),
    ({"q": "   "}, "expected a query in q, found none"),
    ({"q": "x" * 201}, "expected q of at most 200 characters, found 201"),
    ({"q": "vpn", "limit": "0"}, "expected limit to be a whole number from 1 to 50, found '0'"),
    ({"q": "vpn", "limit": "abc"}, "expected limit to be a whole number from 1 to 50, found 'abc'"),
    ({"q": "vpn", "type": "faq"}, "expected type to be one of protocol, guide, solution, found 'faq'"),
    ({"q": "vpn", "area": "../etc"}, "expected area to be an area id (lower-case letters, digits, -), found '../etc'"),
    ({"q": "vpn", "sort": "x"}, "expected only the parameters q, limit, facets, lang, type, audience, channel, "
                                "area, found 'sort'"),
    ({"q": "vpn", "lang": "fr"}, "expected lang to be one of es, en, found 'fr'"),
])
def test_api_rejects_bad_requests_with_a_reason(client: Client, params: dict[str, str], reason: str) -> None:
    r = client.get("/api/search", params=params)
    assert (r.status_code, r.json()) == (400, {"error": reason})


def test_api_returns_text_as_is_and_writes_nothing(client: Client, starter_site: Path) -> None:
    before = _files(starter_site)
    body = client.get("/api/search", params={"q": "<script>alert(1)</script> vpn"}).json()
    assert body["query"] == "<script>alert(1)</script> vpn"  # JSON, not HTML: the browser uses textContent
    assert _files(starter_site) == before
    assert client.get("/search/server/_MAIN_1.toc").status_code == 404  # the server index is not served


def test_api_without_an_index_says_so(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html>", encoding="utf-8")
    r = Client(create_app(ServiceConfig(site_dir=site, data_dir=tmp_path / "data"))).get(
        "/api/search", params={"q": "vpn"})
    assert (r.status_code, r.json()) == (503, {"error": "no search index: run 'kb build'"})


def test_a_translated_page_is_one_result_in_the_readers_language(client: Client) -> None:
    """The English and the Spanish version of a page both match: each reader gets one, in their language."""
    def ids(lang: str | None) -> list[str]:
        params = {"q": "contraseña caducada password expired", **({"lang": lang} if lang else {})}
        return [h["id"] for h in client.get("/api/search", params=params).json()["results"]]

    es, en, any_lang = ids("es"), ids("en"), ids(None)
    assert "contrasena-caducada" in es and "contrasena-caducada-en" not in es
    assert "contrasena-caducada-en" in en and "contrasena-caducada" not in en
    assert len({"contrasena-caducada", "contrasena-caducada-en"} & set(any_lang)) == 1
    assert es.index("contrasena-caducada") == en.index("contrasena-caducada-en")  # the page keeps its rank


def test_kb_search_json_is_the_api_json(client: Client, starter_site: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    q = "el movil no recibe correos"
    assert main(["search", q, "--json", "-d", str(starter_site)]) == 0
    assert json.loads(capsys.readouterr().out) == client.get("/api/search", params={"q": q, "lang": "es"}).json()
    assert main(["search", q, "-d", str(starter_site), "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(" 1. Mi móvil no recibe el correo o no se conecta al Wi-Fi  [Protocolo · Técnicos]\n")
    assert " 2. Mi móvil ha dejado de recibir el correo del trabajo  [Solución · Usuarios]\n" in out
    assert "/movil/correo-movil-no-sincroniza/" in out and " 3. " not in out


def test_kb_search_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "vpn", "-d", str(tmp_path)]) == 2
    assert "expected a search index in" in capsys.readouterr().err


def test_the_server_index_is_private(starter_site: Path) -> None:
    """Not in site/, the folder teams deploy to static hosts: in the private data folder (issue #13)."""
    assert not (starter_site / "search" / "server").exists()
    assert sorted(p.name for p in (starter_site / "search").iterdir() if p.is_dir()) == ["shards"] or not any(
        p.suffix in (".toc", ".seg") for p in (starter_site / "search").rglob("*"))
    assert any(p.suffix == ".toc" for p in (starter_site.parent / ".kb-data" / "search" / "server").iterdir())


def test_header_box_replaces_lunr_and_the_static_index_is_small(starter_site: Path) -> None:
    html = page(starter_site, "red/vaciar-cache-dns")
    box = html.select_one("header [data-kb-search]")
    assert box is not None and box.select_one("form input[name=q][maxlength='200']") is not None
    assert box.get("data-index") == "../../search/" and not html.select("[data-md-component=search]")
    assert html.select_one("script[src$='assets/kb/search.js']") is not None
    assert not (starter_site / "search" / "search_index.json").exists()  # Material's lunr index is gone
    meta = json.loads((starter_site / "search" / "meta.json").read_text(encoding="utf-8"))
    assert meta["docs"] == content_files() and meta["rules"]["stop"] and meta["synonyms"]
    biggest = max(len(gzip.compress(p.read_bytes())) for p in (starter_site / "search").rglob("*.json")
                  if "server" not in p.parts)
    assert biggest < 40_000


def test_articles_show_related_articles_and_protocols(starter_site: Path) -> None:
    html = page(starter_site, "cuentas/contrasena-caducada")
    related = html.find(id="articulos-relacionados").find_next("ul")
    links = [a["href"] for a in related.select("a")]
    assert 1 <= len(links) <= 5 and "../cuenta-bloqueada-por-intentos/" in links
    assert html.find(id="protocolos-relacionados") is not None or html.find(id="usado-en") is not None
    proto = page(starter_site, "protocolos/no-puede-iniciar-sesion")
    assert proto.find(id="relacionados") is not None


def test_search_can_be_turned_off(tmp_path: Path) -> None:
    """`search: false` keeps Material's lunr search and writes no kb index."""
    root = copy_tiny(tmp_path / "repo", search=True)
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("  - kb\n", "  - kb:\n      search: false\n"),
                   encoding="utf-8")
    assert kb("build", "--strict", "--root", str(root)).returncode == 0
    site = root / "site"
    assert (site / "search" / "search_index.json").exists() and not (site / "search" / "meta.json").exists()
    assert page(site, "").select_one("[data-md-component=search]") is not None
    assert os.listdir(site / "search") == ["search_index.json"]
