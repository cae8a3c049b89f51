"""The matplotlib values a program holds, as value kinds (app.evaluate.kinds).

- a Figure (`fig = plt.figure()`, `fig, ax = plt.subplots()`): its calls
  of app.parse.allowlist.pyplot.FIGURE_METHODS;
- an Axes: the calls of AXES_METHODS (`ax.plot`, `ax.set_title`, ...);
- an `AxesGrid`, what `subplots(2, 2)` returns where matplotlib returns a
  NumPy array of Axes (object arrays are not values a program may hold):
  indexed by integers and slices (`axes[0, 1]`, `axes[1]`), iterated,
  unpacked, `len`, `.shape`, `.flat`, `.flatten()`, `.ravel()`, printed as
  NumPy prints the array;
- everything else matplotlib hands back (lines, images, texts, legends,
  colorbars, the containers of bars): held, printed, passed back to a call
  (`plt.colorbar(im)`, `plt.legend([line], ["a"])`), nothing more.

Printing is matplotlib's and NumPy's own (`Figure(1200x400)`,
`<Axes: title={'center': 'loss'}>`); no address is ever shown (app.evaluate.
values.shown removes Python's default ones).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.colorbar import Colorbar
from matplotlib.container import Container

from app.evaluate.kinds import ValueKind, register
from app.evaluate.values import BoundMethod
from app.parse.allowlist import Fn
from app.parse.allowlist import pyplot as table

if TYPE_CHECKING:
    from app.evaluate.machine import Machine


class AxesGrid:
    """The Axes of `subplots(nrows, ncols)`, shaped as matplotlib's array of them."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray[Any, Any]) -> None:
        self.array = array

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(n) for n in self.array.shape)

    def item(self, index: Any) -> Any:
        parts = index if isinstance(index, tuple) else (index,)
        for part in parts:
            if isinstance(part, bool) or not isinstance(part, int | slice | np.integer):
                raise IndexError(
                    "only integers and slices (`:`) are valid indices of an array of Axes"
                )
        found = self.array[index]
        return AxesGrid(found) if isinstance(found, np.ndarray) else found

    def items(self) -> Iterator[Any]:
        for index in range(self.array.shape[0]):
            yield self.item(index)

    def flat(self) -> AxesGrid:
        return AxesGrid(self.array.ravel())

    def __str__(self) -> str:
        return str(self.array)

    def __repr__(self) -> str:
        return repr(self.array)


class Calls(ValueKind):
    """Figures and Axes: a table of calls, each with its keywords
    (app.parse.allowlist.pyplot) and its implementation, run with the
    program's figure state."""

    def __init__(
        self,
        label: str,
        methods: Mapping[str, Fn],
        calls: Mapping[str, Callable[..., Any]],
        state: Callable[[Machine], Any],
    ) -> None:
        self.label = label
        self.methods = methods
        self.calls = calls
        self.state = state

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in self.methods:
            return BoundMethod(value, attr)
        return super().get(m, value, attr, node)

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        entry = self.methods.get(name)
        if entry is None:
            return super().call_method(m, value, name, args, kwargs, node)
        allowed = entry.kwargs
        for key in kwargs:
            if allowed is not None and key not in allowed:
                raise self.refuse(
                    m, node, f".{name}() does not accept the keyword argument {key}= here"
                )
        return self.calls[name](self.state(m), value, args, dict(kwargs))


class GridKind(ValueKind):
    label = "arrays of Axes"

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr == "shape":
            return value.shape
        if attr == "flat":
            return value.flat()
        if attr in table.GRID_METHODS:
            return BoundMethod(value, attr)
        return super().get(m, value, attr, node)

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        if name not in table.GRID_METHODS:
            return super().call_method(m, value, name, args, kwargs, node)
        if args or kwargs:
            raise TypeError(f"{name}() takes no arguments here")
        return value.flat()

    def get_item(self, m: Machine, value: Any, index: Any, node: ast.AST) -> Any:
        return value.item(index)

    def length(self, m: Machine, value: Any) -> int:
        return int(value.array.shape[0])

    def iterate(self, m: Machine, value: Any, node: ast.AST) -> Iterator[Any]:
        grid: AxesGrid = value
        return grid.items()


class Opaque(ValueKind):
    """What matplotlib hands back: held and passed back to a call, nothing more."""

    label = "matplotlib's objects (lines, images, texts, legends)"


register(AxesGrid, GridKind())
for _cls in (Artist, Colorbar, Container):
    register(_cls, Opaque())
