"""The texts a program puts in its figures: titles, labels, legend entries, categories.

Each text is bounded before matplotlib makes anything of it: its length,
all the program's figure text together, and its mathtext (`$\\theta$`),
which matplotlib parses with a recursive-descent parser whose time grows
with the text and whose recursion grows with the nesting of braces. A
mathtext is parsed here once, at the call that sets it, so that a mistake
in it is the program's error at that line (Python would only fail when the
figure is shown) and a text too deep, too long or too big to draw never
reaches the drawing.

    figure_text          characters of one text
    figure_text_total    characters of all the texts of a program's figures
    mathtext             characters of one text with `$...$` in it
    mathtext_total       characters of all such texts of a program (each is
                         parsed twice: here, and when the figure is drawn)
    mathtext_depth       nesting of braces and \\left ... \\right in it
    mathtext_extent      width and height of its drawing, points (Agg would
                         allocate an image that big: `$\\hspace{99999999}$`)

Texts are drawn as glyph paths (app.plotting), so no text reaches an SVG as
markup: `</text><script>` in a title is drawn, character by character.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from matplotlib import cbook
from matplotlib.font_manager import FontProperties
from matplotlib.mathtext import MathTextParser

from app.errors import LimitExceeded
from app.plotting import drawing

MAX_TEXT = 500
MAX_TOTAL = 3_000
MAX_MATH = 300
MAX_MATH_TOTAL = 1_000
MAX_DEPTH = 10
MAX_EXTENT = 20_000.0  # points at matplotlib's largest allowed font size

_OPENING = ("{", "\\left")
_CLOSING = ("}", "\\right")


class Texts:
    """The figure texts of one program, counted."""

    __slots__ = ("total", "math")

    def __init__(self) -> None:
        self.total = 0
        self.math = 0

    def text(self, value: Any, what: str) -> str:
        """`value` as matplotlib would show it (str() of a number), bounded."""
        if isinstance(value, str):
            text = value
        elif isinstance(value, int | float | np.number) and not isinstance(value, bool):
            text = str(value)
        else:
            raise TypeError(f"{what} must be a string, not {type(value).__name__}")
        if len(text) > MAX_TEXT:
            raise LimitExceeded(
                "figure_text",
                MAX_TEXT,
                f"{what} is {len(text):,} characters long; a figure's text may be {MAX_TEXT:,}",
            )
        if self.total + len(text) > MAX_TOTAL:
            raise LimitExceeded(
                "figure_text_total",
                MAX_TOTAL,
                f"the program's figures would hold {self.total + len(text):,} characters of "
                f"text; at most {MAX_TOTAL:,}",
            )
        if cbook.is_math_text(text):
            if self.math + len(text) > MAX_MATH_TOTAL:
                raise LimitExceeded(
                    "mathtext_total",
                    MAX_MATH_TOTAL,
                    f"the program's figures would hold {self.math + len(text):,} characters "
                    f"of mathtext; at most {MAX_MATH_TOTAL:,}",
                )
            check_math(text, what)
            self.math += len(text)
        self.total += len(text)
        return text


def check_math(text: str, what: str) -> None:
    """Bound, then parse, a text with `$...$`: matplotlib's own error for a mistake."""
    if len(text) > MAX_MATH:
        raise LimitExceeded(
            "mathtext",
            MAX_MATH,
            f"{what} is mathtext of {len(text):,} characters; at most {MAX_MATH}",
        )
    depth = deepest = 0
    index = 0
    while index < len(text):
        if text.startswith("\\\\", index) or text.startswith("\\{", index):
            index += 2
            continue
        if text.startswith("\\}", index):
            index += 2
            continue
        opening = next((o for o in _OPENING if text.startswith(o, index)), None)
        closing = next((c for c in _CLOSING if text.startswith(c, index)), None)
        if opening is not None:
            depth += 1
            deepest = max(deepest, depth)
            index += len(opening)
        elif closing is not None:
            depth -= 1
            index += len(closing)
        else:
            index += 1
    if deepest > MAX_DEPTH:
        raise LimitExceeded(
            "mathtext_depth",
            MAX_DEPTH,
            f"{what} nests braces {deepest} deep; mathtext may nest {MAX_DEPTH}",
        )
    width, height = _extent(text)
    if max(width, height) > MAX_EXTENT:
        raise LimitExceeded(
            "mathtext_extent",
            int(MAX_EXTENT),
            f"{what} would be drawn {max(width, height):,.0f} points wide or high; "
            f"at most {MAX_EXTENT:,.0f}",
        )


@functools.lru_cache(maxsize=256)
def _extent(text: str) -> tuple[float, float]:
    """The size of the text's drawing at the largest font size a program may
    choose (app.evaluate.figure_args.MAX_FONT), in points; raises matplotlib's
    ValueError for a mistake."""
    with drawing(math=True):
        parsed = _PARSER.parse(text, dpi=72, prop=FontProperties(size=100.0))
    return float(parsed.width), float(parsed.height + parsed.depth)


_PARSER = MathTextParser("path")
