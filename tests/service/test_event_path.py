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
