"""matplotlib's table: `plt` (matplotlib.pyplot), the Axes and Figure a program
holds, and seaborn's `sns.set()`.

`import matplotlib.pyplot as plt`, `from matplotlib import pyplot as plt`
and `plt` without an import all mean the same pyplot of allowed calls, run
by app.evaluate.figures over real matplotlib Figures (Agg and SVG canvases).
`import seaborn as sns` gives `sns.set()`, a no-op (the notebook's first
cell calls it); nothing else of seaborn.

The calls are the ones lectures use: `figure(figsize=)`, `plot` with format
strings, `scatter`, `hist`, `bar`, `imshow` with `colorbar`, `axhline`,
`axvline`, `fill_between`, labels and titles, `legend`, `grid`,
`xlim`/`ylim` (setters and getters), `xscale`/`yscale`, `tight_layout`,
`subplots` and `subplot` with the same calls on their Axes (`ax.set_title`,
...), `show` and `close` (they end a figure). Every keyword listed here is
checked again, with its value, by app.evaluate.figure_args: a colour is a
colour, a width a bounded number, a text bounded text.

Dangerous corners of matplotlib, and why each is absent:
- files: `savefig`, `imread`, `imsave`, every `fname`/path argument, and
  `imshow` of a path (data is numbers only, app.evaluate.figure_args): a
  program never names a file;
- global state: `rcParams`, `rc`, `rc_context`, `style.use`, `use`
  (backends), `switch_backend`, `ion`: one program's settings would reach
  the next program in the same worker. The settings every figure is drawn
  with are app.plotting's, applied around each call and restored after it;
- `usetex` and `text.latex.preamble` (a TeX process run on user text), and
  font files (`fontproperties`/`fontfamily`/`font=`: only the bundled
  DejaVu Sans draws text);
- links: `url=`, `gid=`, `set_url`, `set_gid` and every artist option that
  puts a link or a user-chosen id in the SVG; the SVG is checked against an
  element and attribute allowlist before it is served
  (app.optimize.svgcheck);
- images read from paths or URLs (`imread`, `imshow("file.png")`,
  `figimage` of a file), fonts from files, `matplotlib.image`;
- callbacks into user code: `mpl_connect`, pickers (`picker=`), event
  handlers, `FuncAnimation` and every animation, widgets, formatters and
  locators built from functions (`FuncFormatter`), `transform=`: matplotlib
  would call the program's functions from its own drawing code;
- GUI backends, `show(block=)`, `pause`, `ginput`, `waitforbuttonpress`,
  `figure(num=)` and the figure manager: a worker has no display, and the
  program's figures are its own Figure objects, never pyplot's global ones;
- sizes that grow with a value: `hist(bins="auto")` (numpy would choose the
  number of bins from the data), dash patterns (`linestyle=(0, (1e-9,
  1e-9))` would make Agg draw billions of dashes), `dpi=`; figure sizes,
  line widths, marker sizes, font sizes, bins and texts are bounded before
  anything is drawn (app.evaluate.figure_args).
"""

from __future__ import annotations

from app.parse.allowlist.entries import Entry, Fn, Library, Ns, fn

# Keywords shared by the calls that draw lines and shapes.
_LINE = "color c linestyle ls linewidth lw alpha label zorder"
_MARKER = "marker markersize ms"
_TEXT = "fontsize color"

# Calls on an Axes, and the pyplot function that makes the same call on the
# current Axes (None: the same name).
AXES_METHODS: dict[str, Fn] = {
    "plot": fn(f"{_LINE} {_MARKER}"),
    "scatter": fn("s c color marker alpha label cmap vmin vmax edgecolors linewidths zorder"),
    "hist": fn("bins range density histtype color edgecolor alpha label cumulative"),
    "bar": fn("width bottom align color edgecolor alpha label"),
    "imshow": fn("cmap vmin vmax aspect origin extent interpolation alpha"),
    "axhline": fn(f"y xmin xmax {_LINE}"),
    "axvline": fn(f"x ymin ymax {_LINE}"),
    "fill_between": fn("where color alpha label zorder"),
    "set_xlabel": fn(_TEXT),
    "set_ylabel": fn(_TEXT),
    "set_title": fn(f"{_TEXT} loc"),
    "legend": fn("loc fontsize title ncol frameon"),
    "grid": fn("visible which axis color linestyle ls linewidth lw alpha"),
    "set_xlim": fn("left right"),
    "set_ylim": fn("bottom top"),
    "get_xlim": fn(),
    "get_ylim": fn(),
    "set_xscale": fn(),
    "set_yscale": fn(),
    "set": fn("xlabel ylabel title xlim ylim xscale yscale"),
}

# pyplot's name for each Axes call it forwards to the current Axes.
FORWARDED: dict[str, str] = {
    **{
        name: name
        for name in (
            "plot scatter hist bar imshow axhline axvline fill_between legend grid"
        ).split()
    },
    "xlabel": "set_xlabel",
    "ylabel": "set_ylabel",
    "title": "set_title",
    "xscale": "set_xscale",
    "yscale": "set_yscale",
}

FIGURE_METHODS: dict[str, Fn] = {
    "suptitle": fn("fontsize"),
    "tight_layout": fn(),
    "colorbar": fn("ax label"),
    "add_subplot": fn(),
    "gca": fn(),
}

PYPLOT: dict[str, Entry] = {
    **{name: AXES_METHODS[target] for name, target in FORWARDED.items()},
    "xlim": fn("left right"),
    "ylim": fn("bottom top"),
    "figure": fn("figsize"),
    "subplots": fn("nrows ncols figsize sharex sharey squeeze"),
    "subplot": fn(),
    "gca": fn(),
    "gcf": fn(),
    "suptitle": FIGURE_METHODS["suptitle"],
    "tight_layout": fn(),
    "colorbar": fn("mappable ax label"),
    "show": fn(),
    "close": fn(),
}

MATPLOTLIB: dict[str, Entry] = {"pyplot": Ns("matplotlib.pyplot")}
SEABORN: dict[str, Entry] = {"set": fn()}

# What a program may do with the grid of Axes `subplots` returns, besides
# indexing, iterating and unpacking it.
GRID_ATTRIBUTES = frozenset({"flat", "shape"})
GRID_METHODS: dict[str, Fn] = {"flatten": fn(), "ravel": fn()}

LIBRARY = Library(
    namespaces={"matplotlib": MATPLOTLIB, "matplotlib.pyplot": PYPLOT, "seaborn": SEABORN},
    importable=frozenset({"matplotlib", "matplotlib.pyplot", "seaborn"}),
    attributes=GRID_ATTRIBUTES,
    methods={
        name: entry.kwargs
        for table in (AXES_METHODS, FIGURE_METHODS, GRID_METHODS)
        for name, entry in table.items()
    },
    predefined={"plt": "matplotlib.pyplot"},
)
