"""The notebook's cells 12 and 13, verbatim (app/data/real-code.json, the
`figures` entries), through the interpreter, the API and the CLI: each prints
exactly what Python printed and draws the figure real matplotlib draws (the
page's test is tests/browser/test_figures.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.evaluate import run_source
from app.optimize.svgcheck import check_svg
from tests.conftest import ROOT, LiveServer
from tests.evaluate.pyplot_reference import describe, reference
from tests.test_cli import app

LESSONS: list[dict[str, Any]] = json.loads((ROOT / "app" / "data" / "real-code.json").read_text())[
    "lessons"
]
CELLS = [lesson for lesson in LESSONS if "figures" in lesson["area"].split("+")]
IDS = [cell["id"] for cell in CELLS]
# What cell 13 asks for: the objective, the steps 'o-', the true and the final theta.
CELL_13_LEGEND = ["Gradient steps", "True theta", "Final theta"]


def test_the_cells_are_the_notebooks() -> None:
    assert IDS == ["verbatim-cell12-objective-plot", "verbatim-cell13-gradient-descent"]
    assert all(cell["expect"]["figures"] == 1 for cell in CELLS)


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_each_cell_draws_what_matplotlib_draws(cell: dict[str, Any]) -> None:
    printed, figures = reference(cell["source"])
    evaluation = run_source(cell["source"])
    assert evaluation.stdout == printed == cell["expect"]["stdout"]
    assert len(evaluation.figures) == len(figures) == cell["expect"]["figures"]
    ours, theirs = describe(evaluation.figures[0]), describe(figures[0])
    assert ours == theirs
    (axes,) = ours["axes"]
    assert ours["size"] == [12.0, 4.0]
    if cell["id"].endswith("gradient-descent"):
        assert axes["legend"] == CELL_13_LEGEND
        lines = {line["label"]: line for line in axes["lines"]}
        assert lines["Gradient steps"]["marker"] == "o" and len(lines["Gradient steps"]["x"]) == 101
        assert lines["Final theta"]["x"] == [-3.295959] * 2
        assert len(axes["lines"]) == 4  # the objective on np.linspace(-5, 5) too
    else:
        assert axes["legend"] is None and len(axes["lines"]) == 2
        assert axes["lines"][1]["x"] == [-0.050505] * 2  # theta_true, against plt.ylim()
        assert len(axes["lines"][1]["y"]) == 2  # what plt.ylim() was then


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_each_cell_through_the_api(live_server: LiveServer, cell: dict[str, Any]) -> None:
    with live_server.client() as http:
        answer = http.post("/api/v1/evaluate", json={"source": cell["source"]})
        assert answer.status_code == 200, answer.text[:300]
        document = answer.json()
        alone = http.get("/api/v1/figure.svg", params={"source": cell["source"], "n": "0"})
        png = http.get("/api/v1/figure.png", params={"source": cell["source"], "n": "0"})
        missing = http.get("/api/v1/figure.svg", params={"source": cell["source"], "n": "1"})
    assert document["stdout"] == cell["expect"]["stdout"]
    (figure,) = document["figures"]
    check_svg(figure["svg"])
    assert alone.status_code == 200 and alone.content == figure["svg"].encode()
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert missing.status_code == 422 and "draws 1 figure" in missing.json()["detail"]
    # The legend is a group of the drawing when, and only when, the cell asks for one.
    assert ('id="legend_1"' in figure["svg"]) == cell["id"].endswith("gradient-descent")


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_each_cell_through_the_cli(
    live_server: LiveServer, tmp_path: Path, cell: dict[str, Any]
) -> None:
    program = tmp_path / "cell.py"
    program.write_text(cell["source"])
    evaluated = app("eval", str(program))
    assert evaluated.returncode == 0, evaluated.stderr
    answer = json.loads(evaluated.stdout)
    assert answer["stdout"] == cell["expect"]["stdout"] and len(answer["figures"]) == 1
    figures = tmp_path / "figures"
    rendered = app(
        "render", str(program), "-o", str(tmp_path / "graph.svg"), "--figures", str(figures)
    )
    assert rendered.returncode == 0, rendered.stderr
    with live_server.client() as http:
        served = http.get("/api/v1/figure.svg", params={"source": cell["source"], "n": "0"})
    assert (figures / "figure-0.svg").read_bytes() == served.content
    assert [p.name for p in figures.iterdir()] == ["figure-0.svg"]
