"""JSON Schema for editors, generated from the models (never written by hand)."""

from __future__ import annotations

import json
from typing import Any

from generator.model.article import ArticleMeta
from generator.model.protocol import Protocol

SCHEMAS: dict[str, Any] = {"protocol": Protocol, "article": ArticleMeta}
SCHEMA_DIR = "schema"


def schema_for(name: str) -> dict[str, Any]:
    model = SCHEMAS[name]
    schema: dict[str, Any] = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{name}.schema.json"
    return schema


def schema_text(name: str) -> str:
    return json.dumps(schema_for(name), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
