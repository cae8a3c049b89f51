"""matplotlib for the whole app: the settings every drawing uses, and a
Figure's deterministic SVG and PNG.

Two kinds of picture are drawn with matplotlib (the notebook's own
library): the optimize plots (app.optimize.plot) and the figures a program
draws itself (app.evaluate.figures, app.render.figures). Both use these
settings and this export, so a fix to either reaches both.

Same request, same bytes: the SVG backend's ids come from `svg.hashsalt`
(fixed here), the metadata (date, creator, software) is left out, text is
drawn as glyph paths from matplotlib's bundled DejaVu Sans (no system
fonts, no font files fetched), and no `<text>` element is written, so no
string reaches the SVG as markup. matplotlib is used through its object
API (Figure with the Agg and SVG canvases), never pyplot: no global figure
state in a long-lived worker, no GUI backend.

The settings are applied around each piece of drawing and restored after
it (`drawing`): rcParams are the same before and after, so nothing one
drawing does is seen by the next.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Iterator
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from app.optimize.svgcheck import check_svg

RC: dict[Any, Any] = {
    "svg.hashsalt": "autograd-viz",
    "svg.fonttype": "path",
    "svg.id": None,
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": "DejaVu Sans",
    "font.size": 10.0,
    "axes.titlesize": 11.0,
    "axes.formatter.useoffset": False,
    "legend.fontsize": 9.0,
    "legend.framealpha": 0.85,
    "path.simplify": True,
}
# A program's own figures may write `$\theta$` (mathtext, bounded by
# app.evaluate.figure_text before any of it is parsed); log-scale tick
# labels are mathtext too.
MATH_RC: dict[Any, Any] = {**RC, "text.parse_math": True}

_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}
_PNG_METADATA: dict[str, Any] = {"Software": None}
# The SVG backend styles every element through one `*` rule; inlined in a
# page that rule would restyle the page. The same values as inherited
# presentation attributes of the root do the same inside the drawing only.
_GLOBAL_STYLE = '<style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>'
_ROOT_ATTRIBUTES = ' stroke-linejoin="round" stroke-linecap="butt"'
_COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)


# The settings as matplotlib's validators store them (font.family as a list,
# ...), so applying them is a dictionary update, not a validation each time:
# rc_context copies and validates all 300 parameters twice, 0.8 ms, for
# every plotting call of a program.
_VALIDATED = {
    False: dict(matplotlib.RcParams(RC)),
    True: dict(matplotlib.RcParams(MATH_RC)),
}


@contextlib.contextmanager
def drawing(math: bool = False, quiet: bool = True) -> Iterator[None]:
    """matplotlib's settings for one piece of drawing (MATH_RC with `math`),
    and the parameters they replace put back after it, whatever happens:
    nothing else of rcParams can change in between (no program reaches
    rcParams). `quiet` keeps matplotlib's warnings inside ("Glyph missing",
    "identical limits", ...: about the look, not the answer); without it
    they reach whoever records warnings (a program's answer)."""
    params = matplotlib.rcParams
    settings = _VALIDATED[math]
    saved = {key: dict.__getitem__(params, key) for key in settings}
    dict.update(params, settings)
    try:
        if quiet:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield
        else:
            yield
    finally:
        dict.update(params, saved)


def svg_bytes(fig: Figure) -> bytes:
    """The figure as a checked SVG document (app.optimize.svgcheck)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata=_METADATA, facecolor=fig.get_facecolor())
    text = buffer.getvalue().decode("utf-8")
    text = text[text.index("<svg") :]  # the XML prolog and the DOCTYPE's external DTD
    text = _COMMENT.sub("", text)  # the text of each label, repeated
    text = text.replace(_GLOBAL_STYLE, "", 1).replace("<svg ", f"<svg{_ROOT_ATTRIBUTES} ", 1)
    text = text.replace(" <defs>\n </defs>\n", "", 1)
    check_svg(text)
    return text.encode("utf-8")


def png_bytes(fig: Figure, dpi: float) -> bytes:
    """The figure as a PNG (Agg), without the Software text chunk."""
    buffer = io.BytesIO()
    fig.savefig(
        buffer, format="png", dpi=dpi, metadata=_PNG_METADATA, facecolor=fig.get_facecolor()
    )
    return buffer.getvalue()
