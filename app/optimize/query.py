"""Query parameters to requests: the grammar of optimize.svg and plot.svg.

    /api/v1/optimize.svg?source=...&variable=theta&init=-3.5&lr=0.05,0.07,0.15
        &steps=100&method=sgd&function=objective&range=-5,5&points=400&theme=dark
    /api/v1/plot.svg?source=...&variable=x&range=-5,5&derivative=false

Every parameter is a field of the request; lists (`lr`, `range`) are
comma-separated. Unlike graph.svg, no parameter binds an input, so an
unknown or repeated name is an error rather than silently ignored. The CLI
builds its requests with the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.errors import InvalidRequest
from app.optimize.request import OptimizeRequest, PlotRequest
from app.query import describe_validation

_Model = TypeVar("_Model", bound=BaseModel)
_LISTS = frozenset({"lr", "range"})


def optimize_from_query(params: Iterable[tuple[str, str]]) -> OptimizeRequest:
    return _from_query(OptimizeRequest, params)


def plot_from_query(params: Iterable[tuple[str, str]]) -> PlotRequest:
    return _from_query(PlotRequest, params)


def _from_query(model: type[_Model], params: Iterable[tuple[str, str]]) -> _Model:
    fields: dict[str, Any] = {}
    empty: set[str] = set()
    for name, text in params:
        if name not in model.model_fields:
            known = ", ".join(model.model_fields)
            raise InvalidRequest(f"unknown query parameter {name!r}; the parameters are {known}")
        if name in fields or name in empty:
            raise InvalidRequest(f"query parameter {name!r} is given more than once")
        if name != "source" and not text.strip():
            empty.add(name)  # an empty form field: the default
            continue
        fields[name] = parse_numbers(name, text) if name in _LISTS else text
    if "source" not in fields:
        raise InvalidRequest("the query parameter 'source' (the objective) is required")
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise InvalidRequest(describe_validation(exc)) from None


def parse_numbers(name: str, text: str) -> list[float]:
    """`0.05,0.07` -> [0.05, 0.07]; spaces and brackets allowed: `[-5, 5]`."""
    stripped = text.strip().removeprefix("[").removesuffix("]")
    try:
        values = [float(part) for part in stripped.split(",") if part.strip()]
    except ValueError:
        raise InvalidRequest(
            f"{name} must be numbers separated by commas, like 0.05,0.07; not {text[:40]!r}"
        ) from None
    if not all(math.isfinite(v) for v in values):
        raise InvalidRequest(f"{name} must be finite numbers")
    return values


def query_pairs(request: BaseModel) -> list[tuple[str, str]]:
    """The inverse, for links and snippets: fields at their defaults left out."""
    pairs: list[tuple[str, str]] = []
    for name, info in type(request).model_fields.items():
        value = getattr(request, name)
        if name != "source" and value == info.default:
            continue
        if isinstance(value, tuple):
            text = ",".join(repr(v) for v in value)
        elif isinstance(value, bool):
            text = str(value).lower()
        else:
            text = str(value)
        pairs.append((name, text))
    return pairs
