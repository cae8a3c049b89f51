"""A program's figures: pyplot's calls over real matplotlib, one program's state.

`plt` (app.parse.allowlist.pyplot) is a namespace of Functions of kind
"pyplot"; calling one runs the function of the same name here with the
program's `Figures`, the state pyplot keeps globally (its figures, the
current one) kept per program instead, on the machine. Figures are
`matplotlib.figure.Figure` objects with an Agg canvas, never pyplot's
figure manager, never a GUI backend; the Axes and Figures a program holds
get their methods from app.evaluate.figure_kinds.

Every call checks and converts its arguments (app.evaluate.figure_args,
app.evaluate.figure_text) and counts what it would draw against the figure
limits before matplotlib draws anything, then runs inside app.plotting's
settings (restored after the call: rcParams are never changed for the next
program). matplotlib's warnings reach the answer, as Python would print
them.

`show()` and `close()` end a figure, as pyplot does: the next call draws in
a new one (or in the figure that was current before). Every figure with
something drawn in it is part of the answer (`drawn`), closed or not.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colorbar import Colorbar
from matplotlib.colorizer import ColorizingArtist
from matplotlib.figure import Figure

from app.errors import LimitExceeded, NotAllowed
from app.evaluate import figure_args as F
from app.evaluate import figure_layout as D
from app.evaluate.figure_kinds import AxesGrid, Calls
from app.evaluate.figure_text import Texts
from app.evaluate.kinds import CALLERS, register
from app.evaluate.machine import Machine
from app.evaluate.values import Function
from app.limits import Limits
from app.parse.allowlist import pyplot as table
from app.plotting import drawing


class Figures:
    """pyplot's state for one program: its figures, the open ones, what they hold."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.made: list[Figure] = []  # in the order the program made them
        self.open: list[Figure] = []  # pyplot's open figures; the last is the current one
        self.points: dict[int, int] = {}  # id(figure) -> data points drawn in it
        self.budget: F.Budget = F.Budget()
        self.texts: Texts = Texts()

    # -- figures ---------------------------------------------------------------
    def new_figure(self, figsize: tuple[float, float] | None) -> Figure:
        if len(self.made) >= self.limits.figures:
            raise LimitExceeded(
                "figures",
                self.limits.figures,
                f"a program may make {self.limits.figures} figures",
            )
        with drawing(math=True, quiet=False):
            figure = Figure(figsize=figsize)
            FigureCanvasAgg(figure)
        self.made.append(figure)
        self.open.append(figure)
        self.points[id(figure)] = 0
        return figure

    def gcf(self) -> Figure:
        return self.open[-1] if self.open else self.new_figure(None)

    def gca(self) -> Axes:
        figure = self.gcf()
        if not figure.axes:
            self.room_for_axes(figure, 1)
        with drawing(math=True, quiet=False):
            return figure.gca()

    def close(self, figure: Figure | None) -> None:
        if figure is None:
            if self.open:
                self.open.pop()
        elif figure in self.open:
            self.open.remove(figure)

    def owns(self, figure: Figure | None) -> Figure:
        if figure is None or not any(figure is made for made in self.made):
            raise NotAllowed("that figure is not one this program made")
        return figure

    # -- what a call would draw ------------------------------------------------
    def room_for_axes(self, figure: Figure, n: int) -> None:
        """Count `n` new Axes of `figure` (subplots, a colorbar)."""
        if len(figure.axes) + n > F.MAX_AXES:
            raise LimitExceeded(
                "figure_axes",
                F.MAX_AXES,
                f"a figure may hold {F.MAX_AXES} Axes (subplots and colorbars); "
                f"this would make {len(figure.axes) + n}",
            )
        self.budget.add(n * F.AXES_COST)

    def draws(
        self,
        target: Axes | Figure,
        points: int,
        cost: int,
        markers: int = 0,
        cells: int = 0,
    ) -> None:
        """Count what a call on `target` would draw (app.evaluate.figure_args.Budget:
        `cost` in weighted artists); refuse it past a limit."""
        figure = target if isinstance(target, Figure) else target.get_figure(root=True)
        assert isinstance(figure, Figure)
        held = self.points.get(id(figure), 0) + points
        if held > self.limits.figure_points:
            raise LimitExceeded(
                "figure_points",
                self.limits.figure_points,
                f"this figure would hold {held:,} data points; a figure may hold "
                f"{self.limits.figure_points:,}",
            )
        self.budget.add(cost, markers, cells)
        self.points[id(figure)] = held

    def drawn(self) -> list[Figure]:
        """The answer's figures: those with something in them, in order."""
        return [figure for figure in self.made if figure.axes]


def state(m: Machine) -> Figures:
    """The program's figures, made at its first plotting call."""
    figures = m.library_state.get("pyplot")
    if figures is None:
        figures = m.library_state["pyplot"] = Figures(m.limits)
    assert isinstance(figures, Figures)
    return figures


def is_drawing(value: Any) -> bool:
    """What a plotting call returns (lines, a legend, an Axes, ...): never a
    program's output, as None is not (`plt.plot(...)` last in a program)."""
    if isinstance(value, list | tuple) and value:
        return all(is_drawing(item) for item in value)
    return isinstance(value, Artist | Colorbar | AxesGrid)


def drawn_figures(m: Machine) -> list[Figure]:
    figures = m.library_state.get("pyplot")
    return figures.drawn() if isinstance(figures, Figures) else []


# -- pyplot's own functions ------------------------------------------------------
Call = Callable[[Figures, list[Any], dict[str, Any]], Any]


def _no_arguments(name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    if args or kwargs:
        raise TypeError(f"{name}() takes no arguments here")


def _figure(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> Figure:
    if args:
        raise NotAllowed("figure() takes only figsize= here (figure numbers are not available)")
    return s.new_figure(D.figsize(kwargs.get("figsize")))


def _subplots(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> tuple[Figure, Any]:
    if len(args) > 2:
        raise TypeError("subplots() takes nrows and ncols positionally; the rest by keyword")
    names = ("nrows", "ncols")
    for name, value in zip(names, args, strict=False):
        if name in kwargs:
            raise TypeError(f"subplots() got multiple values for argument {name!r}")
        kwargs[name] = value
    nrows = F.integer(kwargs.pop("nrows", 1), "nrows", 1, F.MAX_AXES, "figure_axes")
    ncols = F.integer(kwargs.pop("ncols", 1), "ncols", 1, F.MAX_AXES, "figure_axes")
    figsize = D.figsize(kwargs.pop("figsize", None))
    options = {
        name: D.sharing(kwargs[name], name) for name in ("sharex", "sharey") if name in kwargs
    }
    squeeze = F.flag(kwargs.pop("squeeze", True), "squeeze")
    figure = s.new_figure(figsize)
    s.room_for_axes(figure, nrows * ncols)
    with drawing(math=True, quiet=False):
        axes = figure.subplots(nrows, ncols, squeeze=False, **options)
    return figure, D.grid_of(axes, squeeze)


def _subplot(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> Axes:
    if kwargs:
        raise TypeError("subplot() takes only nrows, ncols and index here")
    return D.subplot(s, s.gcf(), args, "subplot")


def _gca(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> Axes:
    _no_arguments("gca", args, kwargs)
    return s.gca()


def _gcf(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> Figure:
    _no_arguments("gcf", args, kwargs)
    return s.gcf()


def _limits(axis: str) -> Call:
    def limits(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> Any:
        ax = s.gca()
        if not args and not kwargs:  # the getter: what matplotlib returns
            return ax.get_xlim() if axis == "x" else ax.get_ylim()
        return D.set_limits(s, ax, axis, args, kwargs)

    return limits


def _show(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> None:
    _no_arguments("show", args, kwargs)
    s.open.clear()  # the inline backend shows every open figure, then closes them


def _close(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> None:
    if kwargs or len(args) > 1:
        raise TypeError("close() takes one figure, 'all' or nothing")
    which = args[0] if args else None
    if which == "all":
        s.open.clear()
    elif which is None or isinstance(which, Figure):
        s.close(None if which is None else s.owns(which))
    else:
        raise TypeError(f"close() takes a figure or 'all', not {type(which).__name__}")


def _forward(name: str) -> Call:
    """pyplot's `name`: the Axes call of the same meaning, on the current Axes."""
    method = D.AXES_CALLS[table.FORWARDED[name]]

    def forward(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> Any:
        ax = s.gca()
        drawn = method(s, ax, args, kwargs)
        if isinstance(drawn, ColorizingArtist):
            ax._sci(drawn)  # as pyplot's imshow and scatter make it the current image
        return drawn

    return forward


def _on_figure(name: str) -> Call:
    """pyplot's `name`: the Figure call of the same name, on the current figure."""
    method = D.FIGURE_CALLS[name]

    def on_figure(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return method(s, s.gcf(), args, kwargs)

    return on_figure


def _colorbar(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) > 1:
        raise TypeError("colorbar() takes one mappable (an image) positionally")
    mappable = args[0] if args else kwargs.pop("mappable", None)
    if mappable is None:  # pyplot's gci(): the current Axes' last image
        mappable = s.gcf()._gci()
        if mappable is None:
            raise RuntimeError(
                "No mappable was found to use for colorbar creation. First define a "
                "mappable such as an image (with imshow) or a contour set (with contourf)."
            )
    if not isinstance(mappable, ScalarMappable):
        raise TypeError("colorbar() needs an image or a scatter with c= the program drew")
    return D.FIGURE_CALLS["colorbar"](s, s.gcf(), [mappable], kwargs)


def _seaborn_set(s: Figures, args: list[Any], kwargs: dict[str, Any]) -> None:
    """sns.set(): seaborn's theme is not drawn here; the call is accepted as is."""
    _no_arguments("set", args, kwargs)


PYPLOT_CALLS: dict[str, Call] = {
    **{name: _forward(name) for name in table.FORWARDED},
    "figure": _figure,
    "subplots": _subplots,
    "subplot": _subplot,
    "gca": _gca,
    "gcf": _gcf,
    "xlim": _limits("x"),
    "ylim": _limits("y"),
    "suptitle": _on_figure("suptitle"),
    "tight_layout": _on_figure("tight_layout"),
    "colorbar": _colorbar,
    "show": _show,
    "close": _close,
}
assert set(PYPLOT_CALLS) == set(table.PYPLOT), set(PYPLOT_CALLS) ^ set(table.PYPLOT)

# What app.evaluate.namespaces wraps as the Functions of `plt` and `sns`.
PYPLOT = SimpleNamespace(**PYPLOT_CALLS)
SEABORN = SimpleNamespace(set=_seaborn_set)


def call(m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    """The caller of kind "pyplot" (a step is counted, the keywords checked)."""
    implementation: Call = fn.target
    return implementation(state(m), args, kwargs)


CALLERS["pyplot"] = call
register(Axes, Calls("Axes", table.AXES_METHODS, D.AXES_CALLS, state))
register(Figure, Calls("Figures", table.FIGURE_METHODS, D.FIGURE_CALLS, state))
