"""A real Request Tracker 5 (Debian's request-tracker5, rt5-db-sqlite, rt5-standalone; installed by
scripts/test-deps) on a loopback port, with a private copy of the SQLite database the package set
up, and a small REST2 client for the tests (create a ticket, read its comments back)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.service.conftest import free_port

RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
PACKAGED_DB = Path("/var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb")
USER, PASSWORD = "root", "password"  # the packaged database's initial administrator


@dataclass
class RequestTracker:
    home: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> RequestTracker:
        assert RT_SERVER.is_file() and PACKAGED_DB.is_file(), \
            "Request Tracker is not installed: run scripts/test-deps (request-tracker5 rt5-db-sqlite rt5-standalone)"
        (self.home / "conf.d").mkdir(parents=True, exist_ok=True)
        shutil.copy(PACKAGED_DB, self.home / "rtdb")
        (self.home / "site.pm").write_text(f"""
Set($rtname, 'kb-test');
Set($Organization, 'kb.test');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{self.home / "rtdb"}');
Set($WebPath, '');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {self.port});
Set($WebBaseURL, '{self.url}');
Set($LogToSyslog, undef);
Set($LogToSTDERR, 'error');
Set($MailCommand, 'testfile');
1;
""", encoding="utf-8")
        return self

    def start(self) -> RequestTracker:
        env = {**os.environ, "RT_SITE_CONFIG": str(self.home / "site.pm"),
               "RT_SITE_CONFIG_DIR": str(self.home / "conf.d")}
        with (self.home / "rt.log").open("ab") as log:
            self.proc = subprocess.Popen([str(RT_SERVER), "--server", "Standalone", "--host", "127.0.0.1",
                                          "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT,
                                         env=env, cwd=self.home)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.home / "rt.log").read_text(errors="replace")
            try:
                if self.call("GET", "/REST/2.0/queues/all")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("RT did not start: " + (self.home / "rt.log").read_text(errors="replace"))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        req = urllib.request.Request(self.url + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Basic {auth}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def create_ticket(self, subject: str) -> str:
        status, body = self.call("POST", "/REST/2.0/ticket", {"Queue": "General", "Subject": subject,
                                                              "Requestor": "cliente@example.org"})
        assert status == 201, body
        return str(body["id"])

    def comments(self, ticket: str) -> list[str]:
        """The text of every comment on ``ticket``, read back through REST2."""
        status, history = self.call("GET", f"/REST/2.0/ticket/{ticket}/history?per_page=100")
        assert status == 200, history
        out = []
        for item in history["items"]:
            status, txn = self.call("GET", f"/REST/2.0/transaction/{item['id']}")
            if txn.get("Type") != "Comment":
                continue
            status, atts = self.call("GET", f"/REST/2.0/transaction/{item['id']}/attachments"
                                     "?fields=Content,ContentType")
            for att in atts["items"]:
                if att.get("ContentType") == "text/plain" and att.get("Content"):
                    out.append(_text(att["Content"]))
        return out


def _text(content: str) -> str:
    try:
        decoded = base64.b64decode(content, validate=True).decode("utf-8")
    except ValueError:
        return content
    return decoded
