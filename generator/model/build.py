"""Turn read sources into typed models, mapping every model error to a position."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.content.sources import ArticleSource, ProtocolSource, ReadResult
from generator.content.yamlsafe import Located, PathKey, key_name
from generator.diagnostics import Diagnostic
from generator.model.article import Article, ArticleMeta
from generator.model.catalog import Catalog, ProtocolEntry
from generator.model.protocol import Protocol


def describe(value: Any) -> str:
    """How a found value reads in a message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"{shown!r}" if value else "an empty text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


_EXPECTED = {
    "string_type": "a text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _model_for(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class whose field set applies at ``loc`` (for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


# Whole-model rules that are about one key: report them at that key (or where it belongs).
_RULE_KEYS = {"needs_symptoms": "symptoms", "needs_cause": "cause"}


def error_to_diagnostic(
    err: ErrorDetails, model: type[BaseModel], located: Located, path: str, missing_suggested: set[PathKey]
) -> Diagnostic | None:
    loc: PathKey = tuple(p for p in err["loc"] if isinstance(p, str | int))
    kind = err["type"]
    if kind in _RULE_KEYS:
        loc = (*loc, _RULE_KEYS[kind])
        line, col = located.key_pos(loc)
        return Diagnostic(path, line, col, key_name(loc), err["msg"])
    found = err.get("input")
    key = key_name(loc)
    if kind == "missing":
        if loc in missing_suggested:
            return None  # already reported as a misspelt key
        line, col = located.pos(loc[:-1])
        return Diagnostic(path, line, col, key, "expected this required key, found it missing")
    if kind == "extra_forbidden":
        line, col = located.key_pos(loc)
        owner = _model_for(model, loc[:-1])
        fields = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(fields)}"
        return Diagnostic(path, line, col, key, f"expected a known key, found unknown key '{loc[-1]}'{hint}")
    line, col = located.pos(loc)
    ctx = err.get("ctx") or {}
    if kind in _EXPECTED:
        msg = f"expected {_EXPECTED[kind]}, found {describe(found)}"
    elif kind == "literal_error":
        msg = f"expected one of {ctx.get('expected', '')}, found {describe(found)}"
    elif kind == "string_pattern_mismatch":
        length = f" ({len(found)} characters)" if isinstance(found, str) and len(found) > 64 else ""
        msg = (f"expected an id of at most 64 lower-case letters, digits and hyphens ({ctx.get('pattern')}), "
               f"found {describe(found)}{length}")
    elif kind == "string_too_short":
        msg = f"expected a non-empty text, found {describe(found)}"
    elif kind == "string_too_long":
        msg = f"expected at most {ctx.get('max_length')} characters, found {len(str(found))}"
    elif kind in ("too_short", "too_long"):
        limit = ctx.get("min_length", ctx.get("max_length"))
        msg = f"expected {'at least' if kind == 'too_short' else 'at most'} " \
              f"{limit} item{'' if limit == 1 else 's'}, found {ctx.get('actual_length')}"
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = ctx.get("ge", ctx.get("le", ctx.get("gt", ctx.get("lt"))))
        word = {"greater_than_equal": "at least", "less_than_equal": "at most",
                "greater_than": "more than", "less_than": "less than"}[kind]
        msg = f"expected a number {word} {bound}, found {describe(found)}"
    else:
        msg = err["msg"]
    return Diagnostic(path, line, col, key, msg)


def _suggested_missing(errs: list[ErrorDetails], model: type[BaseModel]) -> set[PathKey]:
    """Required keys that are missing because an unknown key is a near-miss of them."""
    missing = {tuple(e["loc"]) for e in errs if e["type"] == "missing"}
    out: set[PathKey] = set()
    for e in errs:
        if e["type"] != "extra_forbidden":
            continue
        loc = tuple(e["loc"])
        owner = _model_for(model, loc[:-1])
        if owner is None:
            continue
        for match in difflib.get_close_matches(str(loc[-1]), list(owner.model_fields), n=1, cutoff=0.6):
            target = (*loc[:-1], match)
            if target in missing:
                out.add(target)
    return out


def build_model(model: type[BaseModel], located: Located, path: str) -> tuple[Any, list[Diagnostic]]:
    data = located.data
    if not isinstance(data, dict):
        return None, [Diagnostic(path, 1, 1, "document", f"expected a mapping of keys, found {describe(data)}")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errs = exc.errors(include_url=False)
        suggested = _suggested_missing(errs, model)
        diags = [d for e in errs if (d := error_to_diagnostic(e, model, located, path, suggested)) is not None]
        return None, diags


def build_article(src: ArticleSource) -> tuple[Article | None, list[Diagnostic]]:
    meta, diags = build_model(ArticleMeta, src.located, src.path)
    if meta is None:
        return None, diags
    return Article(meta=meta, area=src.area, path=src.path, body=src.body,
                   body_line=src.body_line, digest=src.digest), diags


def build_protocol(src: ProtocolSource) -> tuple[ProtocolEntry | None, list[Diagnostic]]:
    model, diags = build_model(Protocol, src.located, src.path)
    if model is None:
        return None, diags
    return ProtocolEntry(model=model, path=src.path, version=src.digest), diags


def build_catalog(read: ReadResult) -> tuple[Catalog, list[Diagnostic]]:
    """Every source that forms a valid model goes in the catalog; the rest are diagnostics."""
    diags: list[Diagnostic] = list(read.diagnostics)
    articles: list[Article] = []
    protocols: list[ProtocolEntry] = []
    positions: dict[str, Located] = {}
    for a_src in read.articles:
        positions[a_src.path] = a_src.located
        art, d = build_article(a_src)
        diags += d
        if art is not None:
            articles.append(art)
    for p_src in read.protocols:
        positions[p_src.path] = p_src.located
        proto, d = build_protocol(p_src)
        diags += d
        if proto is not None:
            protocols.append(proto)
    return Catalog(tuple(articles), tuple(protocols), positions), diags
