"""What one evaluation is asked to do: the program, its inputs, the options.

A `Job` is the unit that crosses every boundary: the HTTP layer builds it from
a request, the worker pool ships it to a worker process as JSON, the CLI
builds it from its arguments. Its `key()` is the canonical form of the
request, so the same program asked for twice, by any route, is the same key:
the cache key and the ETag come from it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from app import __version__

Style = Literal["default", "torchviz"]
RankDir = Literal["TB", "LR"]
Theme = Literal["light", "dark"]
Format = Literal["svg", "png", "dot", "json"]
FigureFormat = Literal["svg", "png"]
Loops = Literal["auto", "collapsed", "expanded"]
# What a worker is asked for: the JSON answer of /evaluate, its summary for
# the pages (app.pipeline.PAGE_BYTES), or an image alone.
Kind = Literal["evaluate", "page", "image"]


def _numbers(value: Any, depth: int = 0) -> Any:
    """A JSON input as numbers: true and false are not numbers (pydantic would
    read 1 and 0), and a string that reads as a number is that number, inside
    lists as at the top (`"5"` and `["1", "2"]` alike, as a URL's `x=5` and
    `w=[1,2]` are read), with the URL grammar's rule: `"2"` is an int, `"2.0"`
    a float."""
    if isinstance(value, bool):
        raise ValueError("true and false are not numbers")
    if isinstance(value, str):
        return _number_text(value)
    if isinstance(value, list) and depth <= 8:  # deeper lists are refused after
        return [_numbers(item, depth + 1) for item in value]
    return value


def _number_text(text: str) -> float | int:
    stripped = text.strip()
    try:
        number = float(stripped)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{text[:40]!r} is not a finite number")
    if number.is_integer() and not any(c in stripped for c in ".eE"):
        return int(stripped)
    return number


# A number or an arbitrarily nested list of numbers; depth and size are
# checked by the evaluator, which owns the element limits.
InputValue = Annotated[float | int | list[Any], BeforeValidator(_numbers)]

IDENTIFIER = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"


def validation_message(error: Mapping[str, Any]) -> str:
    """pydantic's message for one error, in words for a person where pydantic
    would show a regular expression (a name that is not an identifier)."""
    if (
        error.get("type") == "string_pattern_mismatch"
        and (error.get("ctx") or {}).get("pattern") == IDENTIFIER
    ):
        return "must be a name: a letter, then up to 63 letters, digits or underscores"
    # pydantic prefixes the messages of our own validators with its own words.
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


# The fields of a request's JSON body (POST /api/v1/evaluate).
JOB_FIELDS = ("source", "inputs", "output", "options")
# pydantic names each member of a union it tried in the error's location.
_INPUT_MEMBERS = frozenset({"float", "int", "list[any]"})


def describe_errors(errors: Sequence[Mapping[str, Any]], fields: Sequence[str] = ()) -> str:
    """pydantic's errors as one sentence each, in words for a person: where
    (`inputs.w`), then what is wrong, without pydantic's own vocabulary.
    `fields` are the names a request may hold at its top level."""
    parts: list[str] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part != "body"]
        kind = error.get("type")
        if len(loc) > 2 and loc[0] == "inputs" and loc[-1] in _INPUT_MEMBERS:
            loc, message = loc[:-1], "must be a number or a list of numbers"
        elif loc and loc[-1] == "[key]":
            name = loc[-2][:40]
            loc, message = loc[:-2], f"{name!r} {validation_message(error)}"
        elif not loc and kind in ("model_type", "model_attributes_type", "dict_type"):
            message = 'the request must be a JSON object, such as {"source": "3*sin(x)"}'
        elif kind == "extra_forbidden" and loc[:-1] == ["options"]:
            message = f"is not an option; the options are {', '.join(sorted(OPTION_NAMES))}"
        elif kind == "extra_forbidden":
            known = f"; the fields are {', '.join(fields)}" if fields and len(loc) == 1 else ""
            message = f"is not a field of the request{known}"
        elif kind == "missing":
            message = "is required"
        elif kind == "string_type":
            message = "must be text (a JSON string)"
        else:  # pydantic's "Input should be 'default' or 'torchviz'"
            message = re.sub(r"^Input should be\b", "must be", validation_message(error))
        text = f"{'.'.join(loc)}: {message}" if loc else message
        if text not in parts:
            parts.append(text)
    return "; ".join(parts) or "the request is invalid"


class RenderOptions(BaseModel):
    """How the graph is drawn. Every field is also a query parameter of graph.*"""

    model_config = ConfigDict(extra="forbid", frozen=True)

    style: Style = Field("default", description="`torchviz` reproduces make_dot exactly.")
    rankdir: RankDir = Field("TB", description="Graph direction: top-bottom or left-right.")
    show_values: bool = Field(True, description="Forward values on tensor and op nodes.")
    show_grads: bool = Field(True, description="Gradients on tensor and op nodes.")
    show_edge_grads: bool = Field(True, description="The gradient flowing along each edge.")
    group_loops: bool = Field(True, description="Box the nodes of each loop iteration.")
    group_modules: bool = Field(
        True, description="Box the operations of each module call (`fc1: Linear`)."
    )
    show_attrs: bool = Field(False, description="Non-tensor attributes of backward nodes.")
    show_saved: bool = Field(False, description="Tensors saved for the backward pass.")
    theme: Theme = Field("light", description="Colours for light or dark pages.")
    loops: Loops = Field(
        "auto",
        description="Long loops drawn as their first iterations, a box for the rest and "
        "their last (`collapsed`), or whole (`expanded`); `auto` collapses loops of more than "
        "5 iterations in graphs of more than 40 nodes. The default style only.",
    )


OPTION_NAMES: frozenset[str] = frozenset(RenderOptions.model_fields)


class Job(BaseModel):
    """One evaluation request, in canonical form (see `normalise_source`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    inputs: dict[Annotated[str, Field(pattern=IDENTIFIER)], InputValue] = Field(
        default_factory=dict
    )
    output: Annotated[str, Field(pattern=IDENTIFIER)] | None = None
    options: RenderOptions = Field(default_factory=RenderOptions)
    # What to render: the JSON API wants the SVG beside the numbers, an <img>
    # wants one format, `None` skips Graphviz (values and gradients only).
    format: Format | None = "svg"

    @field_validator("source")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_source(value)

    @field_validator("inputs")
    @classmethod
    def _finite(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name, item in value.items():
            _check_numbers(name, item, depth=0)
        return dict(sorted(value.items()))

    def key(self) -> str:
        """A content hash of the request and the app version: cache key and ETag."""
        payload = self.model_dump(mode="json")
        payload["version"] = __version__
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


class FigureJob(BaseModel):
    """One figure a program draws, alone (GET /api/v1/figure.svg and .png):
    the program's Job, which of its figures (0-based, in the order it made
    them), and the format. Its key is the canonical request, as a Job's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    job: Job
    n: int = Field(ge=0, le=1_000, description="Which figure: 0 for the first.")
    format: FigureFormat = "svg"

    def key(self) -> str:
        payload = self.model_dump(mode="json")
        payload["version"] = __version__
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


# ASCII white space only: str.rstrip() would also drop U+0085 and other
# Unicode spaces, which the parser must see (and refuse), not lose.
_TRAILING = " \t\n\r\f\v"


def normalise_source(text: str) -> str:
    """Newlines to `\\n`, trailing ASCII white space of the whole text dropped.

    Nothing else changes, so line and column numbers in errors still point at
    what the person typed.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip(_TRAILING)


def _check_numbers(name: str, item: Any, depth: int) -> None:
    if depth > 8:
        raise ValueError(f"input {name!r} is nested deeper than 8 levels")
    if isinstance(item, list):
        for sub in item:
            _check_numbers(name, sub, depth + 1)
    elif isinstance(item, float) and not math.isfinite(item):
        raise ValueError(f"input {name!r} holds a non-finite number")


def work_request(kind: str, job: Any, limits: dict[str, Any]) -> dict[str, Any]:
    """What app.pipeline.handle takes: the message the server and the CLI send a worker.
    `job` is a Job or an optimize/plot request, `limits` a Limits as a dict."""
    return {"kind": kind, "job": job.model_dump(mode="json"), "limits": limits}
