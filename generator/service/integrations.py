"""The integrations file: ticket connector, SMTP server, outbound queue and auth options.

A TOML file kept on the server (``<data>/integrations.toml`` by default, or ``kb serve
--integrations FILE``); credentials are read here and never reach a page. See docs/operations.md.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.service.connectors import KINDS, TicketConnector, build_connector
from generator.service.mail import SmtpConfig

SECTIONS = ("auth", "ticket", "smtp", "outbound")


@dataclass(frozen=True)
class OutboundOptions:
    retention_days: float = 7.0
    base_delay_seconds: float = 30.0
    max_delay_seconds: float = 3600.0
    interval_seconds: float = 5.0


@dataclass(frozen=True)
class Integrations:
    connector: TicketConnector | None = None
    smtp: SmtpConfig | None = None
    outbound: OutboundOptions = OutboundOptions()
    proxy_header: str = "x-forwarded-user"


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a table [{key}], found {type(value).__name__}")
    return value


def _outbound(options: Mapping[str, Any], where: str) -> OutboundOptions:
    known = OutboundOptions.__dataclass_fields__
    values: dict[str, float] = {}
    for key, value in options.items():
        if key not in known:
            raise ValueError(f"{where}: outbound.{key}: expected one of {', '.join(known)}, found an unknown key")
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"{where}: outbound.{key}: expected a positive number, found {value!r}")
        values[key] = float(value)
    out = OutboundOptions(**values)
    if out.retention_days > 7:
        raise ValueError(f"{where}: outbound.retention_days: expected at most 7 (e-mail addresses are kept "
                         f"no longer), found {out.retention_days:g}")
    return out


def parse(data: Mapping[str, Any], where: str = "integrations") -> Integrations:
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ValueError(f"{where}: {unknown[0]}: expected one of {', '.join(SECTIONS)}, found an unknown table")
    ticket = _table(data, "ticket", where)
    connector = None
    if ticket:
        kind = ticket.get("connector")
        if kind not in KINDS:
            raise ValueError(f"{where}: ticket.connector: expected one of {', '.join(KINDS)}, found {kind!r}")
        try:
            connector = build_connector(kind, _table(ticket, kind, where))
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    smtp_table = _table(data, "smtp", where)
    try:
        smtp = SmtpConfig.from_options(smtp_table) if smtp_table else None
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    header = str(_table(data, "auth", where).get("proxy_header", "X-Forwarded-User")).lower()
    return Integrations(connector, smtp, _outbound(_table(data, "outbound", where), where), header)


def load(path: Path | None) -> Integrations:
    """Read the file; none (or a missing default file) means no connector and no mail."""
    if path is None or not path.is_file():
        return Integrations()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: expected TOML, found an error: {exc}") from None
    return parse(data, str(path))
