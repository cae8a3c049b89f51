"""Real matplotlib as the reference for a program's figures.

`reference(source)` runs a (trusted, test-written) program with Python's
own `exec` and the real `matplotlib.pyplot` (Agg), as a notebook would,
and returns what it printed and every figure it made; `show()` shows and
closes the open figures, as Jupyter's inline backend does. `describe`
reduces a Figure to what a person sees in it (data, labels, limits,
scales, legends), so the service's figures and Python's can be compared.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from typing import Any

import matplotlib
import numpy as np
import torch
import torch.nn.functional
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from app.evaluate.addresses import Addresses
from app.plotting import MATH_RC


def reference(source: str) -> tuple[str, list[Figure]]:
    """What Python prints for `source`, and every figure it makes that has Axes."""
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    made: list[Figure] = []
    real_figure, real_show = plt.figure, plt.show

    def figure(*args: Any, **kwargs: Any) -> Figure:
        made.append(real_figure(*args, **kwargs))
        return made[-1]

    def show(*args: Any, **kwargs: Any) -> None:
        plt.close("all")

    plt.figure, plt.show = figure, show  # type: ignore[assignment]
    out = io.StringIO()
    names = {"plt": plt, "torch": torch, "np": np, "math": math, "F": torch.nn.functional}
    try:
        with (
            matplotlib.rc_context(MATH_RC),
            warnings.catch_warnings(),
            contextlib.redirect_stdout(out),
        ):
            warnings.simplefilter("ignore")
            exec(compile(source, "<program>", "exec"), names)  # a test's own program
    finally:
        plt.figure, plt.show = real_figure, real_show  # type: ignore[assignment]
        plt.close("all")
    # Addresses as the service prints them: the first one printed is the same
    # stand-in in both, and so on (app.evaluate.addresses).
    return Addresses().sub(out.getvalue()), [fig for fig in made if fig.axes]


def describe(figure: Figure) -> dict[str, Any]:
    return {
        "size": [float(v) for v in figure.get_size_inches()],
        "suptitle": figure.get_suptitle(),
        "axes": [describe_axes(ax) for ax in figure.axes],
    }


def _numbers(values: Any) -> list[Any]:
    array = np.asarray(values, dtype=np.float64)
    return np.round(array, 6).tolist()  # type: ignore[no-any-return]


def describe_axes(ax: Axes) -> dict[str, Any]:
    legend = ax.get_legend()
    return {
        "titles": [ax.get_title(loc) for loc in ("left", "center", "right")],
        "labels": [ax.get_xlabel(), ax.get_ylabel()],
        "limits": [_numbers(ax.get_xlim()), _numbers(ax.get_ylim())],
        "scales": [ax.get_xscale(), ax.get_yscale()],
        "lines": [
            {
                "x": _numbers(line.get_xdata(orig=False)),
                "y": _numbers(line.get_ydata(orig=False)),
                "label": line.get_label(),
                "color": matplotlib.colors.to_hex(line.get_color()),
                "style": line.get_linestyle(),
                "marker": str(line.get_marker()),
                "width": line.get_linewidth(),
            }
            for line in ax.get_lines()
        ],
        "patches": [
            [_numbers(patch.get_xy()), round(patch.get_width(), 6), round(patch.get_height(), 6)]
            for patch in ax.patches
            if hasattr(patch, "get_width")
        ],
        "collections": [
            [type(c).__name__, _numbers(c.get_offsets()), len(c.get_paths())]
            for c in ax.collections
        ],
        "images": [_numbers(image.get_array()) for image in ax.get_images()],
        "legend": None if legend is None else [t.get_text() for t in legend.get_texts()],
        "ticks": [t.get_text() for t in ax.get_xticklabels()]
        if ax.xaxis.units is not None
        else None,
    }
