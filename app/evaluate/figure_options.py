"""The keywords of the plotting calls, each checked with its value.

A plotting call's keywords were checked by name against
app.parse.allowlist.pyplot before the call; each call of
app.evaluate.figure_draw and figure_layout names, for each keyword it
takes, the check its value must pass here (a colour is a colour, a width a
bounded number, a text bounded text), and a keyword without a check is
refused. `call` runs matplotlib inside app.plotting's settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from app.errors import NotAllowed
from app.evaluate import figure_args as F
from app.plotting import drawing

if TYPE_CHECKING:
    from app.evaluate.figures import Figures

Check = Callable[[Any, str, "Figures"], Any]


def number(low: float, high: float, limit: str | None = None) -> Check:
    return lambda v, what, s: F.number(v, what, low, high, limit)


def choice(*allowed: str) -> Check:
    return lambda v, what, s: F.choice(v, what, allowed)


COLOR: Check = lambda v, what, s: F.color(v, what)  # noqa: E731
COLORS: Check = lambda v, what, s: F.colors(v, what)  # noqa: E731
STYLE: Check = lambda v, what, s: F.line_style(v, what)  # noqa: E731
WIDTH = number(0.0, F.MAX_WIDTH, "line_width")
ALPHA = number(0.0, 1.0)
TEXT: Check = lambda v, what, s: s.texts.text(v, what)  # noqa: E731
ZORDER = number(-1e6, 1e6)
FLAG: Check = lambda v, what, s: F.flag(v, what)  # noqa: E731
FONT: Check = lambda v, what, s: F.font_size(v, what)  # noqa: E731
NAME: Check = lambda v, what, s: F.short(v, what)  # noqa: E731
ANY_NUMBER = number(-np.inf, np.inf)

LINE: dict[str, Check] = {
    "color": COLOR,
    "c": COLOR,
    "linestyle": STYLE,
    "ls": STYLE,
    "linewidth": WIDTH,
    "lw": WIDTH,
    "alpha": ALPHA,
    "label": TEXT,
    "zorder": ZORDER,
    "marker": lambda v, what, s: F.marker(v, what, s.texts),
    "markersize": number(0.0, F.MAX_MARKER, "marker_size"),
    "ms": number(0.0, F.MAX_MARKER, "marker_size"),
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


def call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with drawing(math=True, quiet=False):
        return method(*args, **kwargs)
