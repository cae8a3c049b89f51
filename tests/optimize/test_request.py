"""The request models, their bounds and the query grammar of optimize.svg and plot.svg."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.errors import InvalidRequest, LimitExceeded
from app.optimize import (
    MAX_POINTS,
    MAX_RANGE,
    MAX_RATES,
    MAX_STEPS,
    MAX_TOTAL_STEPS,
    OptimizeRequest,
    PlotRequest,
    check_bounds,
)
from app.optimize.answer import optimize_svg
from app.optimize.query import optimize_from_query, plot_from_query, query_pairs

SOURCE = "theta*cos(4*theta) + 2*abs(theta)"


def request(**fields: Any) -> OptimizeRequest:
    return OptimizeRequest(**{"source": SOURCE, **fields})


@pytest.mark.parametrize(
    ("fields", "limit", "value"),
    [
        ({"steps": MAX_STEPS + 1}, "steps", MAX_STEPS),
        ({"lr": [0.01] * (MAX_RATES + 1), "steps": 10}, "step_sizes", MAX_RATES),
        ({"lr": [0.01] * 5, "steps": 1000}, "total_steps", MAX_TOTAL_STEPS),
        ({"range": (-1.0, 2 * MAX_RANGE)}, "plot_range", MAX_RANGE),
        ({"range": (-0.6 * MAX_RANGE, 0.6 * MAX_RANGE)}, "plot_range", MAX_RANGE),
        ({"points": MAX_POINTS + 1}, "plot_points", MAX_POINTS),
        ({"init": 2 * MAX_RANGE}, "init", MAX_RANGE),
    ],
)
def test_bounds_are_named_limits(fields: dict[str, Any], limit: str, value: float) -> None:
    with pytest.raises(LimitExceeded) as caught:
        check_bounds(request(**fields))
    assert (caught.value.limit, caught.value.value) == (limit, value)
    # The core checks them itself too: the CLI and the worker never trust the caller.
    with pytest.raises(LimitExceeded):
        optimize_svg(request(**fields))


def test_the_largest_allowed_request_passes_the_bounds() -> None:
    check_bounds(request(lr=[0.01, 0.02, 0.03, 0.04], steps=MAX_STEPS, points=MAX_POINTS))
    check_bounds(request(lr=[0.01] * MAX_RATES, steps=MAX_TOTAL_STEPS // MAX_RATES))
    check_bounds(request(range=(-MAX_RANGE / 2, MAX_RANGE / 2), init=MAX_RANGE))


@pytest.mark.parametrize(
    "fields",
    [
        {"lr": []},
        {"lr": [0.1, -0.1]},
        {"lr": 0},
        {"lr": "fast"},
        {"steps": -1},
        {"steps": 2.5},
        {"init": float("nan")},
        {"init": float("inf")},
        {"method": "lbfgs"},
        {"variable": "1x"},
        {"variable": "x y"},
        {"function": "os.system"},
        {"range": (0.0,)},
        {"range": (0.0, float("inf"))},
        {"points": 1},
        {"theme": "pink"},
        {"extra": 1},
        # JSON's true and false are not numbers (pydantic alone reads 1 and 0).
        {"steps": True},
        {"init": False},
        {"lr": True},
        {"lr": [0.1, True]},
        {"points": True},
        {"range": (False, 1.0)},
    ],
)
def test_malformed_requests_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        request(**fields)


@pytest.mark.parametrize("bounds", [(1.0, 1.0), (2.0, 1.0), (1e5, 1e5 + 1e-3)])
def test_an_empty_or_reversed_range_is_invalid(bounds: tuple[float, float]) -> None:
    with pytest.raises(InvalidRequest):
        check_bounds(request(range=bounds))


def test_the_key_is_canonical() -> None:
    base = request(init=-3.5, lr=[0.05, 0.07], steps=100)
    same = OptimizeRequest(source=SOURCE + "\n\n", init=-3.5, lr=(0.05, 0.07), steps=100)
    assert base.key() == same.key()
    assert request(init=-3, lr=0.05).key() == request(init=-3.0, lr=[0.05]).key()
    different = [
        request(init=-3.5, lr=[0.07, 0.05], steps=100),
        request(init=-3.5, lr=[0.05, 0.07], steps=101),
        request(init=-3.5, lr=[0.05, 0.07], steps=100, theme="dark"),
        request(init=-3.5, lr=[0.05, 0.07], steps=100, method="adam"),
    ]
    assert len({base.key(), *(r.key() for r in different)}) == 5
    # A plot of the same source is a different picture: a different key.
    assert PlotRequest(source=SOURCE).key() != request().key()


def test_the_query_grammar() -> None:
    parsed = optimize_from_query(
        [
            ("source", SOURCE),
            ("variable", "theta"),
            ("init", "-3.5"),
            ("lr", "0.05, 0.07,0.15"),
            ("steps", "100"),
            ("method", "momentum"),
            ("range", "[-5,5]"),
            ("theme", "dark"),
        ]
    )
    assert parsed == OptimizeRequest(
        source=SOURCE,
        variable="theta",
        init=-3.5,
        lr=(0.05, 0.07, 0.15),
        steps=100,
        method="momentum",
        range=(-5.0, 5.0),
        theme="dark",
    )
    assert optimize_from_query(query_pairs(parsed)) == parsed
    # An empty form field means its default.
    blank = optimize_from_query([("source", "x**2"), ("variable", ""), ("range", " ")])
    assert blank == OptimizeRequest(source="x**2")
    plot = plot_from_query([("source", "x**3"), ("range", "-2,2"), ("derivative", "false")])
    assert plot == PlotRequest(source="x**3", range=(-2.0, 2.0), derivative=False)


@pytest.mark.parametrize(
    "params",
    [
        [("init", "1")],  # no source
        [("source", "x"), ("x", "5")],  # not an input binding, unlike graph.svg
        [("source", "x"), ("lr", "0.1"), ("lr", "0.2")],
        [("source", "x"), ("lr", "0.1;0.2")],
        [("source", "x"), ("lr", "nan")],
        [("source", "x"), ("range", "1")],
        [("source", "x"), ("steps", "many")],
    ],
)
def test_bad_queries_are_invalid_requests(params: list[tuple[str, str]]) -> None:
    with pytest.raises(InvalidRequest):
        optimize_from_query(params)
