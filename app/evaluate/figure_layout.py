"""The calls that label and arrange a figure: titles and axis labels,
legend, grid, limits, scales on an Axes; suptitle, tight_layout, colorbar
and subplots on a Figure; and the tables of every Axes and Figure call
(AXES_CALLS, FIGURE_CALLS), which the value kinds and pyplot run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure

from app.errors import NotAllowed
from app.evaluate import figure_args as F
from app.evaluate import figure_options as O
from app.evaluate.figure_draw import DRAW_CALLS, AxesCall
from app.evaluate.figure_kinds import AxesGrid

if TYPE_CHECKING:
    from app.evaluate.figures import Figures

FigureCall = Callable[["Figures", Figure, list[Any], dict[str, Any]], Any]


def _label(name: str, extra: dict[str, O.Check]) -> AxesCall:
    checks = {"fontsize": O.FONT, "color": O.COLOR, **extra}

    def label(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) != 1:
            raise TypeError(f"{name}() takes the text positionally")
        text = s.texts.text(args[0], f"{name}()'s text")
        checked = O.options(s, kwargs, checks, name)
        return O.call(getattr(ax, name), text, **checked)

    return label


_LEGEND: dict[str, O.Check] = {
    "loc": lambda v, what, s: (
        F.choice(v, what, F.LEGEND_PLACES)
        if isinstance(v, str)
        else F.integer(v, what, 0, 10, "legend_loc")
        if isinstance(v, int)
        else F.pair(v, what)
    ),
    "fontsize": O.FONT,
    "title": O.TEXT,
    "ncol": lambda v, what, s: F.integer(v, what, 1, 20, "legend_columns"),
    "frameon": O.FLAG,
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
    checked = O.options(s, kwargs, _LEGEND, "legend")
    # Its entries: the labels given, else those of the labelled lines and shapes.
    entries = len(given[-1]) if given else len(ax.get_legend_handles_labels()[1])
    s.draws(ax, 0, 1 + entries * F.LEGEND_ENTRY_COST)
    return O.call(ax.legend, *given, **checked)


_GRID: dict[str, O.Check] = {
    "visible": O.FLAG,
    "which": O.choice("major", "minor", "both"),
    "axis": O.choice("both", "x", "y"),
    **{name: O.LINE[name] for name in ("color", "linestyle", "ls", "linewidth", "lw", "alpha")},
}


def _grid(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> None:
    if len(args) > 1:
        raise TypeError("grid() takes visible positionally; the rest by keyword")
    if args:
        kwargs = {**kwargs, "visible": args[0]}
    checked = O.options(s, kwargs, _GRID, "grid")
    O.call(ax.grid, **checked)


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
    return O.call(ax.set_xlim if axis == "x" else ax.set_ylim, **limits)


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
        O.call(ax.set_xscale if axis == "x" else ax.set_yscale, name)

    return scale


def _set(s: Figures, ax: Axes, args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
    """ax.set(xlabel=..., xlim=...): each keyword's set_ call in turn, as
    matplotlib's Axes.set calls them (the table names the keywords); their results."""
    if args:
        raise TypeError("set() takes keyword arguments only")
    return [AXES_CALLS[f"set_{key}"](s, ax, [value], {}) for key, value in kwargs.items()]


AXES_CALLS: dict[str, AxesCall] = {
    **DRAW_CALLS,
    "set_xlabel": _label("set_xlabel", {}),
    "set_ylabel": _label("set_ylabel", {}),
    "set_title": _label("set_title", {"loc": O.choice("left", "center", "right")}),
    "legend": _legend,
    "grid": _grid,
    "set_xlim": _limits("x", True),
    "set_ylim": _limits("y", True),
    "get_xlim": _limits("x", False),
    "get_ylim": _limits("y", False),
    "set_xscale": _scale("x"),
    "set_yscale": _scale("y"),
    "set": _set,
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
    ax = O.call(figure.add_subplot, nrows, ncols, index)
    assert isinstance(ax, Axes)
    return ax


def _suptitle(s: Figures, figure: Figure, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 1:
        raise TypeError("suptitle() takes the text positionally")
    text = s.texts.text(args[0], "suptitle()'s text")
    checked = O.options(s, kwargs, {"fontsize": O.FONT}, "suptitle")
    return O.call(figure.suptitle, text, **checked)


def _tight_layout(s: Figures, figure: Figure, args: list[Any], kwargs: dict[str, Any]) -> None:
    if args or kwargs:
        raise TypeError("tight_layout() takes no arguments here")
    O.call(figure.tight_layout)


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
    return O.call(figure.colorbar, args[0], **checked)


def _add_subplot(s: Figures, figure: Figure, args: list[Any], kwargs: dict[str, Any]) -> Axes:
    if kwargs:
        raise TypeError("add_subplot() takes only nrows, ncols and index here")
    return subplot(s, figure, args, "add_subplot")


def _figure_gca(s: Figures, figure: Figure, args: list[Any], kwargs: dict[str, Any]) -> Axes:
    if args or kwargs:
        raise TypeError("gca() takes no arguments")
    if not figure.axes:
        s.room_for_axes(figure, 1)
    ax = O.call(figure.gca)
    assert isinstance(ax, Axes)
    return ax


FIGURE_CALLS: dict[str, FigureCall] = {
    "suptitle": _suptitle,
    "tight_layout": _tight_layout,
    "colorbar": _colorbar,
    "add_subplot": _add_subplot,
    "gca": _figure_gca,
}
