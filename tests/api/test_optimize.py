"""POST /api/v1/optimize, GET /api/v1/optimize.svg and /api/v1/plot.svg, in-process
(`client`, with the real worker pool)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

import pytest

from app.api.graph import entity_tag
from app.optimize import OptimizeRequest, PlotRequest
from app.optimize.answer import optimize_svg, plot_svg
from app.service import build_id
from tests.conftest import lessons

EXPRESSION = "theta*cos(4*theta) + 2*abs(theta)"
NOTEBOOK = {"source": EXPRESSION, "init": -3.5, "lr": [0.05, 0.07, 0.15], "steps": 100}
QUERY = {"source": EXPRESSION, "init": "-3.5", "lr": "0.05,0.07,0.15", "steps": "100"}
SEED = {
    lesson["id"]: lesson["expect"]["value"]
    for lesson in lessons()
    if lesson["id"].startswith("gradient-descent")
}


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = response.json()
    assert document["code"] == code and document["status"] == status
    assert document["type"] == f"/problems/{code}" and document["detail"]
    return document


def test_post_answers_the_runs_and_the_plot(client: Any) -> None:
    response = client.post("/api/v1/optimize", json=NOTEBOOK)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert set(document) == {
        "variable", "function", "method", "init", "steps", "runs", "range", "axes", "svg",
        "stdout", "warnings", "key",
    }  # fmt: skip
    assert document["variable"] == "theta" and document["function"] is None
    assert document["method"] == "sgd" and document["init"] == -3.5 and document["steps"] == 100
    finals = [run["final"]["parameter"] for run in document["runs"]]
    expected = [SEED[f"gradient-descent-{name}"] for name in ("stuck", "escapes", "closer")]
    assert finals == pytest.approx(expected, rel=1e-5)
    for run in document["runs"]:
        assert len(run["trajectory"]) == 101 and run["steps_run"] == 100
        assert set(run["trajectory"][0]) == {"parameter", "objective", "gradient"}
        assert run["trajectory"][0]["parameter"] == -3.5
        assert run["color"].startswith("#") and run["stopped"] is None
    lo, hi = document["range"]
    assert lo < -3.5 and hi > max(finals)
    axes = document["axes"]
    assert axes["width"] == 648 and axes["height"] == 288 and axes["x"] == pytest.approx([lo, hi])
    ElementTree.fromstring(document["svg"])
    assert document["warnings"] == [] and document["stdout"] == ""
    assert document["key"] == OptimizeRequest.model_validate(NOTEBOOK).key()


def test_post_with_a_program_and_a_method(client: Any) -> None:
    source = "def f(w):\n    print('called')\n    return (w - 2)**2\n"
    body = {"source": source, "init": 0, "lr": 0.1, "steps": 50, "method": "adam"}
    document = client.post("/api/v1/optimize", json=body).json()
    assert document["variable"] == "w" and document["function"] == "f"
    assert document["method"] == "adam"
    assert document["stdout"].startswith("called\n")
    assert document["runs"][0]["final"]["parameter"] == pytest.approx(2, abs=0.2)


def test_a_diverging_run_is_a_valid_answer(client: Any) -> None:
    body = {"source": "x**2", "init": 1, "lr": [10, 0.1], "steps": 200}
    response = client.post("/api/v1/optimize", json=body)
    assert response.status_code == 200
    document = json.loads(response.text)  # strict JSON: no NaN, no Infinity
    assert document["runs"][0]["stopped"] and document["runs"][1]["stopped"] is None
    assert document["warnings"]


def test_the_image_is_cached_by_etag(client: Any) -> None:
    response = client.get("/api/v1/optimize.svg", params=QUERY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    etag = response.headers["etag"]
    assert etag == entity_tag(OptimizeRequest.model_validate(NOTEBOOK).key(), build_id())
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert "sandbox" in response.headers["content-security-policy"]
    # The same bytes as the core, the CLI and the POST answer's inline SVG.
    assert response.content == optimize_svg(OptimizeRequest.model_validate(NOTEBOOK))
    posted = client.post("/api/v1/optimize", json=NOTEBOOK).json()
    assert posted["svg"].encode() == response.content

    again = client.get("/api/v1/optimize.svg", params=QUERY, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = client.get("/api/v1/optimize.svg", params={**QUERY, "theme": "dark"})
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_the_function_plot(client: Any) -> None:
    params = {"source": "x**3 - x", "variable": "x", "range": "-2,2"}
    response = client.get("/api/v1/plot.svg", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content == plot_svg(PlotRequest(source="x**3 - x", range=(-2, 2)))
    etag = response.headers["etag"]
    again = client.get("/api/v1/plot.svg", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304
    default_range = client.get("/api/v1/plot.svg", params={"source": "sin(x)"})
    assert default_range.status_code == 200


@pytest.mark.parametrize(
    ("body", "limit"),
    [
        ({**NOTEBOOK, "steps": 1001}, "steps"),
        ({**NOTEBOOK, "lr": [0.01] * 9, "steps": 10}, "step_sizes"),
        ({**NOTEBOOK, "lr": [0.01] * 8, "steps": 1000}, "total_steps"),
        ({**NOTEBOOK, "range": [-1, 1e7]}, "plot_range"),
        ({**NOTEBOOK, "points": 5000}, "plot_points"),
    ],
)
def test_limits_answer_limit_exceeded(client: Any, body: dict[str, Any], limit: str) -> None:
    document = problem(client.post("/api/v1/optimize", json=body), 422, "limit_exceeded")
    assert document["limit"] == limit


@pytest.mark.parametrize(
    ("params", "limit"),
    [
        ({**QUERY, "steps": "100000"}, "steps"),
        ({**QUERY, "range": "-1e9,1e9"}, "plot_range"),
    ],
)
def test_image_limits_answer_limit_exceeded(
    client: Any, params: dict[str, str], limit: str
) -> None:
    response = client.get("/api/v1/optimize.svg", params=params)
    assert problem(response, 422, "limit_exceeded")["limit"] == limit
    plot = client.get("/api/v1/plot.svg", params={"source": "x", "range": "-1e9,1e9"})
    assert problem(plot, 422, "limit_exceeded")["limit"] == "plot_range"


@pytest.mark.parametrize(
    "body",
    [
        {**NOTEBOOK, "lr": "fast"},
        {**NOTEBOOK, "lr": [-0.1]},
        {**NOTEBOOK, "init": None},
        {**NOTEBOOK, "method": "newton"},
        {**NOTEBOOK, "unknown": 1},
        {**NOTEBOOK, "source": "x * y"},
        {**NOTEBOOK, "range": [1, 1]},
        {k: v for k, v in NOTEBOOK.items() if k != "source"},
    ],
)
def test_malformed_requests_are_invalid(client: Any, body: dict[str, Any]) -> None:
    problem(client.post("/api/v1/optimize", json=body), 422, "invalid_request")


def test_program_errors_carry_their_position(client: Any) -> None:
    body = {**NOTEBOOK, "source": "def f(x):\n    return x @ x\n"}
    document = problem(client.post("/api/v1/optimize", json=body), 400, "runtime_error")
    assert document["line"] == 2
    body = {**NOTEBOOK, "source": "def f(x):\n    return open('/etc/passwd')\n"}
    assert problem(client.post("/api/v1/optimize", json=body), 400, "not_allowed")["line"] == 2
    response = client.get("/api/v1/optimize.svg", params={**QUERY, "source": "theta +* 2"})
    assert problem(response, 400, "syntax_error")["column"]


@pytest.mark.parametrize(
    "params",
    [
        {"init": "1"},
        {**QUERY, "x": "5"},
        {**QUERY, "lr": "a,b"},
        {**QUERY, "method": "newton"},
    ],
)
def test_bad_queries_are_invalid(client: Any, params: dict[str, str]) -> None:
    problem(client.get("/api/v1/optimize.svg", params=params), 422, "invalid_request")


def test_the_endpoints_are_documented(client: Any) -> None:
    schema = client.get("/openapi.json").json()
    operations = {
        op["operationId"]: path
        for path, methods in schema["paths"].items()
        for op in methods.values()
    }
    assert operations["optimize"] == "/api/v1/optimize"
    assert operations["optimize_svg"] == "/api/v1/optimize.svg"
    assert operations["plot_svg"] == "/api/v1/plot.svg"
    assert "OptimizeResult" in schema["components"]["schemas"]
