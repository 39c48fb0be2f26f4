"""A hostile client against a real `kb serve` on SQLite and a real PostgreSQL (issue #13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.service.exchange import import_lines
from generator.store import open_store
from tests.service.conftest import Server, new_id, now_ts, request


def _search(query: str, **extra: Any) -> dict[str, Any]:
    return {"id": new_id(), "type": "search", "ts": now_ts(), "page": "/", "query": query, "results": 0, **extra}


# --- finding 3: NUL and other C0 controls, the same on both stores ----------------------------------------

@pytest.mark.parametrize(("text", "found"), [
    ("no\x00navega", "U+0000"), ("eco\x1b[31m", "U+001B"), ("bell\x07", "U+0007"), ("del\x7f", "U+007F")])
def test_control_characters_are_refused_on_both_stores(server: Server, text: str, found: str) -> None:
    status, body, _ = request(server, "POST", "/api/events", {"events": [_search(text)]})
    assert status == 400, body
    assert body["errors"][0]["field"] == "query"
    assert f"expected text without control characters, found the control character {found}" in \
        body["errors"][0]["reason"]
    assert server.rows() == 0
    status, body, _ = request(server, "POST", "/api/events", {"events": [_search("línea 1\nlínea\t2")]})
    assert status == 200 and server.rows() == 1  # tab and new line are text


def test_nested_nul_and_lone_surrogate_are_refused(server: Server) -> None:
    run = _search("ok")
    raw = ('{"events": [' + __import__("json").dumps(run)[:-1] + ', "clicked": "a\\ud800b"}]}').encode()
    status, body, _ = request(server, "POST", "/api/events", raw)
    assert status == 400 and "lone surrogate" in body["errors"][0]["reason"], body
    status, body, _ = request(server, "POST", "/api/events", b'{"events": [{"id\\u0000": 1}]}')
    assert status == 400, body
    assert server.rows() == 0


def test_import_refuses_control_characters_on_both_stores(db: tuple[str, Path]) -> None:
    store = open_store(*db)
    try:
        import json

        lines = [json.dumps(_search("bien")), json.dumps(_search("mal\x00"))]
        report = import_lines(store, lines, "events.jsonl")
        assert report.stored == 1 and len(report.problems) == 1
        assert report.problems[0].startswith("events.jsonl:2:1: query: expected text without control characters")
    finally:
        store.close()


# --- finding 4: CORS for the configured origins only -------------------------------------------------------

ORIGIN = "https://help.example"


def test_cors_preflight_and_responses_for_configured_origins(make_server: Any) -> None:
    srv = make_server("--rate-limit", "0", "--allow-origin", ORIGIN)
    pre = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    status, _, headers = request(srv, "OPTIONS", "/api/events", headers=pre)
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in headers["Access-Control-Allow-Methods"] and "Origin" in headers["Vary"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
    status, body, headers = request(srv, "POST", "/api/events", {"events": [_search("cors")]}, {"Origin": ORIGIN})
    assert status == 200 and body["stored"] == 1
    assert headers["Access-Control-Allow-Origin"] == ORIGIN and "Origin" in headers["Vary"]
    status, _, headers = request(srv, "OPTIONS", "/api/events", headers={**pre, "Origin": "https://evil.example"})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    status, _, headers = request(srv, "POST", "/api/events", {"events": [_search("x")]},
                                 {"Origin": "https://evil.example"})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    assert srv.rows() == 1


# --- finding 5: forwarded headers believed only through --trust-proxy ------------------------------------

def _limited(srv: Server, forwarded: list[str]) -> int:
    n = 0
    for xff in forwarded:
        status, _, _ = request(srv, "POST", "/api/events", {"events": [_search("x")]}, {"X-Forwarded-For": xff})
        n += status == 429
    return n


def test_rotating_x_forwarded_for_does_not_dodge_the_limit(make_server: Any) -> None:
    srv = make_server("--rate-limit", "5")
    assert _limited(srv, [f"10.0.0.{i}" for i in range(12)]) >= 6


def test_trust_proxy_uses_the_entry_the_proxy_added(make_server: Any) -> None:
    srv = make_server("--rate-limit", "5", "--trust-proxy", "127.0.0.1")
    # the client forges the leftmost entries; the proxy (127.0.0.1) appended the real address
    assert _limited(srv, [f"10.0.0.{i}, 203.0.113.7" for i in range(12)]) >= 6
    assert _limited(srv, [f"198.51.100.{i}" for i in range(12)]) == 0  # distinct real clients


def test_trust_proxy_by_hop_count_and_bad_values() -> None:
    from generator.service.security import TrustedProxies

    two = TrustedProxies.parse("2")
    assert two.client("127.0.0.1", ["6.6.6.6, 203.0.113.7, 10.0.0.2"]) == "203.0.113.7"
    nets = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8")
    assert nets.client("127.0.0.1", ["6.6.6.6, 203.0.113.7, 10.0.0.2"]) == "203.0.113.7"
    assert nets.client("198.51.100.1", ["6.6.6.6"]) == "198.51.100.1"  # not a named proxy: header ignored
    assert not TrustedProxies.parse("").enabled
    assert TrustedProxies.parse(None).client("1.2.3.4", ["5.6.7.8"]) == "1.2.3.4"
    for bad in ("nginx", "0", "99", "10.0.0.0/99"):
        with pytest.raises(ValueError, match="--trust-proxy: expected"):
            TrustedProxies.parse(bad)


# --- finding 6: the static handler normalises paths and serves no dotfiles ----------------------------------

@pytest.mark.parametrize("path", [
    "//search/server/x.seg", "/search//server/", "/search/./server/", "/search/a/../server/", "/search/server/",
    "/%2e%2e/etc/passwd", "/.git/config", "/red/.hidden", "/report/report.html", "//report/x.csv"])
def test_private_and_dot_paths_are_not_served(shared_server: Server, path: str) -> None:
    status, _, _ = request(shared_server, "GET", path)
    assert status in (401, 403, 404), path


# --- finding 7 is in test_api.py (BATCH_ERRORS) --------------------------------------------------------------

# --- finding 9: security headers on every response -----------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/red/cable-suelto/", "/protocolos/sin-conexion/", "/assets/kb/runner.js",
                                  "/api/health", "/no-such-page/", "/api/search?q=red"])
def test_security_headers_on_every_response(shared_server: Server, path: str) -> None:
    _, _, headers = request(shared_server, "GET", path)
    csp = headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] and headers["Cache-Control"]
    if path.startswith("/api/"):
        assert headers["Cache-Control"] == "no-store"


# --- finding 8: a full disk ---------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Any:
    """A real 2 MB file system (tmpfs; the tests run as root here), filled on demand."""
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:  # unbuffered: nothing left to flush (and fail) on close
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_disk_full_is_503_with_retry_after_and_recovers(site: Path, small_disk: Path) -> None:
    data = small_disk / "data"
    srv = Server(site, f"sqlite:///{data / 'events.sqlite3'}", data, ["--rate-limit", "0"]).start()
    try:
        filler = _fill(small_disk)
        statuses = []
        for _ in range(20):  # the WAL may take a few batches before it needs a new page
            events = [_search("x" * 190) for _ in range(50)]
            status, body, headers = request(srv, "POST", "/api/events", {"events": events})
            statuses.append(status)
            if status == 503:
                assert headers["Retry-After"] == "60" and headers["Content-Type"] == "application/json"
                assert body["error"].startswith("the event store is full")
                break
        assert statuses[-1] == 503 and set(statuses[:-1]) <= {200}, statuses
        filler.unlink()
        status, body, _ = request(srv, "POST", "/api/events", {"events": [_search("después")]})
        assert status == 200 and body["stored"] == 1
        assert "Traceback" not in srv.log.read_text()
    finally:
        srv.stop()


def test_starting_on_a_full_disk_is_a_clear_error(site: Path, small_disk: Path) -> None:
    import subprocess
    import sys

    _fill(small_disk)
    data = small_disk / "data"
    done = subprocess.run([sys.executable, "-m", "generator.cli", "serve", "--no-build", "-d", str(site),
                           "--data-dir", str(data), "--port", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("kb: error: cannot open the event store") and "full" in done.stderr


# --- finding 10: the report token ------------------------------------------------------------------------

def test_short_report_token_is_refused_at_start(site: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "generator.cli", "serve", "--no-build", "-d", str(site),
                           "--data-dir", str(tmp_path / "d")], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "KB_REPORT_TOKEN": "x"})
    assert done.returncode == 2
    assert "KB_REPORT_TOKEN: expected at least 16 characters, found 1" in done.stderr
    assert "secrets.token_urlsafe" in done.stderr


def test_report_failures_are_throttled_and_files_need_the_token(site: Path, tmp_path: Path) -> None:
    token = "s3cret-" + "x" * 20
    (site / "report").mkdir(exist_ok=True)
    (site / "report" / "report.csv").write_text("comment\nsecret comment\n", encoding="utf-8")
    data = tmp_path / "data"
    srv = Server(site, f"sqlite:///{data / 'events.sqlite3'}", data, ["--rate-limit", "0"],
                 env={"KB_REPORT_TOKEN": token}).start()
    try:
        bearer = {"Authorization": f"Bearer {token}"}
        status, body, _ = request(srv, "GET", "/report/report.csv")
        assert status == 401 and "secret comment" not in str(body)
        status, body, _ = request(srv, "GET", "/report/report.csv", headers=bearer)
        assert status == 200 and "secret comment" in body
        wrong = [request(srv, "GET", "/report/", headers={"Authorization": f"Bearer guess{i}"})[0]
                 for i in range(30)]
        assert wrong[:9] == [401] * 9 and set(wrong[9:]) == {429}  # the request without a token was the 10th
        status, _, headers = request(srv, "GET", "/report/", headers={"Authorization": "Bearer guess"})
        assert status == 429 and headers["Retry-After"] == "60"
    finally:
        srv.stop()
        (site / "report" / "report.csv").unlink()
