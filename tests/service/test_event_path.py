"""The event path's shortcuts skip work only where it cannot find anything (issue #18): the walk for control
characters runs whenever the body could hold one, and the nesting scan whenever it could be too deep."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.service.events import _control, controls_possible
from generator.service.security import MAX_DEPTH, BadBody, parse_json

TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FF)
               | st.sampled_from(["\ud800", "\udfff", "\x7f"]), max_size=30)


@settings(max_examples=400, deadline=None)
@given(TEXT, TEXT, st.booleans())
def test_a_body_with_a_control_character_is_always_walked(key: str, value: str, ascii_only: bool) -> None:
    try:
        body = json.dumps({"events": [{key: value, "page": "/"}]}, ensure_ascii=ascii_only).encode()
    except UnicodeEncodeError:
        return  # a raw lone surrogate cannot be sent as UTF-8 at all (parse_json refuses such bytes)
    try:
        payload = parse_json(body)
    except BadBody:
        return
    if _control(payload) is not None:
        assert controls_possible(body)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, MAX_DEPTH + 5])
def test_a_deep_body_is_still_refused(depth: int) -> None:
    body = ("[" * depth + "]" * depth).encode()
    with pytest.raises(BadBody, match="levels deep"):
        parse_json(body)
    assert parse_json(("[" * MAX_DEPTH + "]" * MAX_DEPTH).encode()) is not None


def _reference_parse(body: bytes) -> object:
    """The body parser as it was before issue #18's cuts (a decoder and a call per number every time)."""
    from generator.service import security as s

    if body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body:
        raise BadBody("bytes")
    text = body.decode("utf-8")
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and s._depth(body) > MAX_DEPTH:
        raise BadBody(f"expected JSON nested at most {MAX_DEPTH} levels deep, found deeper")
    try:
        return json.loads(text, object_pairs_hook=s._pairs, parse_int=s._number, parse_float=s._number,
                          parse_constant=s._constant)
    except BadBody:
        raise
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise BadBody(f"expected a JSON body, found invalid JSON ({exc.__class__.__name__}: {exc})"[:300]) from None


TOKENS = [b"[", b"{", b'"a":', b'"b":', b'"a"', b"1", b"-0.5e3", b"]", b"}", b",", b" ", b"9" * 21, b"1" * 20,
          b"1.5" + b"0" * 19, b"NaN", b"-Infinity", b'"NaN"', b'"9999999999999999999999"', b"true", b"null",
          b'"[{"', b'"\\"]"', b'{"a": 1, "a": 2}', b'{"events": [', b"]}", b"[" * 17, b"]" * 17]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, len(TOKENS) - 1), max_size=40))
def test_the_body_parser_answers_as_the_reference_does(picks: list[int]) -> None:
    """Decoders made once, numbers checked only when a body could hold a long one, nesting measured on the
    decoded containers: the same value, or the same refusal, as the straightforward parser for any body."""
    body = b"".join(TOKENS[i] for i in picks)
    try:
        expected: object = _reference_parse(body)
    except BadBody as exc:
        expected = str(exc)
    try:
        got: object = parse_json(body)
    except BadBody as exc:
        got = str(exc)
    assert got == expected, body


def test_a_body_is_parsed_without_a_decoder_made_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """``json.loads`` with any option builds a decoder and its scanner per call: a cost per request that the
    event path does not pay."""
    made: list[object] = []
    init = json.JSONDecoder.__init__

    def counting(self: json.JSONDecoder, *args: object, **kwargs: object) -> None:
        made.append(self)
        init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(json.JSONDecoder, "__init__", counting)
    body = json.dumps({"events": [{"id": "x", "n": 12, "path": [{"s": 1.5}] * 3} for _ in range(10)]}).encode()
    for _ in range(3):
        assert parse_json(body)["events"][9]["n"] == 12
    assert made == []
