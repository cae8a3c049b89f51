"""Plotting calls with any arguments: a figure, or one of our errors, never a crash.

Hypothesis writes calls of every allowed pyplot function and Axes method
with values drawn from a pool of awkward ones (non-finite and huge numbers,
empty and ragged lists, tensors that require grad, strings with `$` and
markup, None, nested tuples), with their allowed keywords. Each program
either fails with one of our errors (which the program's own try/except
cannot catch unless it is a runtime error) or makes figures that are each
drawn as a checked SVG and a PNG, or answered as a render_error; nothing
else may escape (it would be a 500).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import RenderFailed, VisualizerError
from app.evaluate import run_source
from app.optimize.svgcheck import check_svg
from app.parse.allowlist import pyplot as P
from app.render.figures import answer_figures, figure_bytes

pytestmark = pytest.mark.timeout(600)

VALUES = [
    "0", "1", "-1", "2.5", "1e308", "-1e308", "float('nan')", "float('inf')", "10**6", "True",
    "None", "[]", "[1]", "[1, 2, 3]", "[[1, 2], [3, 4]]", "[[1], [2, 3]]", "(0, 1)",
    "(1, 2, 3, 4)", "['a', 'b', 'c']", "'o-'", "'r--'", "'red'", "'#00ff00'", "'C1'",
    "'viridis'", "'$x^2$'", "'$\\\\frac{a}{b}$'", "'$'", "'</text><script>'", "'best'",
    "'log'", "'edge'", "'step'", "torch.linspace(0, 1, 5)", "torch.ones(3, requires_grad=True)",
    "torch.rand(4, 4)", "torch.zeros(2, 3, 3)", "torch.tensor(2.0)", "t", "(0.1, 0.2, 0.3)",
    "[0.5, 0.5, 0.5, 0.5]", "[True, False, True]", "'auto'", "-5", "0.0",
]  # fmt: skip
NAMES = sorted(P.PYPLOT)
PRELUDE = "t = torch.linspace(-2, 2, 9)\nfig, ax = plt.subplots()\n"


@st.composite
def calls(draw: st.DrawFn) -> str:
    on_axes = draw(st.booleans())
    table = P.AXES_METHODS if on_axes else P.PYPLOT
    name = draw(st.sampled_from(sorted(table)))
    entry = table[name]
    args = draw(st.lists(st.sampled_from(VALUES), max_size=4))
    keywords = sorted(entry.kwargs or ())
    chosen = draw(st.lists(st.sampled_from(keywords), max_size=3, unique=True)) if keywords else []
    kwargs = [f"{key}={draw(st.sampled_from(VALUES))}" for key in chosen]
    receiver = "ax" if on_axes else "plt"
    return f"{receiver}.{name}({', '.join([*args, *kwargs])})"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(calls(), min_size=1, max_size=4))
def test_plotting_calls_never_crash(lines: list[str]) -> None:
    source = PRELUDE + "\n".join(lines)
    try:
        evaluation = run_source(source)
    except VisualizerError:
        return
    figures, warnings = answer_figures(evaluation.figures, "dark")
    for figure, drawn in zip(evaluation.figures, figures, strict=True):
        if drawn["svg"] is None:
            assert any("is not drawn" in w for w in warnings)
            continue
        check_svg(drawn["svg"])
        try:
            figure_bytes(figure, "png", "light")
        except RenderFailed:
            pass


def test_the_pool_reaches_every_function() -> None:
    assert set(NAMES) <= set(P.PYPLOT)
