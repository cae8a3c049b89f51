"""The figures a program drew, as deterministic SVG and PNG.

A program's figures (app.evaluate.figures) are matplotlib Figures; each is
answered as an SVG in the evaluate answer (`figures: [{"svg", "title"}]`)
and alone by GET /api/v1/figure.svg and .png. The export is app.plotting's,
the one the optimize plots use: same program, same bytes.

- The light theme is matplotlib's own look, as the notebook shows it. The
  dark theme gives the figure, its Axes and legends the page's dark colours
  (app.optimize.plot.THEMES) and its texts, ticks and spines the page's
  text colour, wherever the program left matplotlib's default; the
  program's own colours stay.
- A figure with many markers draws those lines and scatters as pixels in
  the SVG (matplotlib's `rasterized`): 20,000 markers are 20,000 elements
  otherwise, megabytes of SVG for a picture of a few hundred kilobytes.
- A figure matplotlib cannot draw (values past the float range make its
  tick arithmetic fail, as Python would fail at `plt.show()`) is answered
  with no SVG and a warning that says why; alone, it is a RenderFailed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import Collection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from app.errors import RenderFailed
from app.evaluate.failures import clean_message, out_of_memory
from app.limits import DEFAULT_LIMITS, Limits
from app.optimize.plot import THEMES
from app.plotting import drawing, png_bytes, svg_bytes

# Lines and scatters with more markers than this are drawn as pixels in the SVG.
RASTER_MARKERS = 1_000
PNG_DPI = 100  # matplotlib's figure.dpi: a (12, 4) figure is 1200 x 400 pixels
_TEXT = "black"  # matplotlib's default colour of texts, ticks and spines
_BACKGROUND = "white"


@dataclass(frozen=True)
class DrawnFigure:
    """One figure of the answer: its SVG (None if it cannot be drawn) and title."""

    svg: str | None
    title: str

    def to_dict(self) -> dict[str, Any]:
        return {"svg": self.svg, "title": self.title}


def title_of(figure: Figure, index: int) -> str:
    """What a person would call the figure: its suptitle, else its Axes'
    titles, else "Figure n" (1-based, as matplotlib numbers them)."""
    suptitle = figure.get_suptitle()
    if suptitle:
        return suptitle
    titles = [
        text
        for ax in figure.axes
        for text in (ax.get_title("left"), ax.get_title(), ax.get_title("right"))
        if text
    ]
    return " · ".join(titles) if titles else f"Figure {index + 1}"


def answer_figures(
    figures: list[Figure], theme: str, drawn: bool = True, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[dict[str, Any]], list[str]]:
    """The evaluate answer's `figures` (without their SVG unless `drawn`), and a
    warning for each that cannot be drawn."""
    answered: list[dict[str, Any]] = []
    warnings: list[str] = []
    for index, figure in enumerate(figures):
        title = title_of(figure, index)
        try:
            svg = figure_bytes(figure, "svg", theme, limits).decode() if drawn else None
        except RenderFailed as exc:
            svg = None
            warnings.append(f"Figure {index + 1} is not drawn: {exc.detail}")
        answered.append(DrawnFigure(svg, title).to_dict())
    return answered, warnings


def figure_bytes(figure: Figure, fmt: str, theme: str, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The figure as SVG or PNG; RenderFailed with matplotlib's reason if it cannot be drawn,
    the memory limit of `limits` if it runs out of memory. The figure is as it was
    afterwards (the theme's colours are undone)."""
    undo: list[Callable[[], Any]] = []
    with drawing(math=True):
        try:
            if theme == "dark":
                _style(figure, undo)
            if fmt == "svg":
                _rasterize_markers(figure, undo)
                return svg_bytes(figure)
            return png_bytes(figure, PNG_DPI)
        except MemoryError:
            raise out_of_memory(limits, None, None) from None
        except RecursionError:
            raise RenderFailed("matplotlib cannot draw it: it nests too deeply") from None
        except Exception as exc:  # matplotlib's own refusal, whatever its kind
            raise RenderFailed(f"matplotlib cannot draw it: {clean_message(exc)}") from None
        finally:
            for step in reversed(undo):
                step()


def _rasterize_markers(figure: Figure, undo: list[Callable[[], Any]]) -> None:
    for ax in figure.axes:
        for artist in ax.get_children():
            if _markers(artist) > RASTER_MARKERS and not artist.get_rasterized():
                artist.set_rasterized(True)
                undo.append(_unrasterize(artist))


def _unrasterize(artist: Any) -> Callable[[], Any]:
    return lambda: artist.set_rasterized(False)


def _markers(artist: Any) -> int:
    if isinstance(artist, Line2D):
        marker = artist.get_marker()
        if marker in (None, "", " ", "None", "none"):
            return 0
        return int(np.size(artist.get_xdata(orig=False)))
    if isinstance(artist, Collection):
        return int(np.size(artist.get_offsets())) // 2
    return 0


def _style(figure: Figure, undo: list[Callable[[], Any]]) -> None:
    """The dark theme's colours wherever the program left matplotlib's defaults."""
    colours = THEMES["dark"]
    _recolour(figure, "facecolor", _BACKGROUND, colours.background, undo)
    for child in figure.get_children():  # the suptitle among them
        if isinstance(child, Text):
            _recolour(child, "color", _TEXT, colours.text, undo)
    for ax in figure.axes:
        _style_axes(ax, colours.background, colours.text, colours.grid, undo)


def _style_axes(
    ax: Axes, background: str, text: str, grid: str, undo: list[Callable[[], Any]]
) -> None:
    _recolour(ax, "facecolor", _BACKGROUND, background, undo)
    for spine in ax.spines.values():
        _recolour(spine, "edgecolor", _TEXT, grid, undo)
    labels = [child for child in ax.get_children() if isinstance(child, Text)]
    labels += [ax.xaxis.label, ax.yaxis.label]
    legend = ax.get_legend()
    if legend is not None:
        frame = legend.get_frame()
        if _is(frame.get_facecolor(), _BACKGROUND):
            _recolour(frame, "edgecolor", frame.get_edgecolor(), grid, undo)
        _recolour(frame, "facecolor", _BACKGROUND, background, undo)
        labels += [*legend.get_texts(), legend.get_title()]
    for label in labels:
        _recolour(label, "color", _TEXT, text, undo)
    # No call a program has sets the ticks' colours: they are matplotlib's black.
    ax.tick_params(which="both", colors=text, labelcolor=text)
    undo.append(lambda: ax.tick_params(which="both", colors=_TEXT, labelcolor=_TEXT))


def _recolour(
    artist: Any, prop: str, default: Any, colour: str, undo: list[Callable[[], Any]]
) -> None:
    """Set `prop` to `colour` if it is `default` now; remember how to undo it."""
    current = getattr(artist, f"get_{prop}")()
    if _is(current, default):
        setter = getattr(artist, f"set_{prop}")
        setter(colour)
        undo.append(lambda: setter(current))


def _is(colour: Any, default: Any) -> bool:
    """Whether two colours are the same, their transparency aside."""
    try:
        return bool(to_rgb(colour) == to_rgb(default))
    except ValueError:
        return False
