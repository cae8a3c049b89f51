"""The plots: well-formed, self-contained SVG, the same bytes in every process."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from app.optimize import OptimizeRequest, PlotRequest
from app.optimize.answer import Descent, optimize_svg, plot_svg
from app.optimize.svgcheck import SvgError, check_svg
from tests.conftest import ROOT

NOTEBOOK = OptimizeRequest(
    source="theta*cos(4*theta) + 2*abs(theta)", init=-3.5, lr=(0.05, 0.07, 0.15), steps=100
)
SVG_NS = "{http://www.w3.org/2000/svg}"

# A fresh interpreter with its own hash seed draws the plots and prints their hashes.
_DRAW = """
import hashlib, json, sys
from app.optimize import OptimizeRequest, PlotRequest
from app.optimize.answer import optimize_svg, plot_svg
request = OptimizeRequest.model_validate_json(sys.argv[1])
plot = PlotRequest.model_validate_json(sys.argv[2])
print(json.dumps([hashlib.sha256(optimize_svg(request)).hexdigest(),
                  hashlib.sha256(plot_svg(plot)).hexdigest()]))
"""


def assert_self_contained(svg: bytes) -> ElementTree.Element:
    text = svg.decode("utf-8")
    root = ElementTree.fromstring(text)
    assert root.tag == f"{SVG_NS}svg"
    tags = {element.tag.removeprefix(SVG_NS) for element in root.iter()}
    assert tags <= {"svg", "defs", "g", "path", "use", "clipPath", "rect"}, tags
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            if name.endswith("href"):
                assert value.startswith("#")
            for target in re.findall(r"url\(([^)]*)\)", value):
                assert target.startswith("#")
    assert "<script" not in text and "<style" not in text and "<!DOCTYPE" not in text
    assert "<?xml" not in text and "<!--" not in text
    # Every internal reference resolves.
    ids = {element.get("id") for element in root.iter()}
    for ref in re.findall(r'(?:href="|url\()#([^")]+)', text):
        assert ref in ids
    return root


def test_the_descent_plot_is_well_formed_and_self_contained() -> None:
    descent = Descent(NOTEBOOK)
    root = assert_self_contained(descent.svg)
    assert root.get("viewBox") == "0 0 648 288"
    box = descent.axes
    assert 0 < box.left < box.right < box.width and 0 < box.top < box.bottom < box.height
    assert box.x == pytest.approx(descent.range)


def test_the_function_plot_is_well_formed_and_self_contained() -> None:
    assert_self_contained(plot_svg(PlotRequest(source="x**3 - x", range=(-2, 2))))
    assert_self_contained(plot_svg(PlotRequest(source="log(x)", derivative=False)))


def test_the_same_request_gives_the_same_bytes_in_another_process() -> None:
    plot = PlotRequest(source="def f(x):\n    return x*torch.sin(x)\n", theme="dark")
    here = [
        hashlib.sha256(optimize_svg(NOTEBOOK)).hexdigest(),
        hashlib.sha256(plot_svg(plot)).hexdigest(),
    ]
    assert optimize_svg(NOTEBOOK) == optimize_svg(NOTEBOOK)
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", _DRAW, NOTEBOOK.model_dump_json(), plot.model_dump_json()],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        assert json.loads(result.stdout) == here


def test_themes_and_requests_change_the_picture() -> None:
    light = optimize_svg(NOTEBOOK)
    dark = optimize_svg(NOTEBOOK.model_copy(update={"theme": "dark"}))
    other = optimize_svg(NOTEBOOK.model_copy(update={"lr": (0.05,)}))
    assert len({light, dark, other}) == 3
    assert b"#0d1117" in dark and b"#0d1117" not in light


def test_user_text_reaches_the_plot_only_as_glyphs() -> None:
    # The title is the expression as typed, comment included; `$` is text, not mathtext.
    source = "x**2 + 0*x  # </svg><script>alert(1)</script> & $\\alpha$ --"
    svg = optimize_svg(OptimizeRequest(source=source, init=1, lr=0.1))
    assert_self_contained(svg)
    assert b"alert" not in svg and b"script" not in svg and b"alpha" not in svg


def test_a_diverging_run_still_plots() -> None:
    svg = optimize_svg(OptimizeRequest(source="x**2", init=1.0, lr=(10.0, 0.1), steps=100))
    assert_self_contained(svg)


@pytest.mark.parametrize(
    "bad",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><g onload="alert(1)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<use xlink:href="http://example.com/x.svg#a"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><g clip-path="url(http://e.com/#p)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><style>*{}</style></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        '<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
        '<svg xmlns="http://www.w3.org/2000/svg"><g>text</g></svg>',
        "<svg><g></svg>",
    ],
)
def test_the_svg_check_refuses_what_is_not_drawing(bad: str) -> None:
    with pytest.raises(SvgError):
        check_svg(bad)


@pytest.mark.parametrize(
    ("source", "derivative"),
    [("x.double()*1e308", True), ("x.double()*0 + 1e308", False)],
)
def test_a_function_too_large_to_draw_is_a_plot_with_gaps(source: str, derivative: bool) -> None:
    # Found by fuzzing: matplotlib's axis arithmetic overflowed (a 500).
    svg = plot_svg(PlotRequest(source=source, derivative=derivative))
    assert svg.startswith(b"<svg")
    ElementTree.fromstring(svg)
