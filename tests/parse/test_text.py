"""Raw-text hygiene: size, invalid characters, bidi controls, empty programs."""

from __future__ import annotations

import pytest

from app.errors import LimitExceeded, NotAllowed, SourceSyntaxError
from app.limits import Limits
from app.parse import parse_program
from app.parse.text import char_position, split_lines


def test_source_limit_names_the_limit() -> None:
    with pytest.raises(LimitExceeded) as caught:
        parse_program("x = 1\n" * 10, Limits(source_chars=20))
    assert caught.value.limit == "source_chars"
    assert caught.value.value == 20
    assert "20" in caught.value.detail


def test_source_at_the_limit_parses() -> None:
    parse_program("x" * 20, Limits(source_chars=20))


@pytest.mark.parametrize(
    ("source", "line", "column", "words"),
    [
        ("x = 1\ny = 2\x00", 2, 6, "NUL"),
        ("x = '\ud800'", 1, 6, "surrogate"),
        ("s = 1\n  \x1b", 2, 3, "U+001B"),
        ("é = 1 \x7f", 1, 7, "control"),
        ("\x85", 1, 1, "control"),
    ],
)
def test_invalid_characters(source: str, line: int, column: int, words: str) -> None:
    with pytest.raises(SourceSyntaxError) as caught:
        parse_program(source)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert words in caught.value.detail


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200f", "\u061c"])
def test_bidi_controls_are_refused_even_in_comments(char: str) -> None:
    with pytest.raises(NotAllowed) as caught:
        parse_program(f"x = 1\ny = 2  # é{char}")
    assert (caught.value.line, caught.value.column) == (2, 11)
    assert f"U+{ord(char):04X}" in caught.value.detail


def test_tabs_and_form_feeds_are_fine() -> None:
    parse_program("if True:\n\tx = 1\n\x0cy = 2")


@pytest.mark.parametrize("source", ["", "   ", "\n\n\t\n"])
def test_empty_program(source: str) -> None:
    with pytest.raises(SourceSyntaxError) as caught:
        parse_program(source)
    assert "empty" in caught.value.detail
    assert caught.value.line == 1


def test_comments_only() -> None:
    with pytest.raises(SourceSyntaxError) as caught:
        parse_program("# nothing\n# here")
    assert "comments" in caught.value.detail


def test_line_breaks_are_counted_as_the_tokenizer_counts_them() -> None:
    assert split_lines("a\r\nb\rc\nd\u2028e") == ["a", "b", "c", "d\u2028e"]
    assert char_position("ab\r\ncd", 4) == (2, 1)
