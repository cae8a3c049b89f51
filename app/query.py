"""Query parameters to a Job: the shared grammar of graph.*, /embed and `/`.

`source` and `output` are the program; the option names of RenderOptions
(`rankdir=LR`, `show_grads=false`, ...) are options; every other parameter
binds an input: `x=5`, `w=[1,2,3]`. So a permalink, an <img> URL and an
<iframe> URL differ only in their path; a figure's URL adds `n`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from app.errors import InvalidRequest
from app.job import (
    JOB_FIELDS,
    OPTION_NAMES,
    FigureFormat,
    FigureJob,
    Format,
    InputValue,
    Job,
    RenderOptions,
    describe_errors,
)

RESERVED = frozenset({"source", "output"}) | OPTION_NAMES
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_input(name: str, text: str) -> InputValue:
    """`5`, `-2.5e3`, `[1, 2]`: a number or a JSON list of numbers."""
    stripped = text.strip()
    try:
        if stripped.startswith("["):
            value: InputValue = json.loads(stripped)
            return value
        number = float(stripped)
    except (ValueError, RecursionError):  # json gives up on `[[[[...` a thousand deep
        raise InvalidRequest(
            f"input {name!r} must be a number or a list like [1, 2], not {text[:40]!r}"
        ) from None
    if not math.isfinite(number):
        raise InvalidRequest(f"input {name!r} must be a finite number")
    return int(number) if number.is_integer() and "." not in stripped else number


def _repeated(name: str) -> str:
    """Why a parameter may not come twice, and, for an input, how to send a list:
    `params={"w": [1, 2]}` (httpx, requests) sends `w=1&w=2`."""
    message = f"query parameter {name!r} is given more than once"
    if name in RESERVED:
        return message
    return (
        f"{message}; a list is one parameter written as JSON, {name}=[1,2] "
        f"(from Python: params={{{name!r}: json.dumps([1, 2])}})"
    )


def _parse_bool(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidRequest(f"option {name!r} must be true or false, not {text[:40]!r}")


def job_from_query(
    params: Iterable[tuple[str, str]], fmt: Format | None = "svg", default_source: str | None = None
) -> Job:
    """Build a Job from `(name, value)` pairs (e.g. `request.query_params.multi_items()`)."""
    seen: set[str] = set()
    source = default_source
    output: str | None = None
    options: dict[str, Any] = {}
    inputs: dict[str, InputValue] = {}
    for name, text in params:
        if name in seen:
            raise InvalidRequest(_repeated(name))
        seen.add(name)
        if name == "source":
            source = text
        elif name == "output":
            output = text or None
        elif name in OPTION_NAMES:
            field = RenderOptions.model_fields[name]
            options[name] = _parse_bool(name, text) if field.annotation is bool else text
        else:
            inputs[name] = parse_input(name, text)
    if source is None:
        raise InvalidRequest("the query parameter 'source' (the program) is required")
    try:
        return Job(
            source=source,
            inputs=inputs,
            output=output,
            options=RenderOptions(**options),
            format=fmt,
        )
    except ValidationError as exc:
        raise InvalidRequest(describe_validation(exc)) from None


def figure_from_query(params: Iterable[tuple[str, str]], fmt: FigureFormat) -> FigureJob:
    """A FigureJob from a query: graph.*'s grammar, and `n`, which figure
    (0 for the first). `n` is no input here."""
    pairs = list(params)
    given = [text for name, text in pairs if name == "n"]
    if not given:
        raise InvalidRequest("the query parameter 'n' (which figure: 0 for the first) is required")
    if len(given) > 1:
        raise InvalidRequest("query parameter 'n' is given more than once")
    text = given[0].strip()
    if not text.isdigit() or len(text) > 4:
        raise InvalidRequest(f"n must be a figure's number: 0, 1, 2, ..., not {given[0][:40]!r}")
    job = job_from_query([(name, value) for name, value in pairs if name != "n"], fmt=None)
    try:
        return FigureJob(job=job, n=int(text), format=fmt)
    except ValidationError as exc:
        raise InvalidRequest(describe_validation(exc)) from None


def describe_validation(exc: ValidationError) -> str:
    """One readable sentence per problem pydantic found in a request for a Job."""
    return describe_errors(exc.errors(), JOB_FIELDS)


def query_from_job(job: Job) -> list[tuple[str, str]]:
    """The inverse of job_from_query, for permalinks and snippets: defaults left out."""
    pairs: list[tuple[str, str]] = [("source", job.source)]
    if job.output:
        pairs.append(("output", job.output))
    defaults = RenderOptions()
    for name in RenderOptions.model_fields:
        value = getattr(job.options, name)
        if value != getattr(defaults, name):
            pairs.append((name, str(value).lower() if isinstance(value, bool) else str(value)))
    for name, value in job.inputs.items():
        pairs.append((name, json.dumps(value) if isinstance(value, list) else str(value)))
    return pairs
