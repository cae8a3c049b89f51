"""The arguments of a program's plotting calls, checked and bounded before matplotlib sees them.

matplotlib would take almost anything as an argument and do something with
it: call methods of an object it does not know, read a path, choose a
number of bins from the data, draw a dash pattern of a billion dashes. So
every argument of a plotting call is converted here first, and matplotlib
only ever gets numbers, NumPy arrays, short strings and the program's own
matplotlib objects:

- data: lists, tuples, Python and NumPy numbers, NumPy arrays of numbers
  and tensors, converted with `np.asarray` as matplotlib itself does (a
  tensor that requires grad is refused by torch's own message, as in
  Python); strings only where matplotlib makes categories of them;
- numbers within a range (widths, sizes, limits), named choices (line
  styles, scales, legend places), colours (a name, a hex string, or 3 or 4
  numbers), texts (bounded, app.evaluate.figure_text).

What a call would draw is counted against the figure limits before the
call (app.evaluate.figures): `Budget` holds the counts of one program.

    figures              figures per program (Limits.figures)
    figure_points        data points drawn in one figure (Limits.figure_points)
    figure_artists       what all the program's figures hold, weighted by its
                         cost: lines, bars, bins, images 1, a legend entry
                         2, a scatter 3, an Axes (subplots, colorbars) 20
    figure_markers       markers drawn one by one, all figures
    image_cells          cells of the images (imshow), all figures
    figure_axes          Axes in one figure
    figure_size          inches of a figure's side
    hist_bins            bins of one histogram
    line_width, marker_size, font_size   points
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import torch
from matplotlib.artist import Artist

from app.errors import LimitExceeded, NotAllowed
from app.evaluate.figure_text import Texts

Tensor = torch.Tensor

# What a program's figures may hold, all together, weighted by what each
# costs matplotlib to make and draw (measured: a line, bar, bin or image
# about 2 ms; a legend entry twice that, a scatter three times; an Axes, with
# its ticks and their labels, about 40 ms).
MAX_ARTISTS = 400
SCATTER_COST = 3
LEGEND_ENTRY_COST = 2
AXES_COST = 20
MAX_MARKERS = 10_000  # drawn one by one: about 50 us each
MAX_IMAGE_CELLS = 250_000  # about 2.5 us each, resampled and written as PNG
MAX_AXES = 16  # in one figure
MAX_INCHES = 20.0
MAX_BINS = 500
MAX_WIDTH = 100.0  # line widths, points
MAX_MARKER = 100.0  # marker sizes, points
MAX_AREA = MAX_MARKER**2  # scatter's s, points squared
MAX_FONT = 100.0
MAX_NESTING = 4  # lists of lists of ... (an RGB image is 3 deep)
SHORT = 64  # colour names, format strings, colormap names

LINE_STYLES = frozenset(
    {"-", "--", "-.", ":", "", " ", "None", "none", "solid", "dashed", "dashdot", "dotted"}
)
LEGEND_PLACES = frozenset(
    (
        "best upper right|upper left|lower left|lower right|right|center left|center right|"
        "lower center|upper center|center"
    )
    .replace("best ", "best|")
    .split("|")
)
FONT_SIZES = frozenset(
    {"xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large", "smaller", "larger"}
)

Data = np.ndarray[Any, Any]


def _as_array(value: Any) -> Data:
    """`np.asarray` as matplotlib calls it; torch refuses a tensor that requires grad."""
    array: Data = np.asarray(value)
    return array


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number | np.bool_) or (
        isinstance(value, Tensor | np.ndarray) and value.ndim == 0
    )


def _numeric(array: Data, what: str) -> Data:
    if array.dtype.kind not in "biufc":
        raise TypeError(f"{what} must be numbers, not {array.dtype} values")
    return array


def count(value: Any, what: str, depth: int = 0) -> int:
    """Elements in `value` as data, without converting it: lists, tuples,
    numbers, arrays and tensors only."""
    if isinstance(value, Tensor | np.ndarray):
        return int(value.size if isinstance(value, np.ndarray) else value.numel())
    if _is_number(value):
        return 1
    if isinstance(value, list | tuple) and depth < MAX_NESTING:
        return sum(count(item, what, depth + 1) for item in value)
    if isinstance(value, list | tuple):
        raise NotAllowed(f"{what} is nested more than {MAX_NESTING} lists deep")
    raise TypeError(
        f"{what} must be numbers, lists, NumPy arrays or tensors, not {type(value).__name__}"
    )


def data(value: Any, what: str) -> Data:
    """A plotting argument as an array of numbers."""
    count(value, what)
    return _numeric(_as_array(value), what)


def is_categories(value: Any) -> bool:
    return (
        isinstance(value, list | tuple) and bool(value) and all(isinstance(v, str) for v in value)
    )


def data_or_categories(value: Any, what: str, texts: Texts) -> Data | list[str]:
    """x of plot, scatter and bar: numbers, or strings matplotlib makes categories of."""
    if is_categories(value):
        return [texts.text(item, f"a category of {what}") for item in value]
    return data(value, what)


def datasets(value: Any, what: str) -> Data | list[Data]:
    """hist's x: one array, or a list of arrays of any lengths (one dataset each)."""
    if isinstance(value, list | tuple) and value and not any(_is_number(v) for v in value):
        return [data(item, what) for item in value]
    return data(value, what)


def size(value: Data | list[Any]) -> int:
    return int(value.size) if isinstance(value, np.ndarray) else len(value)


def number(
    value: Any,
    what: str,
    low: float = -math.inf,
    high: float = math.inf,
    limit: str | None = None,
) -> float:
    """One number (a 0-d tensor or array too) within [low, high]; above `high`,
    the LimitExceeded `limit` if the bound is a limit, else a ValueError."""
    if not _is_number(value) or isinstance(value, bool | np.bool_):
        raise TypeError(f"{what} must be a number, not {type(value).__name__}")
    result = float(value) if isinstance(value, int | float) else float(_as_array(value).real)
    if math.isnan(result) and (low > -math.inf or high < math.inf):
        raise ValueError(f"{what} must be a number, not nan")
    if result < low:
        raise ValueError(f"{what} must be at least {low:g}, not {result:g}")
    if result > high:
        if limit is None:
            raise ValueError(f"{what} must be at most {high:g}, not {result:g}")
        raise LimitExceeded(limit, high, f"{what} is {result:g}; at most {high:g}")
    return result


def integer(value: Any, what: str, low: int, high: int, limit: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{what} must be an integer, not {type(value).__name__}")
    result = int(value)
    if result < low:
        raise ValueError(f"{what} must be at least {low}, not {result}")
    if result > high:
        raise LimitExceeded(limit, high, f"{what} is {result:,}; at most {high:,}")
    return result


def flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool | int | np.bool_):
        raise TypeError(f"{what} must be True or False, not {type(value).__name__}")
    return bool(value)


def choice(value: Any, what: str, allowed: Iterable[str]) -> str:
    options = sorted(allowed)
    if not isinstance(value, str) or value not in options:
        shown = ", ".join(repr(o) for o in options if o.strip())
        raise ValueError(f"{what} must be one of {shown}, not {_short_repr(value)}")
    return value


def short(value: Any, what: str) -> str:
    """A name: a colour, a colormap, a format string (never mathtext)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, not {type(value).__name__}")
    if len(value) > SHORT or "$" in value:
        raise ValueError(f"{what} {_short_repr(value)} is not a name matplotlib knows")
    return value


def color(value: Any, what: str) -> Any:
    """A colour: a name or hex string, or (r, g, b[, a]) numbers in [0, 1]."""
    if isinstance(value, str):
        return short(value, what)
    if isinstance(value, list | tuple) and len(value) in (3, 4):
        return tuple(number(v, f"a component of {what}", 0.0, 1.0) for v in value)
    raise TypeError(
        f"{what} must be a colour name, '#rrggbb' or (r, g, b), not {_short_repr(value)}"
    )


def colors(value: Any, what: str) -> Any:
    """One colour, or one colour per bar or point."""
    if isinstance(value, list | tuple) and value and isinstance(value[0], str | list | tuple):
        if len(value) > MAX_MARKERS:
            raise LimitExceeded(
                "figure_markers", MAX_MARKERS, f"{what} lists {len(value):,} colours"
            )
        return [color(v, what) for v in value]
    return color(value, what)


def line_style(value: Any, what: str) -> str:
    # Named styles only: a dash pattern of tiny dashes takes Agg forever.
    return choice(value, what, LINE_STYLES)


def marker(value: Any, what: str, texts: Texts) -> Any:
    """A marker: its one-character code, a name, an int code, or `$math$`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return integer(value, what, 0, 11, "marker")
    if isinstance(value, str) and value.startswith("$"):
        return texts.text(value, what)
    return short(value, what)


def font_size(value: Any, what: str) -> Any:
    if isinstance(value, str):
        return choice(value, what, FONT_SIZES)
    return number(value, what, 1.0, MAX_FONT, "font_size")


def artist(value: Any, what: str) -> Artist:
    if not isinstance(value, Artist):
        raise TypeError(f"{what} must be something the program drew, not {type(value).__name__}")
    return value


def pair(value: Any, what: str) -> tuple[float, float]:
    """Two numbers: a range (low, high) or a place (x, y)."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise TypeError(f"{what} must be two numbers (low, high)")
    return (number(value[0], what), number(value[1], what))


def _short_repr(value: Any) -> str:
    text = repr(value) if isinstance(value, str | int | float) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


class Budget:
    """What one program has drawn so far, against the program-wide figure limits."""

    __slots__ = ("artists", "markers", "cells")

    def __init__(self) -> None:
        self.artists = 0
        self.markers = 0
        self.cells = 0

    def add(self, cost: int, markers: int = 0, cells: int = 0) -> None:
        """Count what a call is about to draw: `cost` in weighted artists,
        `markers` drawn one by one, `cells` of images."""
        if self.artists + cost > MAX_ARTISTS:
            raise LimitExceeded(
                "figure_artists",
                MAX_ARTISTS,
                f"the program's figures would hold {self.artists + cost:,} lines, bars, bins, "
                f"images (a legend entry counts {LEGEND_ENTRY_COST}, a scatter "
                f"{SCATTER_COST}, an Axes {AXES_COST}); at most {MAX_ARTISTS:,}",
            )
        if self.markers + markers > MAX_MARKERS:
            raise LimitExceeded(
                "figure_markers",
                MAX_MARKERS,
                f"the program's figures would draw {self.markers + markers:,} markers; "
                f"at most {MAX_MARKERS:,}",
            )
        if self.cells + cells > MAX_IMAGE_CELLS:
            raise LimitExceeded(
                "image_cells",
                MAX_IMAGE_CELLS,
                f"the program's images would have {self.cells + cells:,} cells; "
                f"at most {MAX_IMAGE_CELLS:,}",
            )
        self.artists += cost
        self.markers += markers
        self.cells += cells
