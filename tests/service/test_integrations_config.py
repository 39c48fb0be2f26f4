"""The integrations file: errors name the file and the key; addresses are never kept over 7 days."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.service.integrations import load


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "integrations.toml"
    path.write_text(text, encoding="utf-8")
    return load(path)


@pytest.mark.parametrize(("text", "message"), [
    ("[outbound]\nretention_days = 8\n", "outbound.retention_days: expected at most 7 (e-mail addresses are kept "
     "no longer), found 8"),
    ("[outbound]\nretention_days = 0\n", "outbound.retention_days: expected a positive number, found 0"),
    ('[smtp]\nhost = "h"\nfrom = "a@b.example"\nsecurity = "ssl"\n',
     "smtp.security: expected one of starttls, tls, none, found 'ssl'"),
    ('[smtp]\nhost = "h"\nfrom = "nobody"\n', "smtp.from: expected an e-mail address, found 'nobody'"),
    ('[smtp]\nhost = "h"\nfrom = "a@b.example"\npasword = "x"\n', "smtp.pasword: expected one of"),
    ('[ticket]\nconnector = "rt"\n[ticket.rt]\nurl = "https://rt.example"\n', "ticket.rt.user: expected a value"),
    ('[tickets]\n', "tickets: expected one of auth, ticket, smtp, outbound, found an unknown table"),
    ("[ticket\n", "expected TOML, found an error"),
])
def test_errors_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        _load(tmp_path, text)
    assert str(err.value).startswith(f"{tmp_path / 'integrations.toml'}: ")
    assert message in str(err.value)


def test_no_file_means_no_connector_and_no_mail(tmp_path: Path) -> None:
    found = load(tmp_path / "missing.toml")
    assert found.connector is None and found.smtp is None and found.outbound.retention_days == 7


def test_a_bad_file_stops_kb_serve_with_a_usage_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "i.toml").write_text("[outbound]\nretention_days = 30\n", encoding="utf-8")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>x</p>", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "generator.cli", "serve", "--no-build", "-d", str(tmp_path / "site"),
                           "--data-dir", str(tmp_path / "data"), "--integrations", str(tmp_path / "i.toml"),
                           "--port", "1"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith(
        f"kb: error: {tmp_path / 'i.toml'}: outbound.retention_days: expected at most 7")
