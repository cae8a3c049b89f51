"""The notebook's NumPy cells (the `numpy` entries of app/data/real-code.json), verbatim.

Each prints exactly what Python printed. Cells 12 and 13 also plot, and run
verbatim with their plots; their figures are compared with real pyplot's in
tests/api/test_real_code_figures.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.evaluate import run_source
from tests.evaluate.numpy_programs import numpy_cells

CELLS = numpy_cells()


def test_the_numpy_cells_are_the_notebooks() -> None:
    assert [c["id"] for c in CELLS] == [
        "verbatim-cell2-numpy-torch",
        "verbatim-cell12-objective-plot",
        "verbatim-cell13-gradient-descent",
    ]


@pytest.mark.parametrize("lesson", CELLS, ids=[c["id"] for c in CELLS])
def test_each_cell_prints_what_python_printed(lesson: dict[str, Any]) -> None:
    evaluation = run_source(lesson["source"])
    assert evaluation.stdout == lesson["expect"]["stdout"]
    assert len(evaluation.figures) == lesson["expect"].get("figures", 0)


def test_cell_13_keeps_numpy_scalars_and_float32() -> None:
    lesson = next(c for c in CELLS if c["id"] == "verbatim-cell13-gradient-descent")
    evaluation = run_source(lesson["source"] + "last = theta_hat_arr[-1]\n")
    last = evaluation.output
    assert type(last).__name__ == "float32" and str(last) == "-3.2959592"
