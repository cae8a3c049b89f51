"""The figure limits: each named, each checked before matplotlib draws anything."""

from __future__ import annotations

import pytest

from app.errors import LimitExceeded
from app.evaluate import figure_args as F
from app.evaluate import figure_text as T
from app.evaluate import run_source
from app.limits import Limits

LIMITS = [
    ("for i in range(9):\n    plt.figure()", "figures", 2),
    ("plt.plot(torch.zeros(100001))", "figure_points", 1),
    ("plt.plot(torch.zeros(60000))\nplt.plot(torch.zeros(60000))", "figure_points", 2),
    ("plt.imshow(torch.zeros(400, 400))", "figure_points", 1),
    (
        "for i in range(3):\n    plt.figure()\n    plt.imshow(torch.zeros(300, 300))",
        "image_cells",
        3,
    ),
    ("for i in range(400):\n    plt.axhline(i)", "figure_artists", 2),
    ("for i in range(127):\n    plt.scatter([i], [i])", "figure_artists", 2),
    ("for i in range(200):\n    plt.plot([i], label='a')\nplt.legend()", "figure_artists", 3),
    ("plt.bar(list(range(381)), 1)", "figure_artists", 1),
    ("plt.hist(torch.rand(10, 3), bins=200)", "figure_artists", 1),
    ("for i in range(3):\n    fig, ax = plt.subplots(2, 4)", "figure_artists", 2),
    ("plt.scatter(torch.zeros(10001), torch.zeros(10001))", "figure_markers", 1),
    ("plt.plot(torch.zeros(10001), 'o')", "figure_markers", 1),
    ("plt.hist([1.0], bins=501)", "hist_bins", 1),
    ("plt.figure(figsize=(21, 4))", "figure_size", 1),
    ("fig, ax = plt.subplots(3, 6)", "figure_axes", 1),
    ("plt.plot([1, 2], lw=101)", "line_width", 1),
    ("plt.plot([1, 2], ms=101)", "marker_size", 1),
    ("plt.xlabel('x', fontsize=101)", "font_size", 1),
    ("plt.title('A' * 501)", "figure_text", 1),
    ("for i in range(7):\n    plt.xlabel('A' * 500)", "figure_text_total", 2),
    ("plt.title('$' + 'x' * 299 + '$')", "mathtext", 1),
    ("for i in range(5):\n    plt.xlabel('$' + str(i) + 'x' * 250 + '$')", "mathtext_total", 2),
    ("plt.title('$' + '{' * 11 + 'a' + '}' * 11 + '$')", "mathtext_depth", 1),
    ("plt.title('$a\\\\hspace{400}b$')", "mathtext_extent", 1),
]


@pytest.mark.parametrize(("source", "limit", "line"), LIMITS, ids=[s[:40] for s, _, _ in LIMITS])
def test_each_limit_is_named_and_placed(source: str, limit: str, line: int) -> None:
    with pytest.raises(LimitExceeded) as caught:
        run_source(source)
    assert caught.value.limit == limit, caught.value
    assert caught.value.line == line


def test_within_the_limits_is_drawn() -> None:
    source = (
        "plt.plot(torch.zeros(100000))\n"
        "plt.figure()\n"
        "plt.hist([1.0], bins=300, histtype='step')\n"
        "plt.title('$' + '{' * 10 + 'a' + '}' * 10 + '$')\n"
        "plt.figure(figsize=(20, 0.5))\n"
        "plt.scatter(torch.zeros(9000), torch.zeros(9000))\n"
        "plt.figure()\n"
        "plt.imshow(torch.zeros(300, 300))\n"
        "fig, ax = plt.subplots(2, 4)\n"
    )
    assert len(run_source(source).figures) == 5


def test_the_limits_are_configurable() -> None:
    limits = Limits(figures=1, figure_points=10)
    with pytest.raises(LimitExceeded, match="2 figures|1 figures"):
        run_source("plt.figure()\nplt.figure()", limits=limits)
    with pytest.raises(LimitExceeded) as caught:
        run_source("plt.plot(list(range(11)))", limits=limits)
    assert caught.value.limit == "figure_points"
    assert caught.value.to_dict()["limit"] == "figure_points"


def test_limits_cannot_be_caught() -> None:
    with pytest.raises(LimitExceeded):
        run_source("try:\n    plt.title('A' * 1001)\nexcept Exception:\n    print('caught')")


@pytest.mark.parametrize(
    "text",
    [
        "$" + "\\frac{" * 10 + "a" + "}{b}" * 10 + "$",
        "$" + "\\left(" * 9 + "\\frac{a}{b}" + "\\right)" * 9 + "$",
        "$" + "x_{a^{b_{c^{d}}}}" * 16 + "$",
        "$" + "\\sqrt[3]{" * 10 + "a" + "}" * 10 + "$",
        "$" + "{" * 10 + "a" + "}" * 10 + "$",
    ],
)
def test_the_deepest_mathtext_allowed_is_parsed_by_matplotlib(text: str) -> None:
    """Within the depth bound matplotlib's recursive parser neither recurses
    out of Python's stack nor fails (its time is bench/figures.py's)."""
    text = text[: T.MAX_MATH]
    T._extent.cache_clear()
    T.check_math(text, "a title")


def test_the_bounds_are_what_the_docs_say() -> None:
    assert (F.MAX_ARTISTS, F.MAX_MARKERS, F.MAX_IMAGE_CELLS) == (400, 10_000, 250_000)
    assert (F.LEGEND_ENTRY_COST, F.SCATTER_COST, F.AXES_COST) == (2, 3, 20)
    assert (F.MAX_AXES, F.MAX_BINS, F.MAX_INCHES) == (16, 500, 20)
    assert (T.MAX_TEXT, T.MAX_TOTAL, T.MAX_MATH, T.MAX_MATH_TOTAL) == (500, 3000, 300, 1000)
    assert T.MAX_DEPTH == 10
