"""Request and response models of the JSON API, named by role.

The answers themselves are produced as JSON bytes by the worker processes
(app.pipeline) and passed through untouched; these models are their
contract, used for validation of requests and for the OpenAPI document.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.job import IDENTIFIER, InputValue, RenderOptions


class EvaluateRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"source": "3*sin(x) + x + 3", "inputs": {"x": 5}, "options": {}}]
        },
    )

    source: str = Field(description="An expression or a short program (SPEC.md section 1).")
    inputs: dict[str, InputValue] = Field(
        default_factory=dict,
        description="Free variables: numbers or nested lists, bound as float32 leaves that "
        "require grad.",
    )
    output: str | None = Field(
        None, pattern=IDENTIFIER, description="The name to report; default: the final expression."
    )
    options: RenderOptions = Field(default_factory=RenderOptions)

    @field_validator("inputs", "options", mode="before")
    @classmethod
    def _null_is_default(cls, value: Any) -> Any:
        # `null` says "none given", as it already does for `output`.
        return {} if value is None else value


class TensorValue(BaseModel):
    value: Any = Field(description="Nested lists of numbers; 'inf', '-inf', 'nan' as strings.")
    shape: list[int] | None
    dtype: str | None
    truncated: bool = Field(False, description="True when only the first elements are given.")
    min: float | str | None = None
    max: float | str | None = None
    mean: float | str | None = None


class GradientValue(TensorValue):
    kept: Literal["leaf", "retain_grad", "visualizer"] | None = Field(
        None,
        description="Who keeps this gradient after backward(): torch, as a leaf's .grad "
        "(`leaf`) or after retain_grad() (`retain_grad`), or only the visualizer "
        "(`visualizer`: the program's `.grad` of this tensor is None).",
    )
    rebound: bool = Field(
        False,
        description="The name means another value at the end of the program (the loop "
        "lesson's x), so the program's `name.grad` there is not this gradient.",
    )
    rebound_line: int | None = Field(
        None, description="The line that made what the name holds at the end, if known."
    )


class Span(BaseModel):
    line: int
    column: int
    end_line: int
    end_column: int


class LoopStep(BaseModel):
    line: int
    iteration: int
    target: str | None = Field(None, description="The for loop's target, e.g. `i`.")


class ModuleCall(BaseModel):
    path: str = Field(description="The module's path under the model's variable (`net.fc1`).")
    type: str = Field(description="Its class: `Linear`, or the program's own `Net`.")
    call: int = Field(description="Which module call of the run (0-based): one box each.")
    loops: int = Field(description="How many of the node's loops enclose this call.")
    span: Span | None = Field(description="Where the module was made.")


class GraphNode(BaseModel):
    id: str
    kind: str = Field(description="op, leaf, output, saved or base")
    label: str
    name: str | None
    shape: list[int] | None
    dtype: str | None
    value: Any
    grad: Any
    span: Span | None
    loops: list[LoopStep]
    modules: list[ModuleCall] = Field(
        default_factory=list, description="The module calls that made it, outermost first."
    )
    step: int | None = Field(description="Position in the backward pass, if it ran this node.")
    kept: Literal["leaf", "retain_grad", "visualizer"] | None = Field(
        None, description="Who keeps the node's gradient: see the gradients' `kept`."
    )


class GraphEdge(BaseModel):
    id: str
    source: str
    target: str
    grad: Any
    style: str


class CollapsedRun(BaseModel):
    """A box of the drawing that stands for the middle iterations of a long loop."""

    id: str = Field(description="The box's id in the SVG (k0, k1, ...).")
    line: int = Field(description="The loop's line.")
    target: str | None = Field(description="The for loop's target, e.g. `i`.")
    loops: list[LoopStep] = Field(description="The iterations of the loops around it.")
    first: int = Field(description="The first hidden iteration (0-based).")
    last: int = Field(description="The last hidden iteration.")
    count: int
    nodes: list[str] = Field(description="The ids of graph.nodes the box stands for.")
    edges: list[str] = Field(description="The ids of graph.edges it stands for.")


class GraphModel(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    backward_order: list[str]
    collapsed: list[CollapsedRun] = Field(
        default_factory=list,
        description="The loops the SVG draws collapsed (options.loops): every node is in "
        "`nodes`, those of a box are in its `nodes`, drawn as the box.",
    )
    truncated: bool = Field(
        False,
        description="True when values of nodes and edges (or the whole model) were left out "
        "to keep the answer within its byte limit; `warnings` says which.",
    )


class ParameterRow(BaseModel):
    name: str = Field(description="Its path under the model's variable: `net.fc1.weight`.")
    shape: list[int]
    numel: int
    grad_norm: float | str | None = Field(
        description="The 2-norm of its gradient; null without one."
    )


class FigureAnswer(BaseModel):
    svg: str | None = Field(
        description="The figure as SVG; null when matplotlib cannot draw it (a warning says why)."
    )
    title: str = Field(description="Its suptitle, else its Axes' titles, else 'Figure n'.")


class EvaluateResult(BaseModel):
    value: Any
    shape: list[int] | None
    dtype: str | None
    truncated: bool = Field(
        False,
        description="True when the value is summarised (a large tensor, or a value past the "
        "answer's byte limit, AUTOGRAD_VIZ_ANSWER_MB).",
    )
    output_name: str | None
    gradients: dict[str, GradientValue | None]
    parameters: list[ParameterRow] = Field(
        default_factory=list,
        description="The parameters of the modules the program's variables hold, in model order.",
    )
    graph: GraphModel
    svg: str | None = Field(description="The graph as inline SVG; null when not drawn.")
    stdout: str
    warnings: list[str]
    figures: list[FigureAnswer] = Field(
        description="The matplotlib figures the program drew, in the order it made them "
        "(GET /api/v1/figure.svg?...&n=0 serves the first alone)."
    )
    key: str = Field(
        description="Content hash of the canonical request (the first part of the ETag)."
    )


class Problem(BaseModel):
    """RFC 9457 problem details, with our `code` and the source position."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    limit: str | None = None
    limit_value: float | None = None
    request_id: str | None = None


class Example(BaseModel):
    id: str
    title: str
    source: str
    inputs: dict[str, InputValue]
    output: str | None
    note: str | None


class Examples(BaseModel):
    examples: list[Example]


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}}
    for status in (400, 413, 414, 415, 422, 429, 503)
}
