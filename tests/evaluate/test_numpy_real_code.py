"""The notebook's NumPy cells (the `numpy` entries of app/data/real-code.json), verbatim.

Cell 2 prints exactly what Python printed. Cells 12 and 13 also plot: until
pyplot is in the language their only refusal is the matplotlib import, and
with their pyplot calls replaced by lists of the calls' arguments (every
NumPy expression still runs, the plotted comprehension included) they print
exactly what Python printed; once pyplot is in, they run verbatim.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import NotAllowed
from app.evaluate import run_source
from tests.evaluate.numpy_programs import PYPLOT, numpy_cells, python_stdout, without_pyplot

CELLS = numpy_cells()


def test_the_numpy_cells_are_the_notebooks() -> None:
    assert [c["id"] for c in CELLS] == [
        "verbatim-cell2-numpy-torch",
        "verbatim-cell12-objective-plot",
        "verbatim-cell13-gradient-descent",
    ]


@pytest.mark.parametrize("lesson", CELLS, ids=[c["id"] for c in CELLS])
def test_each_cell_prints_what_python_printed(lesson: dict[str, Any]) -> None:
    source, expected = lesson["source"], lesson["expect"]["stdout"]
    if "figures" not in lesson["area"] or PYPLOT:
        assert run_source(source).stdout == expected
        return
    with pytest.raises(NotAllowed) as caught:
        run_source(source)
    refusal = caught.value
    assert "'matplotlib.pyplot'" in refusal.detail
    assert source.splitlines()[refusal.line - 1] == "import matplotlib.pyplot as plt"  # type: ignore[operator]
    plain = without_pyplot(source)
    assert "plt" not in plain and "np." in plain
    assert python_stdout(plain) == expected  # replacing the plots changes nothing printed
    assert run_source(plain).stdout == expected


def test_cell_13_keeps_numpy_scalars_and_float32() -> None:
    lesson = next(c for c in CELLS if c["id"] == "verbatim-cell13-gradient-descent")
    source = lesson["source"] if PYPLOT else without_pyplot(lesson["source"])
    evaluation = run_source(source + "last = theta_hat_arr[-1]\n")
    last = evaluation.output
    assert type(last).__name__ == "float32" and str(last) == "-3.2959592"
