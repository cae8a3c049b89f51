"""NumPy programs through a real uvicorn server and the JSON API.

The notebook's NumPy cells (real-code.json) answer what Python printed; an
ndarray output is answered with its value, shape and NumPy's dtype, and
says it has no graph.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.evaluate.numpy_programs import numpy_cells

CELLS = numpy_cells()


def evaluate(server: LiveServer, source: str) -> Any:
    with server.client() as http:
        return http.post("/api/v1/evaluate", json={"source": source})


@pytest.mark.parametrize("lesson", CELLS, ids=[c["id"] for c in CELLS])
def test_the_notebooks_numpy_cells(live_server: LiveServer, lesson: dict[str, Any]) -> None:
    response = evaluate(live_server, lesson["source"])
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["stdout"] == lesson["expect"]["stdout"]
    assert len(answer["figures"]) == lesson["expect"].get("figures", 0)


def test_an_ndarray_output_has_a_value_and_no_graph(live_server: LiveServer) -> None:
    response = evaluate(live_server, "x = torch.linspace(0, 1, 3)\ny = x.numpy() * 2")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["value"], answer["shape"], answer["dtype"]) == ([0.0, 1.0, 2.0], [3], "float32")
    assert answer["output_name"] == "y"
    assert answer["graph"]["nodes"] == [] and answer["svg"] is None
    assert answer["warnings"] == [
        "The graph is not drawn: the output is a NumPy array, and NumPy keeps no autograd "
        "graph (torch.from_numpy turns an array into a tensor)"
    ]


def test_a_numpy_scalar_output(live_server: LiveServer) -> None:
    answer = evaluate(live_server, "np.float32(-3.2959592)").json()
    assert (answer["value"], answer["shape"], answer["dtype"]) == (-3.2959592, [], "float32")


def test_a_numpy_refusal_is_a_problem_with_its_place(live_server: LiveServer) -> None:
    response = evaluate(live_server, "a = np.ones(3)\nb = np.zeros((10**5, 10**5))")
    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["limit"], problem["line"]) == (
        "limit_exceeded",
        "tensor_elements",
        2,
    )


@pytest.mark.parametrize("path", ["/", "/embed"])
def test_the_pages_say_why_an_ndarray_has_no_graph(live_server: LiveServer, path: str) -> None:
    with live_server.client() as http:
        page = http.get(path, params={"source": "y = np.linspace(0, 1, 3)"})
    assert page.status_code == 200
    assert "the output is a NumPy array, and NumPy keeps no autograd graph" in page.text
