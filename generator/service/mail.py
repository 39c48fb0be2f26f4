"""Follow-up e-mail to the customer through the team's SMTP server.

The message is plain text (the runner's follow-up message, with its satisfaction link), from the
configured sender. Security: ``starttls`` (default, port 587), ``tls`` (implicit TLS, port 465)
or ``none`` (only for a relay on this host); authentication when a user is configured. A
refused recipient or a 5xx answer is permanent; an unreachable server or a 4xx answer is retried
by the outbound queue.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from generator.service.connectors import DeliveryError

ADDRESS_RE = re.compile(r"^[^@\s<>,;\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
SECURITY = ("starttls", "tls", "none")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    sender: str
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    password: str | None = None
    subject: str = "Seguimiento de su consulta"
    cafile: str | None = None  # a private CA (tests, internal relays); the system's CAs otherwise
    timeout: float = 20.0

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SmtpConfig:
        known = {"host", "from", "port", "security", "user", "password", "subject", "cafile", "timeout"}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(f"smtp.{unknown[0]}: expected one of {', '.join(sorted(known))}, found an unknown key")
        security = options.get("security", "starttls")
        if security not in SECURITY:
            raise ValueError(f"smtp.security: expected one of {', '.join(SECURITY)}, found {security!r}")
        sender = options.get("from")
        if not isinstance(sender, str) or not ADDRESS_RE.match(sender):
            raise ValueError(f"smtp.from: expected an e-mail address, found {sender!r}")
        host = options.get("host")
        if not isinstance(host, str) or not host:
            raise ValueError(f"smtp.host: expected a host name, found {host!r}")
        return cls(host=host, sender=sender, port=int(options.get("port", 465 if security == "tls" else 587)),
                   security=security, user=options.get("user"), password=options.get("password"),
                   subject=str(options.get("subject", cls.subject)), cafile=options.get("cafile"),
                   timeout=float(options.get("timeout", 20.0)))


def check_address(address: str) -> str | None:
    """None when ``address`` is one plain e-mail address; otherwise why not."""
    if not ADDRESS_RE.match(address):
        return f"expected one e-mail address such as ana@example.org, found {address[:80]!r}"
    return None


def build_message(config: SmtpConfig, to: str, body: str, session_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.sender
    msg["To"] = to
    msg["Subject"] = config.subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(idstring=session_id[:8], domain=config.sender.split("@", 1)[1])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    return msg


def _context(config: SmtpConfig) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=config.cafile)


def send_message(config: SmtpConfig, msg: EmailMessage) -> str:
    """Hand ``msg`` to the SMTP server; the server's answer, or :class:`DeliveryError`."""
    try:
        if config.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                                    context=_context(config))
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            client.ehlo()
            if config.security == "starttls":
                client.starttls(context=_context(config))
                client.ehlo()
            if config.user:
                client.login(config.user, config.password or "")
            refused = client.send_message(msg)
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError("the mail server refused the recipient", retryable=False) from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise DeliveryError(f"the mail server answered {exc.smtp_code} {text[:160]}",
                            retryable=exc.smtp_code < 500) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"the mail server does not offer what is configured: {exc}", retryable=True) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"cannot reach the mail server {config.host}:{config.port}: {exc}",
                            retryable=True) from None
    if refused:
        raise DeliveryError("the mail server refused the recipient", retryable=False)
    return "accepted by the mail server"
