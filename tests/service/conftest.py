"""Fixtures for the event service: a built site, a real PostgreSQL server, server processes.

PostgreSQL comes from Debian's packages (`scripts/test-deps` installs it). It is never
mocked and never skipped: without it these tests fail.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from generator.store import Store, open_store
from tests.sitebuild import copy_tiny, kb


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def now_ts() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny fixture site, built once; its manifest lists the known ids."""
    root = copy_tiny(tmp_path_factory.mktemp("svc") / "repo")
    result = kb("build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a loopback port; yields the admin URL."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert bins, "PostgreSQL is not installed: run scripts/test-deps (Debian package postgresql)"
    bindir = Path(bins[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="kb-pg-"))
    as_root = os.geteuid() == 0
    if as_root:
        shutil.chown(base, "postgres", "postgres")

    def run(*cmd: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *cmd] if as_root else list(cmd)
        done = subprocess.run(full, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    port = free_port()
    run(str(bindir / "initdb"), "-D", str(base / "data"), "-A", "trust", "-U", "kb", "-E", "UTF8", "--no-sync")
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    run(str(bindir / "pg_ctl"), "-D", str(base / "data"), "-l", str(base / "log"), "-w", "-o", opts, "start")
    try:
        yield f"postgresql://kb@127.0.0.1:{port}/postgres"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def fresh_database(pg_server: str) -> Iterator[str]:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield pg_server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL server."""
    with fresh_database(pg_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """(database URL, data folder) for each backend."""
    data = tmp_path / "data"
    if request.param == "sqlite":
        return f"sqlite:///{data / 'events.sqlite3'}", data
    return request.getfixturevalue("pg_url"), data


@dataclass
class Server:
    """A `kb serve --no-build` process on a loopback port."""

    site: Path
    db_url: str
    data_dir: Path
    extra: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        cmd = [sys.executable, "-m", "generator.cli", "serve", "--no-build", "-d", str(self.site),
               "--data-dir", str(self.data_dir), "--db", self.db_url, "--port", str(self.port), *self.extra]
        self.log = self.data_dir.parent / f"serve-{self.port}.log"
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **self.env})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                status, _, _ = request(self, "GET", "/api/health")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("server did not start: " + self.log.read_text())

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def store(self) -> Store:
        return open_store(self.db_url, self.data_dir)

    def rows(self) -> int:
        store = self.store()
        try:
            return store.count()
        finally:
            store.close()


def request(server: Server, method: str, path: str, body: bytes | dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, Any, http.client.HTTPMessage]:
    """One real HTTP request; returns (status, decoded JSON or text, headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            decoded: Any = json.loads(raw)
        except ValueError:
            decoded = raw.decode(errors="replace")
        return resp.status, decoded, resp.headers
    finally:
        conn.close()


@pytest.fixture
def server(site: Path, db: tuple[str, Path]) -> Iterator[Server]:
    """A running service on each backend, rate limit off."""
    srv = Server(site, db[0], db[1], ["--rate-limit", "0"]).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_server(request: pytest.FixtureRequest, site: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per backend for a module's tests that store nothing (rate limit off)."""
    data = tmp_path_factory.mktemp("shared") / "data"
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{data / 'events.sqlite3'}"
        else:
            url = stack.enter_context(fresh_database(request.getfixturevalue("pg_server")))
        srv = Server(site, url, data, ["--rate-limit", "0"]).start()
        stack.callback(srv.stop)
        yield srv


@pytest.fixture
def make_server(site: Path, db: tuple[str, Path]) -> Iterator[Any]:
    """Start servers with extra `kb serve` options on the test's backend."""
    started: list[Server] = []

    def make(*extra: str) -> Server:
        srv = Server(site, db[0], db[1], list(extra)).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()
