"""Real counterparts for the integration tests: a webhook receiver over HTTP, an SMTP server
(aiosmtpd) with STARTTLS or TLS and authentication, a self-signed certificate, technicians' tokens
made by the real `kb tokens add`, and a `kb serve` with an integrations file."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.service.conftest import Server, free_port, request

SECRET = "s3cret-shared-with-the-receiver"


def add_token(data_dir: Path, name: str) -> str:
    """A technician's token, made by the real CLI (printed once on stdout)."""
    done = subprocess.run([sys.executable, "-m", "generator.cli", "tokens", "add", name, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def start_service(site: Path, tmp: Path, integrations: str, *extra: str) -> Server:
    data = tmp / "data"
    data.mkdir(parents=True, exist_ok=True)
    (tmp / "integrations.toml").write_text(integrations, encoding="utf-8")
    return Server(site, f"sqlite:///{data / 'events.sqlite3'}", data,
                  ["--rate-limit", "0", "--integrations", str(tmp / "integrations.toml"), *extra]).start()


def note_body(session: str, ticket: str = "RT-7", articles: list[str] | None = None) -> dict[str, Any]:
    return {"session_id": session, "ticket_ref": ticket, "articles": articles or [],
            "summary": f"Protocolo: Sin conexión\nEjecución: {session}\nNotas:\nel cliente usa wifi"}


def post(server: Server, path: str, body: dict[str, Any], token: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    hdrs = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    status, decoded, _ = request(server, "POST", path, body, hdrs)
    return status, decoded


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@dataclass
class WebhookReceiver:
    """A webhook endpoint over real HTTP that checks what a receiver must check, independently of our
    code: the HMAC-SHA256 signature over "<timestamp>.<body>", the replay window, and the idempotency
    key (a note stored once per key). ``fail_first`` answers 503 to the first N requests."""

    secret: str = SECRET
    window: int = 300
    fail_first: int = 0
    clock_offset: float = 0.0  # the receiver's clock, moved to test the replay window
    requests: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def judge(self, headers: dict[str, str], body: bytes) -> int:
        stamp, sig = headers.get("x-kb-timestamp", ""), headers.get("x-kb-signature", "")
        expected = "sha256=" + hmac.new(self.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, sig):
            return 401
        if not stamp.isdigit() or abs(time.time() + self.clock_offset - int(stamp)) > self.window:
            return 401
        if len(self.requests) < self.fail_first:
            return 503
        self.stored.setdefault(headers["idempotency-key"], json.loads(body))
        return 200

    def start(self) -> WebhookReceiver:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = owner.judge(headers, body)
                owner.requests.append((headers, body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 'localhost' (and its key), made by openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    done = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                           "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                           "-keyout", str(key), "-out", str(cert)], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return cert, key


@dataclass
class MailServer:
    """aiosmtpd on loopback: ``mode`` starttls (required) or tls (implicit), AUTH required, messages kept."""

    cert: Path
    key: Path
    mode: str = "starttls"
    user: str = "kb-mailer"
    password: str = "mail-pass-123"
    refuse: bool = False  # answer 451 (try later) to every message
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    port: int = field(default_factory=free_port)

    def start(self) -> MailServer:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        owner = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                if owner.refuse:
                    return "451 4.3.0 try again later"
                owner.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                owner.messages.append(message_from_bytes(envelope.original_content))
                return "250 OK"

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and data.login.decode() == owner.user and \
                data.password.decode() == owner.password
            return AuthResult(success=ok)

        # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; with implicit TLS the whole
        # connection is encrypted before the first command, so AUTH is offered there without it.
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        common: dict[str, Any] = {"hostname": "127.0.0.1", "port": self.port, "authenticator": authenticator,
                                  "auth_require_tls": self.mode != "tls", "server_hostname": "localhost"}
        if self.mode == "tls":
            self.controller = Controller(Handler(), ssl_context=context, **common)
        else:
            self.controller = Controller(Handler(), tls_context=context, require_starttls=True, **common)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def new_session() -> str:
    return str(uuid.uuid4())
