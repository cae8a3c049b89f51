"""Short label texts for values and gradients."""

from __future__ import annotations

from typing import Any

import pytest

from app.render.numbers import count, shape_text, short


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (5.1232266, "5.12323"),
        (195.0, "195.0"),
        (-2.0, "-2.0"),
        (1e-07, "1e-7"),
        (123456.0, "123456.0"),
        (1234567.0, "1.23457e6"),
        (3, "3"),
        (True, "True"),
        ("nan", "nan"),
        ("-inf", "-inf"),
        ([0.0, 2.0, 4.0], "[0.0, 2.0, 4.0]"),
        ([1.0, 1.2, 1.16, 1.12, 1.0941176], "[1.0, 1.2, 1.16, 1.12, 1.09412]"),
        ([[1.0, 2.0], [3.0, 4.0]], "[[1.0, 2.0], [3.0, 4.0]]"),
        ([1, 2, 3, 4, 5, 6], "[1, 2, 3, …]"),
        ([[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]], "[[0.5, 1.5, 2.5, …]]"),
        ([], "[]"),
    ],
)
def test_short(value: Any, text: str | None) -> None:
    assert short(value) == text


def test_long_texts_are_cut() -> None:
    text = short([123456.789] * 5)
    assert text is not None and len(text) == 40 and text.endswith("…")


def test_count_and_shape() -> None:
    assert count(2.0) == 1 and count([[1, 2], [3, 4], [5, 6]]) == 6 and count([]) == 0
    assert shape_text(()) == "()" and shape_text((5,)) == "(5)" and shape_text((2, 3)) == "(2, 3)"
    assert shape_text(None) == ""
