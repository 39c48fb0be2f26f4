"""Writes the JSON Schemas generated from the models (`kb schema`)."""

from __future__ import annotations

from pathlib import Path

from generator.model.schema import SCHEMAS, schema_text


def write_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        target = out_dir / f"{name}.schema.json"
        target.write_text(schema_text(name), encoding="utf-8")
        written.append(target)
    return written
