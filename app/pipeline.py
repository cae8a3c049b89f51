"""The whole core in one call: parse, evaluate, graph, render.

`run_job` is what every entry point runs: the worker processes (through
`handle`, the worker pool's handler), the CLI and the tests. One function,
so the same request gives the same bytes whichever way it arrives.

Three kinds of answer:
- "evaluate": the JSON document of POST /api/v1/evaluate (value, gradients,
  graph model, inline SVG, stdout, warnings). A graph above the node cap is
  answered without a drawing and with a warning that says why.
- "page": the same document within PAGE_BYTES, the summary the pages `/`
  and `/embed` are rendered from (app.api.pages), so the server process
  never handles more than that for a page, whatever the program.
- "image": the rendered graph alone (svg, png, dot or json bytes), for
  GET /api/v1/graph.*; a graph above the node cap is a LimitExceeded.
- "figure": one of the figures the program draws, alone (svg or png), for
  GET /api/v1/figure.*; the evaluate answer holds them all as SVG in
  `figures` (app.render.figures).

Every answer is bounded in bytes here, where it is made (app/budget.py):
`Limits.answer_bytes` for the document and for an image (past it an image
is LimitExceeded("answer_bytes")). The document is written field by field,
each taking its bytes from one Budget: the value (at most half), then each
of PARTS (gradients, parameters, stdout, svg, graph model, figures), then
the warnings, which
say what was summarised or left out to keep to the limit. A new field of
the answer is one more Part in PARTS.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from torch import nn

from app.budget import Budget, check_bytes, cut, json_size, megabytes, name_label
from app.errors import InvalidRequest, LimitExceeded, RenderFailed
from app.evaluate import evaluate
from app.evaluate.classes import ProgramObject
from app.evaluate.encode import encode_tensor, encode_value
from app.evaluate.kept import Keeping
from app.evaluate.kinds import type_name
from app.evaluate.modules import parameter_rows
from app.evaluate.overflow import non_finite_notes
from app.evaluate.result import Evaluation
from app.graph import Graph, build_graph
from app.graph.walk import output_tensors
from app.job import FigureJob, Job, Kind, RenderOptions
from app.limits import DEFAULT_LIMITS, MACHINE_LIMITS, Limits
from app.optimize import OptimizeRequest, PlotRequest
from app.optimize.answer import optimize_document, optimize_svg, plot_svg
from app.parse import parse_program
from app.render import drawing_notes, model_document, render
from app.render.figures import answer_figures, figure_bytes
from app.render.layout import layout_process

MEDIA_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "dot": "text/vnd.graphviz; charset=utf-8",
    "json": "application/json",
}


# Time kept back from the wall-time limit for the answer itself, after layout.
_ANSWER_MARGIN_S = 0.3

# The page's summary of an answer ("page", for / and /embed): the same
# answer within this many bytes, so that the server process renders a page
# of a bounded size whatever the program (app.api.pages).
PAGE_BYTES = 1 << 20
# Bytes kept back from the parts for what is written last: the warnings (at
# most MAX_WARNINGS of WARNING_CHARS each), the key and the field names.
RESERVE_BYTES = 64 << 10
MAX_WARNINGS = 20
WARNING_CHARS = 500
# The share of the answer's limit that the values on the graph's nodes and
# edges may take (build_graph): fixed, so that a drawing is the same bytes in
# every kind of answer.
GRAPH_VALUES_SHARE = 4


def run_job(job: Job, kind: Kind = "evaluate", limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Run one job and return the answer's bytes (JSON for "evaluate" and "page")."""
    return answer_job(job, kind, limits)[0]


@dataclass
class Run:
    """What the parts of an answer are made from."""

    job: Job
    limits: Limits
    evaluation: Evaluation
    graph: Graph
    layout_s: float  # what is left of the wall time for a layout
    lasting: bool = True  # False once the machine's load shaped the answer
    # The program's figures as the answer gives them (app.render.figures), and
    # a warning for each that matplotlib cannot draw.
    figures: list[dict[str, Any]] = field(default_factory=list)
    figure_notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Part:
    """One field of the JSON answer: `make` writes it within the budget it is
    given (it may summarise); if what it made is still larger than what is
    left, the answer holds `fallback` and a warning: `left_out`, with
    {size} and {limit} filled in, and `alone` after it when the part alone
    is within the limit (a request for it alone would be answered)."""

    name: str
    make: Callable[[Run, Budget], Any]
    fallback: Any
    left_out: str
    alone: str = ""


def answer_job(job: Job, kind: Kind, limits: Limits) -> tuple[bytes, bool]:
    """The answer's bytes, and whether they last: False when the load of the
    machine shaped them (a drawing given up at the render time-out), so that
    no cache keeps them."""
    started = time.monotonic()
    program = parse_program(job.source, limits)
    evaluation = evaluate(program, job.inputs, job.output, limits)
    options = job.options
    graph = build_graph(
        evaluation,
        show_saved=options.show_saved,
        show_attrs=options.show_attrs,
        budget=Budget(limits.answer_bytes // GRAPH_VALUES_SHARE),
    )
    figures: list[dict[str, Any]] = []
    figure_notes: list[str] = []
    if kind != "image":
        # Drawn before the layout is given what is left of the wall time: the
        # layout is what gives up in time, the figures' drawing cannot. A page
        # shows its figures as images of their URLs, so it draws none here.
        drawn = kind == "evaluate" and job.format is not None
        figures, figure_notes = answer_figures(
            evaluation.figures, options.theme, drawn=drawn, limits=limits
        )
    # A big graph's layout stops in time for the answer to reach the client.
    layout_s = limits.wall_time_s - (time.monotonic() - started) - _ANSWER_MARGIN_S
    if kind == "image":
        if job.format is None:
            raise InvalidRequest("an image request needs a format")
        if job.format == "json":
            return _graph_json(graph, options, Budget(limits.answer_bytes)), True
        body = render(graph, options, job.format, limits, budget=layout_s)
        return check_bytes(body, limits.answer_bytes, "the drawing"), True
    limit = min(limits.answer_bytes, PAGE_BYTES) if kind == "page" else limits.answer_bytes
    run = Run(job, limits, evaluation, graph, layout_s, figures=figures, figure_notes=figure_notes)
    return answer_document(run, Budget(limit)), run.lasting


def answer_document(run: Run, budget: Budget) -> bytes:
    """The JSON answer of a run within `budget`: the value first (at most half
    of it), then each of PARTS in order, then the warnings and the key. Each
    field is measured as written and its bytes taken from the budget."""
    evaluation = run.evaluation
    limit = budget.limit
    budget.left -= RESERVE_BYTES
    value = budget.share(0.5)
    fields = {k: _dump(v) for k, v in encode_value(evaluation.output, value).items()}
    fields["output_name"] = _dump(name_label(evaluation.output_name))
    budget.take(sum(len(k) + len(blob) + 4 for k, blob in fields.items()))
    budget.keep_notes(value)
    for part in PARTS:
        trial = budget.share(1.0)  # what the part may take; the budget pays what it made
        made = _dump(part.make(run, trial))
        budget.keep_notes(trial)
        if not budget.take(len(made) + len(part.name) + 4):
            note = part.left_out.format(size=megabytes(len(made)), limit=megabytes(limit))
            budget.note(note + (part.alone if len(made) <= limit else ""))
            made = _dump(part.fallback)
        fields[part.name] = made
    notes = non_finite_notes(evaluation.output, evaluation.output_name, evaluation.gradients)
    fields["warnings"] = _dump(_warnings([*evaluation.warnings, *notes, *budget.notes]))
    fields["key"] = _dump(run.job.key())
    body = b"{" + b",".join(_dump(name) + b":" + blob for name, blob in fields.items()) + b"}"
    return check_bytes(body, limit)


def _gradients(run: Run, budget: Budget) -> dict[str, Any]:
    keeping = run.evaluation.keeping
    return {
        name_label(name): None if grad is None else _gradient(grad, keeping.get(name), budget)
        for name, grad in run.evaluation.gradients.items()
    }


def _gradient(grad: Any, keeping: Keeping | None, budget: Budget) -> dict[str, Any]:
    """A gradient as the answer gives it: the tensor, and who keeps it (kept.py)."""
    document = encode_tensor(grad, budget)
    if keeping is not None:
        document.update(keeping.to_dict())
    return document


def _parameters(run: Run, budget: Budget) -> list[dict[str, Any]]:
    """The Parameters table of the program's modules (app.evaluate.modules)."""
    rows = parameter_rows(run.evaluation.parameters)
    for row in rows:
        row["name"] = name_label(row["name"])
    return rows


def _stdout(run: Run, budget: Budget) -> str:
    text = run.evaluation.stdout
    size = json_size(text)
    if size <= budget.left or not text:
        return text
    # Cut to what is left, in characters, at the text's own bytes per character.
    keep = max(0, int(budget.left * len(text) / size) - 100)
    budget.note(f"stdout was cut at {keep:,} characters to fit the answer's limit")
    return cut(text, keep)


def _what(value: Any) -> str:
    """A value's kind in a sentence: "a float", "a Linear module", "a Net object"."""
    name = type_name(value)
    what = " module" if isinstance(value, nn.Module) else ""
    what = " object" if isinstance(value, ProgramObject) else what
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}{what}"


def no_graph(output: Any, name: str | None) -> str | None:
    """Why an output that is no tensor has no drawing (the page shows it where
    the graph would be); None for a tensor, or a tuple or list with one, which
    make_dot draws, and for a program that has no output at all."""
    if isinstance(output, np.ndarray | np.generic):
        what = "array" if isinstance(output, np.ndarray) else "scalar"
        return (
            f"The graph is not drawn: the output is a NumPy {what}, and NumPy keeps no "
            "autograd graph (torch.from_numpy turns an array into a tensor)"
        )
    if output is None or output_tensors(output):
        return None
    return (
        f"The graph is not drawn: the output{f' {name}' if name else ''} is {_what(output)}, "
        "not a tensor, and only tensors record an autograd graph (choose a tensor, such as "
        "a loss, as the output)"
    )


def _svg(run: Run, budget: Budget) -> str | None:
    reason = no_graph(run.evaluation.output, run.evaluation.output_name)
    if reason is not None:
        budget.note(reason)
        return None
    if run.job.format is None:
        return None
    graph, options = run.graph, run.job.options
    try:
        svg = render(graph, options, "svg", run.limits, budget=run.layout_s).decode()
    except (LimitExceeded, RenderFailed) as exc:
        budget.note(f"The graph is not drawn: {exc.detail}")
        run.lasting = not (isinstance(exc, LimitExceeded) and exc.limit in MACHINE_LIMITS)
        return None
    if json_size(svg) < budget.left:  # else the pipeline leaves it out, and says why
        for note in drawing_notes(graph, options):
            budget.note(note)
    return svg


# The fields of the JSON answer after the value, in the order they take
# their bytes from the answer's budget. A new field is one more entry.
PARTS: list[Part] = [
    Part(
        "gradients",
        _gradients,
        {},
        "The gradients ({size}) are left out: past the answer's limit of {limit}.",
    ),
    Part(
        "parameters",
        _parameters,
        [],
        "The parameters table ({size}) is left out: past the answer's limit of {limit}.",
    ),
    Part("stdout", _stdout, "", "stdout ({size}) is left out: past the answer's limit of {limit}."),
    Part(
        "svg",
        _svg,
        None,
        "The graph is not drawn here: its drawing is {size}, more than is left of this "
        "answer's limit of {limit}.",
        " GET /api/v1/graph.svg draws it alone.",
    ),
    Part(
        "graph",
        lambda run, budget: _graph_model(run.graph, run.job.options, budget),
        {"nodes": [], "edges": [], "backward_order": [], "collapsed": [], "truncated": True},
        "The graph model ({size}) is left out: past the answer's limit of {limit}.",
    ),
    Part(
        "figures",
        lambda run, budget: _figures(run, budget),
        [],
        "The figures ({size}) are left out: past the answer's limit of {limit}.",
        " GET /api/v1/figure.svg?...&n=0 draws each alone.",
    ),
]


def _figures(run: Run, budget: Budget) -> list[dict[str, Any]]:
    """The figures, each with its SVG while it fits what is left of the answer
    (past it, the figure without its drawing, and a warning)."""
    for note in run.figure_notes:
        budget.note(note)
    left = budget.left
    answered = []
    for n, figure in enumerate(run.figures):
        size = json_size(figure)
        if figure["svg"] is not None and size > left:
            alone = (
                f" GET /api/v1/figure.svg?...&n={n} draws it alone." if size <= budget.whole else ""
            )
            budget.note(
                f"Figure {n + 1} is not drawn here: its drawing is {megabytes(size)}, more than "
                f"is left of this answer's limit of {megabytes(budget.whole)}.{alone}"
            )
            figure = {**figure, "svg": None}
            size = json_size(figure)
        left -= size
        answered.append(figure)
    return answered


def _graph_model(graph: Graph, options: RenderOptions, budget: Budget) -> dict[str, Any]:
    """The graph as JSON (model_document: with the loops its drawing collapses);
    without its nodes' and edges' values if it does not fit whole."""
    document = model_document(graph, options)
    if graph.truncated:
        budget.note(
            "Values on the graph's nodes and edges may take a quarter of the answer's limit "
            f"of {megabytes(budget.whole)}: those past it are given without their values (null)."
        )
    if json_size(document) <= budget.left:
        return document
    budget.note(
        "The graph's nodes and edges are given without their values: with them, the "
        f"graph model would take the answer past its limit of {megabytes(budget.whole)}."
    )
    return model_document(graph, options, values=False)


def _graph_json(graph: Graph, options: RenderOptions, budget: Budget) -> bytes:
    """GET graph.json: the model, without values if need be, within the limit."""
    document = _graph_model(graph, options, budget)
    return check_bytes(_dump(document), budget.limit, "the graph model")


def _warnings(warnings: list[str]) -> list[str]:
    out = [cut(w, WARNING_CHARS) for w in warnings[:MAX_WARNINGS]]
    if len(warnings) > MAX_WARNINGS:
        out.append(f"... and {len(warnings) - MAX_WARNINGS:,} more warnings")
    return out


def _dump(document: Any) -> bytes:
    return dump_json(document)


def dump_json(document: Any) -> bytes:
    # allow_nan=False: encode.py already turned non-finite numbers into
    # strings, and a stray NaN must fail here, loudly, not reach a client.
    return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


Reply = tuple[dict[str, Any], bytes | None]


def figure_answer(request: FigureJob, limits: Limits) -> bytes:
    """The bytes of one figure of a program (GET /api/v1/figure.*)."""
    job = request.job
    evaluation = evaluate(parse_program(job.source, limits), job.inputs, job.output, limits)
    figures = evaluation.figures
    if request.n >= len(figures):
        count = len(figures)
        drawn = {0: "no figure", 1: "1 figure: n = 0"}.get(
            count, f"{count} figures: n = 0 to {count - 1}"
        )
        raise InvalidRequest(f"there is no figure n = {request.n}: the program draws {drawn}")
    body = figure_bytes(figures[request.n], request.format, job.options.theme, limits)
    return check_bytes(body, limits.answer_bytes, "the figure")


def _graph_request(kind: Kind, payload: dict[str, Any], limits: Limits) -> Reply:
    job = Job.model_validate(payload)
    body, lasting = answer_job(job, kind, limits)
    media = "application/json" if kind != "image" else MEDIA_TYPES[job.format or "svg"]
    meta: dict[str, Any] = {"media_type": media}
    if not lasting:
        meta["lasting"] = False
    return meta, body


def _optimize_request(kind: str, payload: dict[str, Any], limits: Limits) -> Reply:
    bound = limits.answer_bytes
    if kind == "plot":
        plot = PlotRequest.model_validate(payload)
        return {"media_type": MEDIA_TYPES["svg"]}, check_bytes(plot_svg(plot, limits), bound)
    request = OptimizeRequest.model_validate(payload)
    if kind == "optimize_image":
        return {"media_type": MEDIA_TYPES["svg"]}, check_bytes(optimize_svg(request, limits), bound)
    document = optimize_document(request, limits)
    return {"media_type": "application/json"}, check_bytes(document, bound)


def handle(request: dict[str, Any]) -> Reply:
    """The worker pool's handler: `{"kind", "job", "limits"}` in, bytes out.

    `kind` chooses the work: "evaluate", "page" and "image" run a Job (above),
    "figure" a FigureJob; "optimize", "optimize_image" and "plot" run
    app.optimize's requests.
    """
    limits = Limits(**request["limits"]) if "limits" in request else DEFAULT_LIMITS
    kind = request.get("kind", "evaluate")
    if kind in ("evaluate", "page", "image"):
        return _graph_request(kind, request["job"], limits)
    if kind in ("optimize", "optimize_image", "plot"):
        return _optimize_request(kind, request["job"], limits)
    if kind == "figure":
        figure = FigureJob.model_validate(request["job"])
        return {"media_type": MEDIA_TYPES[figure.format]}, figure_answer(figure, limits)
    raise InvalidRequest(f"unknown kind of work {kind!r}")


def warm_up() -> None:
    """Run a small job once so torch's and Graphviz's lazy start-up costs
    (plugin loading, first-call dispatch) are paid before the first request,
    and start the layout process, which warms up beside us (about 0.1 s)."""
    layout_process().start()
    run_job(Job(source="3*sin(x) + x + 3", inputs={"x": 5.0}), "evaluate")
    run_job(Job(source="3*sin(x) + x + 3", inputs={"x": 5.0}, format="png"), "image")
    # torch.func's first transform (about 1 s) and the "meta" bound's first
    # shaping (torch's meta kernels, about 0.5 s) load lazily: paid here, once.
    warm = "torch.func.grad(lambda t: torch.einsum('i,i->', t, t))(x.detach())"
    run_job(Job(source=warm, inputs={"x": [1.0, 2.0]}), "evaluate")
