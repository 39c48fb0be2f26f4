"""`kb events export|import`: JSONL round trip, idempotent import, CSV cells made safe."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from generator.cli import main
from generator.csvsafe import csv_safe
from generator.store import open_store
from tests.service.conftest import new_id, now_ts


def _events(n: int) -> list[dict[str, object]]:
    return [{"id": new_id(), "type": "feedback", "ts": now_ts(), "page": "/red/cable-suelto/",
             "article_id": "cable-suelto", "helpful": i % 2 == 0, "comment": f"=HYPERLINK(\"x\") {i}"}
            for i in range(n)]


def test_export_import_round_trip_is_idempotent(db: tuple[str, Path], tmp_path: Path,
                                                capsys: object) -> None:
    url, data = db
    events = _events(30)
    store = open_store(url, data)
    try:
        assert store.insert(events) == (30, 0)
    finally:
        store.close()
    out = tmp_path / "events.jsonl"
    assert main(["events", "export", "--db", url, "--data-dir", str(data), "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(str(e["id"]) for e in events)

    other = tmp_path / "other"
    dest = f"sqlite:///{other / 'events.sqlite3'}"
    for expected in ((30, 0), (0, 30)):  # the second import stores nothing new
        assert main(["events", "import", str(out), "--db", dest, "--data-dir", str(other)]) == 0
        err = capsys.readouterr().err  # type: ignore[attr-defined]
        assert f"imported {expected[0]} new events, {expected[1]} already stored, 0 rejected" in err
    copy = open_store(dest, other)
    try:
        assert sorted(e["id"] for e in copy.iter_events()) == sorted(str(e["id"]) for e in events)
    finally:
        copy.close()


def test_import_reports_bad_lines_and_keeps_good_ones(tmp_path: Path, capsys: object) -> None:
    good = _events(2)
    src = tmp_path / "in.jsonl"
    bad = dict(good[0], id=new_id(), rating=9)
    src.write_text("\n".join([json.dumps(good[0]), "{not json", json.dumps(bad), json.dumps(good[1])]) + "\n",
                   encoding="utf-8")
    data = tmp_path / "data"
    assert main(["events", "import", str(src), "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "imported 2 new events, 0 already stored, 2 rejected" in err
    assert f"{src.as_posix()}:2:2: expected a JSON event, found invalid JSON" in err
    assert f"{src.as_posix()}:3:1: rating: expected a number of at most 5, found 9" in err
    store = open_store(None, data)
    try:
        assert store.count() == 2
    finally:
        store.close()


def test_csv_export_neutralises_formulas(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = open_store(None, data)
    try:
        store.insert(_events(3))
    finally:
        store.close()
    out = tmp_path / "e.csv"
    assert main(["events", "export", "--format", "csv", "--data-dir", str(data), "--out", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["id", "type", "ts", "page", "article_id", "protocol_id", "session_id", "practice", "payload"]
    assert len(rows) == 4
    for cell in (c for row in rows[1:] for c in row):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert [csv_safe(v) for v in ["=1", "+1", "-1", "@x", "\t1", "\r1", "ok", None]] == [
        "'=1", "'+1", "'-1", "'@x", "'\t1", "'\r1", "ok", ""]


def test_database_must_stay_inside_the_data_folder(tmp_path: Path, capsys: object) -> None:
    outside = tmp_path / "elsewhere" / "x.sqlite3"
    assert main(["events", "export", "--db", f"sqlite:///{outside}", "--data-dir", str(tmp_path / "data")]) == 2
    assert "must be inside the data directory" in capsys.readouterr().err  # type: ignore[attr-defined]
    assert not outside.exists()
