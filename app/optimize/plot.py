"""The plots, drawn with matplotlib (the notebook's own library) as SVG.

Same request, same bytes: the settings and the export are app.plotting's
(fixed ids, no metadata, text as glyph paths, never pyplot), shared with
the figures programs draw; here `$` in a title is text, not mathtext.

Two pictures:
- `descent_plot`: the objective over a range, each run's steps drawn 'o-'
  on it (one colour per step size, with a legend), the final point marked
  with a star and a dashed vertical line, as the notebook's
  visualize_results does; and where the axes are in the SVG, so a page can
  put a marker on any step without asking for a new picture;
- `function_plot`: a function and its derivative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from app.optimize.descent import Run
from app.optimize.request import FLOAT32_MAX
from app.plotting import drawing, svg_bytes

WIDTH_IN, HEIGHT_IN = 9.0, 4.0  # 648 x 288 pt, the notebook's 12 x 4 a little narrower
MAX_MARKERS = 150  # markers drawn per run; the line still joins every step


@dataclass(frozen=True)
class Theme:
    background: str
    text: str
    grid: str
    curve: str
    derivative: str
    runs: tuple[str, ...]


THEMES = {
    # matplotlib's own colours (tab10): the notebook's curve is C0, its steps C1.
    "light": Theme(
        background="#ffffff",
        text="#161a22",
        grid="#e0e4ea",
        curve="#1f77b4",
        derivative="#8c564b",
        runs=(
            "#ff7f0e",
            "#2ca02c",
            "#d62728",
            "#9467bd",
            "#e377c2",
            "#17becf",
            "#bcbd22",
            "#7f7f7f",
        ),
    ),
    "dark": Theme(
        background="#0d1117",
        text="#e5e8ef",
        grid="#262c39",
        curve="#74c0fc",
        derivative="#e599f7",
        runs=(
            "#ffa94d",
            "#69db7c",
            "#ff8787",
            "#b197fc",
            "#f783ac",
            "#66d9e8",
            "#d8f5a2",
            "#ced4da",
        ),
    ),
}


@dataclass(frozen=True)
class AxesBox:
    """Where the plotting area is in the SVG (user units, y down) and what it shows."""

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    x: tuple[float, float]
    y: tuple[float, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "left": round(self.left, 3),
            "top": round(self.top, 3),
            "right": round(self.right, 3),
            "bottom": round(self.bottom, 3),
            "x": list(self.x),
            "y": list(self.y),
        }


@dataclass(frozen=True)
class Curve:
    xs: np.ndarray[Any, Any]
    ys: np.ndarray[Any, Any]
    dys: np.ndarray[Any, Any] | None = None


def descent_plot(
    curve: Curve,
    runs: Sequence[Run],
    variable: str,
    title: str,
    method: str,
    theme_name: str,
) -> tuple[bytes, AxesBox]:
    """The objective with every run's steps on it, and the axes' place in the SVG."""
    theme = THEMES[theme_name]
    with drawing():
        fig, ax = _figure(theme)
        ax.plot(curve.xs, _finite(curve.ys), color=theme.curve, linewidth=1.6, zorder=2)
        for index, run in enumerate(runs):
            color = theme.runs[index % len(theme.runs)]
            xs = np.array([p.parameter for p in run.points], dtype=np.float64)
            ys = np.array([p.objective for p in run.points], dtype=np.float64)
            every = max(1, math.ceil(len(xs) / MAX_MARKERS))
            final = run.final
            label = f"lr = {run.lr:g}: {variable} → {_short(final.parameter)}"
            if run.stopped:
                label = f"lr = {run.lr:g}: diverged"
            ax.plot(
                xs,
                _finite(ys),
                "o-",
                color=color,
                markersize=4,
                linewidth=1.1,
                alpha=0.9,
                markevery=every,
                label=label,
                zorder=3,
            )
            if _drawable(final.parameter) and _drawable(final.objective):
                ax.axvline(final.parameter, color=color, linestyle="--", linewidth=1, alpha=0.55)
                ax.plot(
                    [final.parameter],
                    [final.objective],
                    marker="*",
                    markersize=13,
                    color=color,
                    markeredgecolor=theme.text,
                    markeredgewidth=0.6,
                    linestyle="none",
                    zorder=4,
                )
        lo, hi = float(curve.xs[0]), float(curve.xs[-1])
        ax.set_xlim(lo, hi)
        ylo, yhi = _y_limits(curve.ys, runs, lo, hi)
        ax.set_ylim(ylo, yhi)
        heading = "Gradient descent" if method == "sgd" else f"Gradient descent ({method})"
        ax.set_title(f"{heading} on {title}", color=theme.text)
        ax.set_xlabel(variable, color=theme.text)
        ax.set_ylabel("objective", color=theme.text)
        ax.legend(loc="best")
        _style_legend(ax, theme)
        body = svg_bytes(fig)
        box = _axes_box(fig, ax)
    return body, box


def function_plot(curve: Curve, variable: str, title: str, theme_name: str) -> bytes:
    """f over its range, and its derivative (autograd) when the curve has one."""
    theme = THEMES[theme_name]
    with drawing():
        fig, ax = _figure(theme)
        ax.plot(curve.xs, _finite(curve.ys), color=theme.curve, linewidth=1.8, label=title)
        if curve.dys is not None:
            # Autograd has a derivative where f itself is undefined (log's 1/x
            # for x < 0): only draw it where f is.
            dys = np.where(np.isfinite(curve.ys), curve.dys, np.nan)
            ax.plot(
                curve.xs,
                _finite(dys),
                color=theme.derivative,
                linewidth=1.4,
                linestyle="--",
                label=f"d/d{variable} (autograd)",
            )
        ax.axhline(0.0, color=theme.text, linewidth=0.6, alpha=0.5, zorder=1)
        ax.set_xlim(float(curve.xs[0]), float(curve.xs[-1]))
        values = [curve.ys] if curve.dys is None else [curve.ys, dys]
        ax.set_ylim(*_limits(np.concatenate(values)))
        ax.set_xlabel(variable, color=theme.text)
        ax.legend(loc="best")
        _style_legend(ax, theme)
        return svg_bytes(fig)


def _figure(theme: Theme) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), facecolor=theme.background)
    FigureCanvasSVG(fig)
    # Fixed margins, not tight_layout: the axes stay where the page expects them.
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.13, top=0.9)
    ax = fig.add_subplot()
    ax.set_facecolor(theme.background)
    ax.grid(True, color=theme.grid, linewidth=0.8)
    ax.set_axisbelow(True)
    for spine in ax.spines.values():
        spine.set_color(theme.grid if theme.background != "#ffffff" else "#8a929e")
    ax.tick_params(colors=theme.text, labelcolor=theme.text)
    return fig, ax


def _style_legend(ax: Axes, theme: Theme) -> None:
    legend = ax.get_legend()
    if legend is None:
        return
    legend.get_frame().set_facecolor(theme.background)
    legend.get_frame().set_edgecolor(theme.grid)
    for text in legend.get_texts():
        text.set_color(theme.text)


def _axes_box(fig: Figure, ax: Axes) -> AxesBox:
    # The SVG backend draws at 72 units per inch, y from the top.
    width, height = WIDTH_IN * 72, HEIGHT_IN * 72
    position = ax.get_position()
    xlo, xhi = ax.get_xlim()
    ylo, yhi = ax.get_ylim()
    return AxesBox(
        width=width,
        height=height,
        left=position.x0 * width,
        top=(1 - position.y1) * height,
        right=position.x1 * width,
        bottom=(1 - position.y0) * height,
        x=(float(xlo), float(xhi)),
        y=(float(ylo), float(yhi)),
    )


# Past float32's range a value cannot be drawn: matplotlib's axis arithmetic
# (spans, ticks) overflows on it (found by fuzzing: a float64 objective of
# 1e308 failed in axhline and in savefig).
_DRAWABLE = FLOAT32_MAX


def _drawable(x: float) -> bool:
    return abs(x) <= _DRAWABLE  # False for NaN too


def _finite(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Values that cannot be drawn (non-finite, or past float32's range) as gaps."""
    out = np.array(values, dtype=np.float64)
    out[~(np.abs(out) <= _DRAWABLE)] = np.nan
    return out


def _y_limits(
    ys: np.ndarray[Any, Any], runs: Sequence[Run], lo: float, hi: float
) -> tuple[float, float]:
    """The curve's extent and every plotted step's, so no step is cut off."""
    values = [np.asarray(ys, dtype=np.float64)]
    for run in runs:
        inside = [p.objective for p in run.points if lo <= p.parameter <= hi]
        values.append(np.array(inside, dtype=np.float64))
    return _limits(np.concatenate(values))


def _limits(values: np.ndarray[Any, Any]) -> tuple[float, float]:
    finite = values[np.abs(values) <= _DRAWABLE]
    if finite.size == 0:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    span = high - low
    if span <= 1e-12 * max(1.0, abs(low), abs(high)):
        pad = max(1.0, abs(low)) * 0.5
        return low - pad, high + pad
    return low - 0.06 * span, high + 0.08 * span


def _short(x: float) -> str:
    return f"{x:.5g}"
