"""A program's figures as SVG and PNG: deterministic, escaped, themed, bounded."""

from __future__ import annotations

import os
import struct

import pytest
from matplotlib.font_manager import FontProperties, findfont, get_font

from app.errors import LimitExceeded, RenderFailed
from app.evaluate import run_source
from app.limits import Limits
from app.optimize.svgcheck import check_svg
from app.process_bounds import limit_address_space
from app.render.figures import RASTER_MARKERS, answer_figures, figure_bytes, title_of

HOSTILE = "</text><script>alert(1)</script><!-- ]]> &amp; \" '"


def svg_of(source: str, theme: str = "light") -> str:
    (figure,) = run_source(source).figures
    return figure_bytes(figure, "svg", theme).decode()


def test_the_same_program_gives_the_same_bytes() -> None:
    source = (
        "x = torch.linspace(0, 6, 50)\nplt.plot(x, torch.sin(x), 'o-', label='sin')\nplt.legend()"
    )
    assert svg_of(source) == svg_of(source)
    first = run_source(source).figures[0]
    assert figure_bytes(first, "png", "light") == figure_bytes(
        run_source(source).figures[0], "png", "light"
    )
    assert "Date" not in svg_of(source) and "<!--" not in svg_of(source)


def test_every_string_is_drawn_not_written() -> None:
    source = (
        f"plt.plot([1, 2], label={HOSTILE!r})\nplt.title({HOSTILE!r})\nplt.legend()\n"
        f"plt.figure()\nplt.bar([{HOSTILE!r}, 'b'], [1, 2])\nplt.xlabel({HOSTILE!r})"
    )
    for figure in run_source(source).figures:
        svg = figure_bytes(figure, "svg", "light").decode()
        check_svg(svg)
        assert "<script" not in svg and "<text" not in svg and "alert" not in svg
        # Drawn: the glyphs of '<', '/', '!' and '&' are in it.
        for char in "</!&":
            assert f'id="DejaVuSans-{glyph(char)}"' in svg, char


def glyph(char: str, family: str = "DejaVu Sans", style: str = "normal") -> str:
    """The id matplotlib gives a character's glyph in an SVG (its index in the font)."""
    path = findfont(FontProperties(family=family, style=style))
    return f"{get_font(path).get_char_index(ord(char)):x}"


def test_mathtext_is_drawn() -> None:
    svg = svg_of("plt.plot([1, 2])\nplt.xlabel('$\\\\theta$')")
    assert f'id="DejaVuSans-Oblique-{glyph("θ", style="italic")}"' in svg


def test_the_dark_theme_recolours_the_defaults_and_is_undone() -> None:
    source = "plt.plot([1, 2], color='red', label='a')\nplt.title('t')\nplt.legend()"
    (figure,) = run_source(source).figures
    light = figure_bytes(figure, "svg", "light")
    dark = figure_bytes(figure, "svg", "dark")
    assert dark != light and b"#0d1117" in dark and b"#e5e8ef" in dark
    assert b"#ff0000" in dark  # the program's own colour stays
    assert figure_bytes(figure, "svg", "light") == light
    assert b"#0d1117" not in light


def test_many_markers_are_drawn_as_pixels() -> None:
    few = svg_of(f"plt.scatter(torch.rand({RASTER_MARKERS}), torch.rand({RASTER_MARKERS}))")
    many = svg_of(
        "n = 9000\nplt.scatter(torch.rand(n), torch.rand(n), c=torch.rand(n), s=torch.rand(n))"
    )
    assert "<image" not in few
    assert "<image" in many and len(many) < 1_500_000
    check_svg(many)


def test_a_figure_matplotlib_cannot_draw_is_a_warning() -> None:
    evaluation = run_source("plt.plot([1e308, -1e308])\nplt.figure()\nplt.plot([1, 2])")
    figures, warnings = answer_figures(evaluation.figures, "light")
    assert figures[0]["svg"] is None and figures[1]["svg"]
    assert warnings and warnings[0].startswith("Figure 1 is not drawn: matplotlib cannot draw it")
    with pytest.raises(RenderFailed):
        figure_bytes(evaluation.figures[0], "png", "light")


def test_png_size_is_the_figure_size() -> None:
    (figure,) = run_source("plt.figure(figsize=(12, 4))\nplt.plot([1, 2])").figures
    png = figure_bytes(figure, "png", "light")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1200, 400) and b"Software" not in png


@pytest.mark.parametrize(
    ("source", "title"),
    [
        ("plt.plot([1])", "Figure 1"),
        ("plt.plot([1])\nplt.title('loss')", "loss"),
        ("fig, ax = plt.subplots(1, 2)\nax[0].set_title('a')\nax[1].set_title('b')", "a · b"),
        ("plt.plot([1])\nplt.title('loss')\nplt.suptitle('all')", "all"),
    ],
)
def test_titles(source: str, title: str) -> None:
    assert title_of(run_source(source).figures[0], 0) == title


def test_a_figure_out_of_memory_is_the_memory_limit_it_was_given() -> None:
    """Drawn in a fork whose address space is nearly full: the error names the
    limit the request ran under, not the default one."""
    (figure,) = run_source("plt.figure(figsize=(20, 20))\nplt.plot([1, 2])").figures
    limits = Limits(memory_bytes=256 << 20)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.close(read)
        try:
            limit_address_space(1 << 20)  # the 2000 x 2000 PNG needs 16 MiB
            try:
                figure_bytes(figure, "png", "light", limits)
                outcome = "drawn"
            except LimitExceeded as exc:
                outcome = f"{exc.limit} {exc.value}"
            except BaseException as exc:
                outcome = type(exc).__name__
            os.write(write, outcome.encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        outcome = pipe.read().decode()
    os.waitpid(pid, 0)
    assert outcome == f"memory_bytes {256 << 20}"
