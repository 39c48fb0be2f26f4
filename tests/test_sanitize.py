"""Raw HTML in Markdown never runs (issue #13, finding 2): one allow-list sanitiser for the pages and
the runner's `say`/`do`, a lint warning at `path:line` for what it removes, an opt-in for embeds, and
angle-bracket placeholders kept as visible text."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from generator.content.html import clean, keep_placeholders, unsafe_html
from tests.sitebuild import copy_tiny, kb, page

HOSTILE_BODY = """
<script>window.__pwned = 1</script>
<img src="x.png" onerror="window.__pwned = 2">
<a href="JaVaScRiPt:window.__pwned=3">enlace</a> y [otro](javascript:window.__pwned=4)
<IMG SRC=x OnError=alert(5)> <svg onload="alert(6)"></svg>
<iframe src="https://video.example/embed/1"></iframe>

Escriba `ping <servidor>` y conéctese a <IPAddress or Hostname> o a <your-server>.
"""
SAY = 'Diga esto <img src=x onerror="window.__pwned=7"> a <your-server>.'
DO = "Revise <script>window.__pwned=8</script> el <IPAddress or Hostname>."


def _hostile(tmp_path: Path, embeds: bool = False) -> Path:
    root = copy_tiny(tmp_path / "repo")
    art = root / "kb" / "red" / "cable-suelto.md"
    text = art.read_text(encoding="utf-8").replace("## Solución\n", "## Solución\n" + HOSTILE_BODY)
    art.write_text(text, encoding="utf-8")
    proto = root / "protocols" / "sin-conexion.yml"
    text = proto.read_text(encoding="utf-8")
    text = text.replace("basic: Vamos a comprobar juntos que el cable esté bien conectado.", f"basic: '{SAY}'")
    text = text.replace("Pida al cliente que mire **la luz** del puerto de red.", DO)
    proto.write_text(text, encoding="utf-8")
    if embeds:
        cfg = root / "mkdocs.yml"
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("  - kb\n", "  - kb:\n      html_embeds: true\n"),
                       encoding="utf-8")
    return root


def _no_active_content(fragment: str) -> None:
    assert "<script" not in fragment.lower()
    assert not re.search(r"\son\w+\s*=", fragment, re.I), fragment
    assert "javascript:" not in fragment.lower()
    assert "__pwned" not in fragment.replace("window.__pwned", "") or "<" not in fragment


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _hostile(tmp_path_factory.mktemp("sanitize"))
    done = kb("build", "--root", str(root))
    assert done.returncode == 0, done.stderr
    return root


def test_article_page_keeps_no_script_handler_or_javascript_link(built: Path) -> None:
    soup = page(built / "site", "red/cable-suelto")
    content = soup.select_one("article.md-content__inner")
    assert content is not None
    assert content.find_all("script") == [] and content.find_all("svg") == [] and content.find_all("iframe") == []
    for tag in content.find_all(True):
        assert not any(a.lower().startswith("on") for a in tag.attrs), tag
        href = str(tag.get("href", "")) + str(tag.get("src", ""))
        assert "javascript" not in href.lower()
    text = content.get_text()
    assert "<IPAddress or Hostname>" in text and "<your-server>" in text and "ping <servidor>" in text
    assert "enlace" in text and "otro" in text


def test_the_step_the_runner_shows_is_sanitised(built: Path) -> None:
    """The runner shows a copy of the server-rendered step (theme/fragments/step.md): its say and do are
    sanitised there, and the runner's data carries no Markdown of its own."""
    soup = page(built / "site", "protocolos/sin-conexion")
    data = json.loads(str(soup.select_one("#kb-protocol-data")["data-protocol"]))
    first = data["steps"][0]
    assert "say" not in first and "do" not in first
    step = soup.select_one(".kb-step[data-step='" + first["id"] + "']")
    say, do = str(step.select_one(".kb-r__say .kb-r__scroll")), str(step.select_one(".kb-r__do .kb-r__scroll"))
    for fragment in (say, do):
        _no_active_content(fragment)
    assert "&lt;your-server&gt;" in say
    assert "&lt;IPAddress or Hostname&gt;" in do
    content = str(soup.select_one("article.md-content__inner"))
    assert "<script" not in content and "onerror" not in content.lower()


def test_lint_reports_what_is_removed_at_its_line(built: Path) -> None:
    done = kb("lint", "--root", str(built), "--format", "json")
    found = [d for d in json.loads(done.stdout)["diagnostics"] if d["message"].endswith("[raw_html]")]
    art = (built / "kb" / "red" / "cable-suelto.md").read_text(encoding="utf-8").splitlines()
    lines = {d["line"] for d in found if d["path"] == "kb/red/cable-suelto.md"}
    assert {i + 1 for i, ln in enumerate(art) if re.search(r"<script|onerror|avaScRiPt|javascript:|<svg|<iframe",
                                                           ln, re.I)} == lines
    messages = " ".join(d["message"] for d in found)
    for what in ("the element <script>", "the attribute onerror of <img>", "the javascript: link of <a>",
                 "the javascript: link", "the element <svg>", "the element <iframe>"):
        assert what in messages
    proto = [d for d in found if d["path"] == "protocols/sin-conexion.yml"]
    assert {d["key"] for d in proto} == {"steps[0].say.basic", "steps[0].do"}
    assert all(d["severity"] == "warning" for d in found)
    assert "IPAddress" not in messages and "your-server" not in messages


def test_embeds_are_an_explicit_opt_in(tmp_path: Path) -> None:
    root = _hostile(tmp_path, embeds=True)
    assert kb("build", "--root", str(root)).returncode == 0
    content = page(root / "site", "red/cable-suelto").select_one("article.md-content__inner")
    assert content is not None
    assert [f["src"] for f in content.find_all("iframe")] == ["https://video.example/embed/1"]
    assert content.find_all("script") == []
    assert not any(a.lower().startswith("on") for t in content.find_all(True) for a in t.attrs)


@pytest.mark.parametrize("payload", [
    "<script>x()</script>", "<SCRIPT SRC=//e.example/x.js></SCRIPT>", '<img src=x onerror="x()">',
    '<a href="jAvAsCrIpT:x()">a</a>', '<a href=" javascript:x()">a</a>', '<a href="data:text/html,<b>">a</a>',
    '<div onmouseover="x()">d</div>', '<iframe src="javascript:x()"></iframe>', "<object data=x></object>",
    '<svg><script>x()</script></svg>', '<math><mtext><script>x()</script></mtext></math>',
    '<form action="javascript:x()"><button>b</button></form>', '<style>*{}</style>', '<base href="//e.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:x()">', '<body onload="x()">',
])
def test_clean_removes_active_content(payload: str) -> None:
    out = clean(payload).lower()
    assert "<script" not in out and "javascript:" not in out and "data:" not in out
    assert not re.search(r"<[^>]*\son\w+=", out)
    assert not re.search(r"<(iframe|object|form|style|base|meta|svg|math)\b", out)


def test_placeholders_stay_outside_code_and_only_there() -> None:
    md = "Use <host-name> and `<code>` and <b>bold</b>\n```\n<keep>\n```\n"
    assert keep_placeholders(md) == "Use &lt;host-name> and `<code>` and <b>bold</b>\n```\n<keep>\n```\n"
    assert html.unescape("&lt;host-name>") == "<host-name>"
    assert unsafe_html("<b>ok</b> <a href='https://x'>x</a> <your-server>") == []
