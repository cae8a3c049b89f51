"""app/budget.py: text cut with a marker, bytes taken from one budget."""

from __future__ import annotations

import json

import pytest

from app.budget import LABEL_CHARS, Budget, check_bytes, cut, json_size, name_label
from app.errors import LimitExceeded


def test_text_is_cut_with_a_marker_that_says_how_much_went() -> None:
    assert cut("abc", 3) == "abc"
    assert cut("abcdef", 3) == "abc… [3 more characters]"
    assert cut("A" * 100_000, 10) == "AAAAAAAAAA… [99,990 more characters]"


def test_long_names_are_cut_and_stay_apart() -> None:
    short = "x" * LABEL_CHARS
    assert name_label(short) == short and name_label(None) is None
    one, two = "a" * 19_000 + "1", "a" * 19_000 + "2"
    assert name_label(one) != name_label(two)
    assert len(name_label(one)) < LABEL_CHARS + 60
    assert name_label(one) == name_label(one)  # the same in every process: no random salt


def test_json_size_is_the_compact_utf8_size() -> None:
    for value in ["é", {"a": [1, 2.5, None]}, 'quote"and\\', "\x01"]:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        assert json_size(value) == len(text.encode())


def test_a_budget_spends_only_what_it_has() -> None:
    budget = Budget(100)
    assert budget.take(60) and budget.left == 40
    assert not budget.take(41) and budget.left == 40 and budget.short
    part = budget.share(0.5)
    assert part.limit == 20 and part.take(15)
    part.note("cut")
    budget.settle(part)
    assert budget.left == 25 and budget.notes == ["cut"]
    budget.note("cut")
    assert budget.notes == ["cut"]


def test_an_image_past_the_limit_is_refused() -> None:
    assert check_bytes(b"x" * 10, 10) == b"x" * 10
    with pytest.raises(LimitExceeded) as caught:
        check_bytes(b"x" * 11, 10, "the drawing")
    assert caught.value.limit == "answer_bytes" and caught.value.value == 10
    assert "the drawing" in caught.value.detail


def test_a_body_just_past_the_limit_reads_as_more_than_it() -> None:
    with pytest.raises(LimitExceeded) as caught:
        check_bytes(b"x" * ((1 << 20) + 10), 1 << 20)
    assert "would be 1,048,586 bytes, more than the limit of 1.0 MiB" in caught.value.detail
    with pytest.raises(LimitExceeded) as caught:
        check_bytes(b"x" * (3 << 20), 1 << 20)
    assert "would be 3.0 MiB, more than the limit of 1.0 MiB" in caught.value.detail
