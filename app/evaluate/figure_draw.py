"""The calls that draw: on an Axes (`ax.plot`, and pyplot's `plt.plot` on the
current Axes) and on a Figure (`fig.suptitle`, `fig.colorbar`, ...).

Each call converts its arguments and keywords (app.evaluate.figure_args),
counts what it would draw (`Figures.draws`), and only then calls
matplotlib, inside app.plotting's settings. The keywords were checked by
name against app.parse.allowlist.pyplot before the call; here each is
checked with its value, and one without a check here is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure

from app.errors import LimitExceeded, NotAllowed
from app.evaluate import figure_args as F
from app.evaluate.figure_kinds import AxesGrid
from app.plotting import drawing

if TYPE_CHECKING:
    from app.evaluate.figures import Figures

Check = Callable[[Any, str, "Figures"], Any]
AxesCall = Callable[["Figures", Axes, list[Any], dict[str, Any]], Any]
FigureCall = Callable[["Figures", Figure, list[Any], dict[str, Any]], Any]


# -- keyword checks ---------------------------------------------------------------
def _number(low: float, high: float, limit: str | None = None) -> Check:
    return lambda v, what, s: F.number(v, what, low, high, limit)


def _choice(*allowed: str) -> Check:
    return lambda v, what, s: F.choice(v, what, allowed)


_COLOR: Check = lambda v, what, s: F.color(v, what)  # noqa: E731
_COLORS: Check = lambda v, what, s: F.colors(v, what)  # noqa: E731
_STYLE: Check = lambda v, what, s: F.line_style(v, what)  # noqa: E731
_WIDTH = _number(0.0, F.MAX_WIDTH, "line_width")
_ALPHA = _number(0.0, 1.0)
_TEXT: Check = lambda v, what, s: s.texts.text(v, what)  # noqa: E731
_ZORDER = _number(-1e6, 1e6)
_FLAG: Check = lambda v, what, s: F.flag(v, what)  # noqa: E731
_FONT: Check = lambda v, what, s: F.font_size(v, what)  # noqa: E731
_NAME: Check = lambda v, what, s: F.short(v, what)  # noqa: E731
_ANY_NUMBER = _number(-np.inf, np.inf)

LINE: dict[str, Check] = {
    "color": _COLOR,
    "c": _COLOR,
    "linestyle": _STYLE,
    "ls": _STYLE,
    "linewidth": _WIDTH,
    "lw": _WIDTH,
    "alpha": _ALPHA,
    "label": _TEXT,
    "zorder": _ZORDER,
    "marker": lambda v, what, s: F.marker(v, what, s.texts),
    "markersize": _number(0.0, F.MAX_MARKER, "marker_size"),
    "ms": _number(0.0, F.MAX_MARKER, "marker_size"),
}


def options(
    s: Figures, kwargs: dict[str, Any], checks: dict[str, Check], call: str
) -> dict[str, Any]:
    """The keywords of `call`, each checked with its value (None: matplotlib's default)."""
    checked: dict[str, Any] = {}
    for name, value in kwargs.items():
        check = checks.get(name)
        if check is None:
            raise NotAllowed(f"{call}() does not accept the keyword argument {name}= here")
        checked[name] = None if value is None else check(value, f"{call}()'s {name}=", s)
    return checked


def _call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with drawing(math=True, quiet=False):
        return method(*args, **kwargs)


# -- the Axes calls -----------------------------------------------------------------
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
    checked = options(s, kwargs, LINE, "plot")
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
    return _call(ax.plot, *converted, **checked)


_SCATTER: dict[str, Check] = {
    "s": lambda v, what, s: (
        F.number(v, what, 0.0, F.MAX_AREA, "marker_size")
        if F.count(v, what) == 1 and not isinstance(v, list | tuple)
        else _areas(v, what)
    ),
    "c": lambda v, what, s: _color_values(v, what),
    "color": _COLORS,
    "marker": LINE["marker"],
    "alpha": _ALPHA,
    "label": _TEXT,
    "cmap": _NAME,
    "vmin": _ANY_NUMBER,
    "vmax": _ANY_NUMBER,
    "edgecolors": _COLORS,
    "linewidths": _WIDTH,
    "zorder": _ZORDER,
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
    checked = options(s, kwargs, _SCATTER, "scatter")
    n = max(F.size(x), F.size(y))
    s.draws(ax, n, 1, n)
    return _call(ax.scatter, x, y, **checked)


_HIST: dict[str, Check] = {
    "bins": lambda v, what, s: _bins(v, what),
    "range": lambda v, what, s: _pair(v, what),
    "density": _FLAG,
    "cumulative": _FLAG,
    "histtype": _choice("bar", "barstacked", "step", "stepfilled"),
    "color": _COLORS,
    "edgecolor": _COLOR,
    "alpha": _ALPHA,
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


def _pair(value: Any, what: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise TypeError(f"{what} must be two numbers (low, high)")
    return (F.number(value[0], what), F.number(value[1], what))


def _hist(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) > 2:
        raise TypeError("hist() takes x and bins positionally; the rest by keyword")
    if len(args) == 2:
        kwargs = {**kwargs, "bins": args[1]}
    if not args:
        raise TypeError("hist() missing 1 required positional argument: 'x'")
    x = F.datasets(args[0], "hist()'s x")
    checked = options(s, kwargs, _HIST, "hist")
    bins = checked.get("bins")
    nbins = 10 if bins is None else bins if isinstance(bins, int) else max(1, bins.size - 1)
    if isinstance(x, list):
        sets = len(x)
    else:
        sets = x.shape[1] if x.ndim == 2 else 1
    shapes = nbins * sets if checked.get("histtype", "bar") in ("bar", "barstacked") else sets
    s.draws(ax, nbins * sets, shapes, shapes)
    return _call(ax.hist, x, **checked)


_BAR: dict[str, Check] = {
    "width": lambda v, what, s: v if F.count(v, what) == 1 and F._is_number(v) else F.data(v, what),
    "bottom": lambda v, what, s: v if F._is_number(v) else F.data(v, what),
    "align": _choice("center", "edge"),
    "color": _COLORS,
    "edgecolor": _COLORS,
    "alpha": _ALPHA,
    "label": _TEXT,
}


def _bar(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 2:
        raise TypeError("bar() takes x and height positionally")
    x = F.data_or_categories(args[0], "bar()'s x", s.texts)
    height = args[1] if F._is_number(args[1]) else F.data(args[1], "bar()'s height")
    checked = options(s, kwargs, _BAR, "bar")
    n = max(F.size(x), 1 if F._is_number(height) else F.size(height))
    for name in ("width", "bottom"):
        if isinstance(checked.get(name), np.ndarray):
            n = max(n, checked[name].size)
    s.draws(ax, n, n, n)
    return _call(ax.bar, x, height, **checked)


_IMSHOW: dict[str, Check] = {
    "cmap": _NAME,
    "vmin": _ANY_NUMBER,
    "vmax": _ANY_NUMBER,
    "aspect": lambda v, what, s: (
        F.choice(v, what, ("equal", "auto")) if isinstance(v, str) else F.number(v, what, 1e-3, 1e3)
    ),
    "origin": _choice("upper", "lower"),
    "extent": lambda v, what, s: _extent(v, what),
    "interpolation": _choice("nearest", "none", "antialiased", "bilinear", "bicubic"),
    "alpha": _ALPHA,
}


def _extent(value: Any, what: str) -> tuple[float, ...]:
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise TypeError(f"{what} must be four numbers (left, right, bottom, top)")
    return tuple(F.number(v, what) for v in value)


def _imshow(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 1:
        raise TypeError("imshow() takes the image (a 2-D tensor or array) positionally")
    image = F.data(args[0], "imshow()'s image")
    checked = options(s, kwargs, _IMSHOW, "imshow")
    cells = int(np.prod(image.shape[:2])) if image.ndim >= 2 else image.size
    s.draws(ax, cells, 1)
    return _call(ax.imshow, image, **checked)


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
        checked = options(s, kwargs, LINE, name)
        s.draws(ax, 2, 1)
        method = ax.axhline if name == "axhline" else ax.axvline
        return _call(method, **positions, **checked)

    return across


_FILL: dict[str, Check] = {
    "where": lambda v, what, s: F.data(v, what),
    "color": _COLOR,
    "alpha": _ALPHA,
    "label": _TEXT,
    "zorder": _ZORDER,
}


def _fill_between(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not 2 <= len(args) <= 3:
        raise TypeError("fill_between() takes x, y1 and y2 positionally")
    x, *ys = (a if F._is_number(a) else F.data(a, "fill_between()'s data") for a in args)
    checked = options(s, kwargs, _FILL, "fill_between")
    n = F.size(x) if isinstance(x, np.ndarray) else 1
    s.draws(ax, 2 * n, 1)
    return _call(ax.fill_between, x, *ys, **checked)


def _label(name: str, extra: dict[str, Check]) -> AxesCall:
    checks = {"fontsize": _FONT, "color": _COLOR, **extra}

    def label(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) != 1:
            raise TypeError(f"{name}() takes the text positionally")
        text = s.texts.text(args[0], f"{name}()'s text")
        checked = options(s, kwargs, checks, name)
        return _call(getattr(ax, name), text, **checked)

    return label


_LEGEND: dict[str, Check] = {
    "loc": lambda v, what, s: (
        F.choice(v, what, F.LEGEND_PLACES)
        if isinstance(v, str)
        else F.integer(v, what, 0, 10, "legend_loc")
        if isinstance(v, int)
        else _pair(v, what)
    ),
    "fontsize": _FONT,
    "title": _TEXT,
    "ncol": lambda v, what, s: F.integer(v, what, 1, 20, "legend_columns"),
    "frameon": _FLAG,
}


def _legend(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) > 2:
        raise TypeError("legend() takes labels, or handles and labels")
    given: list[Any] = []
    if len(args) == 2:
        handles = args[0]
        if not isinstance(handles, list | tuple):
            raise TypeError("legend()'s handles must be a list of what the program drew")
        given.append([F.artist(h, "a legend handle") for h in handles])
    if args:
        labels = args[-1]
        if not isinstance(labels, list | tuple):
            raise TypeError("legend()'s labels must be a list of texts")
        given.append([s.texts.text(label, "a legend label") for label in labels])
    checked = options(s, kwargs, _LEGEND, "legend")
    s.draws(ax, 0, 1)
    return _call(ax.legend, *given, **checked)


_GRID: dict[str, Check] = {
    "visible": _FLAG,
    "which": _choice("major", "minor", "both"),
    "axis": _choice("both", "x", "y"),
    **{name: LINE[name] for name in ("color", "linestyle", "ls", "linewidth", "lw", "alpha")},
}


def _grid(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> None:
    if len(args) > 1:
        raise TypeError("grid() takes visible positionally; the rest by keyword")
    if args:
        kwargs = {**kwargs, "visible": args[0]}
    checked = options(s, kwargs, _GRID, "grid")
    _call(ax.grid, **checked)


def set_limits(s: Figures, ax: Axes, axis: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """set_xlim / set_ylim (and pyplot's xlim / ylim as setters)."""
    low, high = ("left", "right") if axis == "x" else ("bottom", "top")
    if len(args) == 1 and isinstance(args[0], list | tuple):
        args = list(args[0])
    if len(args) > 2:
        raise TypeError(f"{axis}lim takes two limits")
    given = dict(zip((low, high), args, strict=False))
    for key, value in kwargs.items():
        if key not in (low, high):
            raise NotAllowed(f"{axis}lim does not accept the keyword argument {key}= here")
        if key in given:
            raise TypeError(f"{axis}lim got multiple values for argument {key!r}")
        given[key] = value
    limits = {
        key: None if value is None else F.number(value, f"the {key} limit")
        for key, value in given.items()
    }
    return _call(ax.set_xlim if axis == "x" else ax.set_ylim, **limits)


def _limits(axis: str, setter: bool) -> AxesCall:
    def limits(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if setter:
            return set_limits(s, ax, axis, args, kwargs)
        if args or kwargs:
            raise TypeError(f"get_{axis}lim() takes no arguments")
        return ax.get_xlim() if axis == "x" else ax.get_ylim()

    return limits


def _scale(axis: str) -> AxesCall:
    def scale(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> None:
        if len(args) != 1 or kwargs:
            raise TypeError(f"set_{axis}scale() takes the scale's name, and nothing else here")
        name = F.choice(args[0], "the scale", ("linear", "log", "symlog", "logit"))
        _call(ax.set_xscale if axis == "x" else ax.set_yscale, name)

    return scale


AXES_CALLS: dict[str, AxesCall] = {
    "plot": _plot,
    "scatter": _scatter,
    "hist": _hist,
    "bar": _bar,
    "imshow": _imshow,
    "axhline": _line_across("axhline", "y", ("xmin", "xmax")),
    "axvline": _line_across("axvline", "x", ("ymin", "ymax")),
    "fill_between": _fill_between,
    "set_xlabel": _label("set_xlabel", {}),
    "set_ylabel": _label("set_ylabel", {}),
    "set_title": _label("set_title", {"loc": _choice("left", "center", "right")}),
    "legend": _legend,
    "grid": _grid,
    "set_xlim": _limits("x", True),
    "set_ylim": _limits("y", True),
    "get_xlim": _limits("x", False),
    "get_ylim": _limits("y", False),
    "set_xscale": _scale("x"),
    "set_yscale": _scale("y"),
}


# -- the Figure calls ----------------------------------------------------------------
def figsize(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise TypeError("figsize must be (width, height) in inches")
    width, height = (
        F.number(v, "a figure's size", 0.5, F.MAX_INCHES, "figure_size") for v in value
    )
    return width, height


def sharing(value: Any, what: str) -> Any:
    if isinstance(value, str):
        return F.choice(value, what, ("all", "row", "col", "none"))
    return F.flag(value, what)


def grid_of(axes: np.ndarray[Any, Any], squeeze: bool) -> Any:
    """What subplots returns: one Axes, or an array of them (as an AxesGrid)."""
    if squeeze:
        if axes.size == 1:
            return axes.item()
        if 1 in axes.shape:
            return AxesGrid(axes.ravel())
    return AxesGrid(axes)


def subplot(s: Figures, figure: Figure, args: list[Any], name: str) -> Axes:
    """pyplot's subplot and Figure.add_subplot: the Axes at (nrows, ncols, index),
    the one already there if there is one."""
    if len(args) == 1:
        code = F.integer(args[0], f"{name}()'s position", 111, 999, "figure_axes")
        args = [code // 100, code // 10 % 10, code % 10]
    elif not args:
        args = [1, 1, 1]
    if len(args) != 3:
        raise TypeError(f"{name}() takes nrows, ncols and index")
    nrows = F.integer(args[0], "nrows", 1, F.MAX_AXES, "figure_axes")
    ncols = F.integer(args[1], "ncols", 1, F.MAX_AXES, "figure_axes")
    index = F.integer(args[2], "index", 1, nrows * ncols, "figure_axes")
    for ax in figure.axes:
        spec = ax.get_subplotspec()
        if (
            spec is not None
            and spec.get_gridspec().get_geometry() == (nrows, ncols)
            and (spec.num1, spec.num2) == (index - 1, index - 1)
        ):
            figure.sca(ax)
            return ax
    s.room_for_axes(figure, 1)
    ax = _call(figure.add_subplot, nrows, ncols, index)
    assert isinstance(ax, Axes)
    return ax


def _suptitle(s: Figures, figure: Figure, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 1:
        raise TypeError("suptitle() takes the text positionally")
    text = s.texts.text(args[0], "suptitle()'s text")
    checked = options(s, kwargs, {"fontsize": _FONT}, "suptitle")
    return _call(figure.suptitle, text, **checked)


def _tight_layout(s: Figures, figure: Figure, args: list[Any], kwargs: dict[str, Any]) -> None:
    if args or kwargs:
        raise TypeError("tight_layout() takes no arguments here")
    _call(figure.tight_layout)


def _colorbar(s: Figures, figure: Figure, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], ScalarMappable):
        raise TypeError("colorbar() needs the image (or scatter with c=) to explain")
    checked: dict[str, Any] = {}
    if kwargs.get("ax") is not None:
        ax = kwargs["ax"]
        if not isinstance(ax, Axes) or ax.get_figure(root=True) is not figure:
            raise TypeError("colorbar()'s ax= must be an Axes of the figure")
        checked["ax"] = ax
    if kwargs.get("label") is not None:
        checked["label"] = s.texts.text(kwargs["label"], "colorbar()'s label")
    s.room_for_axes(figure, 1)
    s.draws(figure, 0, 1)
    return _call(figure.colorbar, args[0], **checked)


def _add_subplot(s: Figures, figure: Figure, args: list[Any], kwargs: dict[str, Any]) -> Axes:
    if kwargs:
        raise TypeError("add_subplot() takes only nrows, ncols and index here")
    return subplot(s, figure, args, "add_subplot")


def _figure_gca(s: Figures, figure: Figure, args: list[Any], kwargs: dict[str, Any]) -> Axes:
    if args or kwargs:
        raise TypeError("gca() takes no arguments")
    if not figure.axes:
        s.room_for_axes(figure, 1)
    ax = _call(figure.gca)
    assert isinstance(ax, Axes)
    return ax


FIGURE_CALLS: dict[str, FigureCall] = {
    "suptitle": _suptitle,
    "tight_layout": _tight_layout,
    "colorbar": _colorbar,
    "add_subplot": _add_subplot,
    "gca": _figure_gca,
}
