"""matplotlib's table (app/parse/allowlist/pyplot.py): every entry is real
matplotlib and has an implementation, and nothing dangerous is listed."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from app.evaluate.figure_layout import AXES_CALLS, FIGURE_CALLS
from app.evaluate.figures import PYPLOT_CALLS
from app.parse import allowlist as A
from app.parse.allowlist import pyplot as P

NEVER = {
    "savefig", "imread", "imsave", "rcParams", "rc", "rc_context", "rcdefaults", "style",
    "use", "switch_backend", "ion", "ioff", "pause", "ginput", "waitforbuttonpress",
    "connect", "mpl_connect", "disconnect", "figimage", "get_backend", "install_repl_displayhook",
    "set_url", "set_gid", "set_picker", "set_transform", "canvas", "figure_manager", "callbacks",
    "set_sketch_params", "set_path_effects", "set_agg_filter", "FuncAnimation", "animation",
    "widgets", "xkcd", "get_current_fig_manager", "new_figure_manager", "set_rasterized",
}  # fmt: skip
NEVER_KEYWORDS = {
    "url", "gid", "picker", "transform", "fname", "data", "usetex", "fontproperties",
    "fontfamily", "family", "font", "path_effects", "sketch_params", "agg_filter",
    "clip_path", "dpi", "num", "block", "subplot_kw", "gridspec_kw", "rasterized",
    "dashes", "drawstyle", "markevery", "norm", "resample", "filternorm", "snap",
}  # fmt: skip


def test_every_entry_is_real_matplotlib() -> None:
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    for name in P.PYPLOT:
        assert callable(getattr(plt, name)), name
    for name in P.AXES_METHODS:
        assert callable(getattr(Axes, name)), name
    for name in P.FIGURE_METHODS:
        assert callable(getattr(Figure, name)), name
    for pyplot_name, axes_name in P.FORWARDED.items():
        assert axes_name in P.AXES_METHODS, pyplot_name


def test_every_entry_has_its_implementation() -> None:
    assert set(PYPLOT_CALLS) == set(P.PYPLOT)
    assert set(AXES_CALLS) == set(P.AXES_METHODS)
    assert set(FIGURE_CALLS) == set(P.FIGURE_METHODS)


def test_nothing_dangerous_is_listed() -> None:
    names = set(P.PYPLOT) | set(P.AXES_METHODS) | set(P.FIGURE_METHODS) | set(P.MATPLOTLIB)
    names |= set(P.SEABORN) | set(P.GRID_METHODS) | P.GRID_ATTRIBUTES
    assert not names & NEVER
    assert not {name for name in A.ATTRIBUTE_NAMES if name in NEVER}
    for table in (P.PYPLOT, P.AXES_METHODS, P.FIGURE_METHODS, P.SEABORN):
        for name, entry in table.items():
            assert isinstance(entry, A.Fn) and entry.kwargs is not None, name
            assert not entry.kwargs & NEVER_KEYWORDS, (name, entry.kwargs & NEVER_KEYWORDS)
    assert set(P.MATPLOTLIB) == {"pyplot"} and set(P.SEABORN) == {"set"}


def test_the_docstring_names_every_dangerous_corner() -> None:
    doc = P.__doc__ or ""
    for words in (
        "savefig", "rcParams", "usetex", "url=", "gid=", "imread", "font", "mpl_connect",
        "picker", "FuncAnimation", "widgets", "GUI backends", "bins=\"auto\"", "linestyle",
    ):  # fmt: skip
        assert words in doc, words


def test_plt_is_predefined_and_importable() -> None:
    assert A.PREDEFINED_MODULES["plt"] == "matplotlib.pyplot"
    assert {"matplotlib", "matplotlib.pyplot", "seaborn"} <= A.IMPORTABLE


def test_the_language_page_names_every_pyplot_call() -> None:
    """docs/language.md's matplotlib section stays true to the table."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "language.md").read_text()
    section = page.split("## matplotlib\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(?:plt\.|ax\.|sns\.)?([a-z_]+)", section))
    assert set(P.PYPLOT) | set(P.FIGURE_METHODS) <= named
