"""The calls that draw data on an Axes: plot, scatter, hist, bar, imshow,
axhline and axvline, fill_between (and pyplot's, on the current Axes).

Each converts its data (app.evaluate.figure_args) and checks its keywords
(app.evaluate.figure_options), counts what it would draw (`Figures.draws`:
points, lines and shapes, markers), and only then calls matplotlib.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes

from app.errors import LimitExceeded
from app.evaluate import figure_args as F
from app.evaluate import figure_options as O

if TYPE_CHECKING:
    from app.evaluate.figures import Figures

AxesCall = Callable[["Figures", Axes, list[Any], dict[str, Any]], Any]


_FORMAT_MARKERS = frozenset(".,ov^<>1234sp*hH+xXDd|_8P")
_FORMAT_NOT_MARKERS = re.compile(r"C\d|--|-\.|-|:")


def has_marker(fmt: str | None, marker: Any) -> bool:
    """Whether a line is drawn with a marker at each point (by its format
    string or marker=); generous: a format matplotlib refuses counts too."""
    if marker not in (None, "", " ", "None", "none"):
        return True
    rest = _FORMAT_NOT_MARKERS.sub("", fmt or "")
    return any(ch in _FORMAT_MARKERS for ch in rest)


def _groups(args: list[Any]) -> list[list[Any]]:
    """plot's positional arguments in matplotlib's groups: x, y and a format
    string, two at a time, the format joining the pair before it."""
    groups = []
    rest = list(args)
    while rest:
        this, rest = rest[:2], rest[2:]
        if rest and isinstance(rest[0], str):
            this.append(rest.pop(0))
        groups.append(this)
    return groups


def _plot(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    checked = O.options(s, kwargs, O.LINE, "plot")
    converted: list[Any] = []
    points = lines = markers = 0
    for group in _groups(args):
        fmt = group[-1] if isinstance(group[-1], str) else None
        values = group[:-1] if fmt is not None else group
        if not values:
            raise TypeError("plot() got a format string without data before it")
        arrays: list[Any] = [F.data_or_categories(v, "plot()'s data", s.texts) for v in values]
        if fmt is not None:
            arrays.append(F.short(fmt, "plot()'s format string"))
        converted.extend(arrays)
        sizes = [F.size(a) for a in arrays[: len(values)]]
        columns = [
            a.shape[1] for a in arrays[: len(values)] if isinstance(a, np.ndarray) and a.ndim == 2
        ]
        n = max(sizes)
        points += n
        lines += max(columns, default=1)
        if has_marker(fmt, checked.get("marker")):
            markers += n
    if not args:
        return []
    s.draws(ax, points, lines, markers)
    return O.call(ax.plot, *converted, **checked)


_SCATTER: dict[str, O.Check] = {
    "s": lambda v, what, s: (
        F.number(v, what, 0.0, F.MAX_AREA, "marker_size")
        if F.count(v, what) == 1 and not isinstance(v, list | tuple)
        else _areas(v, what)
    ),
    "c": lambda v, what, s: _color_values(v, what),
    "color": O.COLORS,
    "marker": O.LINE["marker"],
    "alpha": O.ALPHA,
    "label": O.TEXT,
    "cmap": O.NAME,
    "vmin": O.ANY_NUMBER,
    "vmax": O.ANY_NUMBER,
    "edgecolors": O.COLORS,
    "linewidths": O.WIDTH,
    "zorder": O.ZORDER,
}


def _areas(value: Any, what: str) -> Any:
    areas = F.data(value, what)
    largest = float(np.nanmax(np.abs(areas))) if areas.size else 0.0
    if largest > F.MAX_AREA:
        raise LimitExceeded(
            "marker_size", F.MAX_AREA, f"{what} holds a marker area of {largest:g} points squared"
        )
    return areas


def _color_values(value: Any, what: str) -> Any:
    """scatter's c=: colours, or numbers mapped through the colormap."""
    if isinstance(value, str) or (
        isinstance(value, list | tuple) and value and isinstance(value[0], str)
    ):
        return F.colors(value, what)
    return F.data(value, what)


def _scatter(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 2:
        raise TypeError("scatter() takes x and y positionally; sizes and colours as s= and c=")
    x = F.data_or_categories(args[0], "scatter()'s x", s.texts)
    y = F.data_or_categories(args[1], "scatter()'s y", s.texts)
    checked = O.options(s, kwargs, _SCATTER, "scatter")
    n = max(F.size(x), F.size(y))
    s.draws(ax, n, F.SCATTER_COST, n)
    return O.call(ax.scatter, x, y, **checked)


_HIST: dict[str, O.Check] = {
    "bins": lambda v, what, s: _bins(v, what),
    "range": lambda v, what, s: F.pair(v, what),
    "density": O.FLAG,
    "cumulative": O.FLAG,
    "histtype": O.choice("bar", "barstacked", "step", "stepfilled"),
    "color": O.COLORS,
    "edgecolor": O.COLOR,
    "alpha": O.ALPHA,
    "label": lambda v, what, s: (
        [s.texts.text(x, what) for x in v] if isinstance(v, list | tuple) else s.texts.text(v, what)
    ),
}


def _bins(value: Any, what: str) -> Any:
    # A number, or the edges; never a name ("auto" would size the bins by the data).
    if isinstance(value, int) and not isinstance(value, bool):
        return F.integer(value, what, 1, F.MAX_BINS, "hist_bins")
    edges = F.data(value, what)
    if edges.size > F.MAX_BINS + 1:
        F.integer(edges.size - 1, f"the bins of {what}", 1, F.MAX_BINS, "hist_bins")
    return edges


def _hist(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) > 2:
        raise TypeError("hist() takes x and bins positionally; the rest by keyword")
    if len(args) == 2:
        kwargs = {**kwargs, "bins": args[1]}
    if not args:
        raise TypeError("hist() missing 1 required positional argument: 'x'")
    x = F.datasets(args[0], "hist()'s x")
    checked = O.options(s, kwargs, _HIST, "hist")
    bins = checked.get("bins")
    nbins = 10 if bins is None else bins if isinstance(bins, int) else max(1, bins.size - 1)
    if isinstance(x, list):
        sets = len(x)
    else:
        sets = x.shape[1] if x.ndim == 2 else 1
    shapes = nbins * sets if checked.get("histtype", "bar") in ("bar", "barstacked") else sets
    s.draws(ax, nbins * sets, shapes)
    return O.call(ax.hist, x, **checked)


_BAR: dict[str, O.Check] = {
    "width": lambda v, what, s: v if F.count(v, what) == 1 and F._is_number(v) else F.data(v, what),
    "bottom": lambda v, what, s: v if F._is_number(v) else F.data(v, what),
    "align": O.choice("center", "edge"),
    "color": O.COLORS,
    "edgecolor": O.COLORS,
    "alpha": O.ALPHA,
    "label": O.TEXT,
}


def _bar(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 2:
        raise TypeError("bar() takes x and height positionally")
    x = F.data_or_categories(args[0], "bar()'s x", s.texts)
    height = args[1] if F._is_number(args[1]) else F.data(args[1], "bar()'s height")
    checked = O.options(s, kwargs, _BAR, "bar")
    n = max(F.size(x), 1 if F._is_number(height) else F.size(height))
    for name in ("width", "bottom"):
        if isinstance(checked.get(name), np.ndarray):
            n = max(n, checked[name].size)
    s.draws(ax, n, n)
    return O.call(ax.bar, x, height, **checked)


_IMSHOW: dict[str, O.Check] = {
    "cmap": O.NAME,
    "vmin": O.ANY_NUMBER,
    "vmax": O.ANY_NUMBER,
    "aspect": lambda v, what, s: (
        F.choice(v, what, ("equal", "auto")) if isinstance(v, str) else F.number(v, what, 1e-3, 1e3)
    ),
    "origin": O.choice("upper", "lower"),
    "extent": lambda v, what, s: _extent(v, what),
    "interpolation": O.choice("nearest", "none", "antialiased", "bilinear", "bicubic"),
    "alpha": O.ALPHA,
}


def _extent(value: Any, what: str) -> tuple[float, ...]:
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise TypeError(f"{what} must be four numbers (left, right, bottom, top)")
    return tuple(F.number(v, what) for v in value)


def _imshow(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 1:
        raise TypeError("imshow() takes the image (a 2-D tensor or array) positionally")
    image = F.data(args[0], "imshow()'s image")
    checked = O.options(s, kwargs, _IMSHOW, "imshow")
    cells = int(np.prod(image.shape[:2])) if image.ndim >= 2 else image.size
    s.draws(ax, cells, 1, cells=cells)
    return O.call(ax.imshow, image, **checked)


def _line_across(name: str, where: str, span: tuple[str, str]) -> AxesCall:
    """axhline and axvline: a line at y (or x) across the Axes."""
    names = (where, *span)

    def across(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) > 3:
            raise TypeError(f"{name}() takes {where}, {span[0]} and {span[1]}")
        given = dict(zip(names, args, strict=False))
        for key in names:
            if key in kwargs:
                if key in given:
                    raise TypeError(f"{name}() got multiple values for argument {key!r}")
                given[key] = kwargs.pop(key)
        positions = {key: F.number(value, f"{name}()'s {key}") for key, value in given.items()}
        checked = O.options(s, kwargs, O.LINE, name)
        s.draws(ax, 2, 1)
        method = ax.axhline if name == "axhline" else ax.axvline
        return O.call(method, **positions, **checked)

    return across


_FILL: dict[str, O.Check] = {
    "where": lambda v, what, s: F.data(v, what),
    "color": O.COLOR,
    "alpha": O.ALPHA,
    "label": O.TEXT,
    "zorder": O.ZORDER,
}


def _fill_between(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not 2 <= len(args) <= 3:
        raise TypeError("fill_between() takes x, y1 and y2 positionally")
    x, *ys = (a if F._is_number(a) else F.data(a, "fill_between()'s data") for a in args)
    checked = O.options(s, kwargs, _FILL, "fill_between")
    n = F.size(x) if isinstance(x, np.ndarray) else 1
    s.draws(ax, 2 * n, 1)
    return O.call(ax.fill_between, x, *ys, **checked)


DRAW_CALLS: dict[str, AxesCall] = {
    "plot": _plot,
    "scatter": _scatter,
    "hist": _hist,
    "bar": _bar,
    "imshow": _imshow,
    "axhline": _line_across("axhline", "y", ("xmin", "xmax")),
    "axvline": _line_across("axvline", "x", ("ymin", "ymax")),
    "fill_between": _fill_between,
}
