"""The whole core in one call: parse, evaluate, graph, render.

`run_job` is what every entry point runs: the worker processes (through
`handle`, the worker pool's handler), the CLI and the tests. One function,
so the same request gives the same bytes whichever way it arrives.

Two kinds of answer:
- "evaluate": the JSON document of POST /api/v1/evaluate (value, gradients,
  graph model, inline SVG, stdout, warnings). A graph above the node cap is
  answered without a drawing and with a warning that says why.
- "image": the rendered graph alone (svg, png, dot or json bytes), for
  GET /api/v1/graph.*; a graph above the node cap is a LimitExceeded.
- "figure": one of the figures the program draws, alone (svg or png), for
  GET /api/v1/figure.*; the evaluate answer holds them all as SVG in
  `figures` (app.render.figures).
"""

from __future__ import annotations

import json
import time
from typing import Any

from app.errors import InvalidRequest, LimitExceeded, RenderFailed
from app.evaluate import evaluate
from app.evaluate.encode import encode_tensor, encode_value
from app.evaluate.kept import Keeping
from app.evaluate.modules import parameter_rows
from app.evaluate.overflow import non_finite_notes
from app.evaluate.result import Evaluation
from app.graph import build_graph
from app.job import FigureJob, Job, Kind
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


def run_job(job: Job, kind: Kind = "evaluate", limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Run one job and return the answer's bytes (JSON for "evaluate")."""
    return answer_job(job, kind, limits)[0]


def answer_job(job: Job, kind: Kind, limits: Limits) -> tuple[bytes, bool]:
    """The answer's bytes, and whether they last: False when the load of the
    machine shaped them (a drawing given up at the render time-out), so that
    no cache keeps them."""
    started = time.monotonic()
    program = parse_program(job.source, limits)
    evaluation = evaluate(program, job.inputs, job.output, limits)
    options = job.options
    graph = build_graph(evaluation, show_saved=options.show_saved, show_attrs=options.show_attrs)
    # A big graph's layout stops in time for the answer to reach the client.
    budget = limits.wall_time_s - (time.monotonic() - started) - _ANSWER_MARGIN_S
    if kind == "image":
        if job.format is None:
            raise InvalidRequest("an image request needs a format")
        return render(graph, options, job.format, limits, budget=budget), True

    answer = _numbers(evaluation)
    # The figures before the graph: the graph's layout is what gives up in time.
    answer["figures"], notes = answer_figures(
        evaluation.figures, options.theme, drawn=job.format is not None
    )
    answer["warnings"].extend(notes)
    budget = limits.wall_time_s - (time.monotonic() - started) - _ANSWER_MARGIN_S
    lasting = True
    answer["graph"] = model_document(graph, options)
    answer["svg"] = None
    if job.format is not None:
        try:
            answer["svg"] = render(graph, options, "svg", limits, budget=budget).decode()
            answer["warnings"].extend(drawing_notes(graph, options))
        except (LimitExceeded, RenderFailed) as exc:
            answer["warnings"].append(f"The graph is not drawn: {exc.detail}")
            lasting = not (isinstance(exc, LimitExceeded) and exc.limit in MACHINE_LIMITS)
    answer["key"] = job.key()
    return dump_json(answer), lasting


def _numbers(evaluation: Evaluation) -> dict[str, Any]:
    """Value, gradients, stdout and warnings of an evaluation, JSON-safe."""
    answer = encode_value(evaluation.output)
    answer["output_name"] = evaluation.output_name
    answer["gradients"] = {
        name: None if grad is None else _gradient(grad, evaluation.keeping.get(name))
        for name, grad in evaluation.gradients.items()
    }
    answer["parameters"] = parameter_rows(evaluation.parameters)
    answer["stdout"] = evaluation.stdout
    answer["warnings"] = list(evaluation.warnings)
    answer["warnings"] += non_finite_notes(
        evaluation.output, evaluation.output_name, evaluation.gradients
    )
    return answer


def _gradient(grad: Any, keeping: Keeping | None) -> dict[str, Any]:
    """A gradient as the answer gives it: the tensor, and who keeps it (kept.py)."""
    document = encode_tensor(grad)
    if keeping is not None:
        document.update(keeping.to_dict())
    return document


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
    return figure_bytes(figures[request.n], request.format, job.options.theme)


def _graph_request(kind: Kind, payload: dict[str, Any], limits: Limits) -> Reply:
    job = Job.model_validate(payload)
    body, lasting = answer_job(job, kind, limits)
    media = "application/json" if kind == "evaluate" else MEDIA_TYPES[job.format or "svg"]
    meta: dict[str, Any] = {"media_type": media}
    if not lasting:
        meta["lasting"] = False
    return meta, body


def _optimize_request(kind: str, payload: dict[str, Any], limits: Limits) -> Reply:
    if kind == "plot":
        plot = PlotRequest.model_validate(payload)
        return {"media_type": MEDIA_TYPES["svg"]}, plot_svg(plot, limits)
    request = OptimizeRequest.model_validate(payload)
    if kind == "optimize_image":
        return {"media_type": MEDIA_TYPES["svg"]}, optimize_svg(request, limits)
    return {"media_type": "application/json"}, optimize_document(request, limits)


def handle(request: dict[str, Any]) -> Reply:
    """The worker pool's handler: `{"kind", "job", "limits"}` in, bytes out.

    `kind` chooses the work: "evaluate" and "image" run a Job (above),
    "figure" a FigureJob; "optimize", "optimize_image" and "plot" run
    app.optimize's requests.
    """
    limits = Limits(**request["limits"]) if "limits" in request else DEFAULT_LIMITS
    kind = request.get("kind", "evaluate")
    if kind in ("evaluate", "image"):
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
