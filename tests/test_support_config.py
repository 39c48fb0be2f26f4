"""Support contacts in the site configuration: checked at build time, errors name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.render.support import SupportError, support_data
from tests.sitebuild import copy_tiny, kb

GOOD = {"phone": "+34 900 123 456", "email": "soporte@example.com", "chat_url": "https://chat.example.com/",
        "ticket_url": "https://t.example.com/new?s={subject}&b={body}",
        "hours": {"timezone": "Europe/Madrid", "mon-fri": "08:00-18:00", "sat": "09:00-13:00"}}


def test_good_config_becomes_the_pages_data() -> None:
    data = support_data(GOOD)
    assert data["hours"] == {"timezone": "Europe/Madrid",
                             "week": [[480, 1080]] * 5 + [[540, 780], None]}
    assert support_data({}) == {} and support_data(None) == {}


@pytest.mark.parametrize(("bad", "message"), [
    ({"email": "nope"}, "support.email: expected an e-mail address, found 'nope'"),
    ({"chat_url": "http://chat"}, "support.chat_url: expected an https:// URL, found 'http://chat'"),
    ({"ticket_url": "javascript:alert(1)"}, "support.ticket_url: expected an https:// URL"),
    ({"phone": "call us"}, "support.phone: expected a phone number"),
    ({"hours": {"timezone": "Mars/Base"}}, "support.hours.timezone: expected an IANA time zone"),
    ({"hours": {"timezone": "UTC", "mon-fry": "08:00-18:00"}}, "support.hours.mon-fry: expected a day"),
    ({"hours": {"timezone": "UTC", "mon": "18:00-08:00"}}, "support.hours.mon: expected opening-closing"),
    ({"fax": "1"}, "support.fax: expected one of phone, email, chat_url, ticket_url, hours"),
])
def test_bad_values_are_named(bad: dict[str, object], message: str) -> None:
    with pytest.raises(SupportError) as err:
        support_data(bad)
    assert str(err.value).startswith(message)


def test_build_refuses_a_bad_support_setting(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path / "repo")
    cfg = root / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "plugins:\n  - kb\n", "plugins:\n  - kb:\n      support:\n        email: nope\n"), encoding="utf-8")
    result = kb("build", "--root", str(root))
    assert result.returncode != 0
    assert "support.email: expected an e-mail address, found 'nope'" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
