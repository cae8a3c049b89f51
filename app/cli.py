"""`python -m app`: serve, render, eval, optimize.

`render`, `eval` and `optimize` send each job to an evaluation process as
the server does (app.runner: a worker pool of one, under the server's
wall-time and memory limits), so `render` writes the bytes
`GET /api/v1/graph.svg` answers for the same request (and with `--figures`
those of `GET /api/v1/figure.svg` for each figure the program draws), `eval` prints the
JSON of `POST /api/v1/evaluate`, `optimize` prints the trajectories of
`POST /api/v1/optimize` and writes the plot of `GET /api/v1/optimize.svg`,
and a program over a limit fails with the server's code and detail.
Errors are printed `FILE:LINE:COLUMN: code: detail`.

PROGRAM is `-` (stdin), a path, or the expression itself: a path when it
names an existing file or folder, or ends in `.py` or `/` (then a missing
one is an error, never evaluated); anything else is an expression, so
`x/2` stays a division. A UTF-8 byte-order mark at the start is dropped.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from app import __version__

if TYPE_CHECKING:
    from app.runner import Runner

FORMATS = ("svg", "png", "dot", "json")
STDOUT = Path("-")  # -o -


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.settings import get_settings

    settings = get_settings()
    workers = args.workers or settings.workers
    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Every worker process writes its metrics here; /metrics sums them.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="autograd-viz-metrics-")
    elif "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        # A directory we are given may hold a previous run's files: start clean.
        directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
    uvicorn.run(
        "app.main:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=workers,
        log_level=settings.log_level,
        # httptools with a bound on the request line and headers (app.http11):
        # plain httptools buffers a header of any size (a memory exhaustion by
        # one client); h11 has the bound but costs ~0.15 ms a request.
        http="app.http11:BoundedHttpToolsProtocol",
        h11_max_incomplete_event_size=settings.max_header_bytes,  # the bound, for both
        # Slow clients (SECURITY.md): an idle keep-alive connection is closed
        # after keep_alive_s; a body must arrive within body_timeout_s
        # (app.middleware); a request head within header_timeout_s, which
        # uvicorn has no option for: the protocol above reads the setting
        # itself, in each worker process, as the app reads its own.
        timeout_keep_alive=settings.keep_alive_s,
        timeout_graceful_shutdown=settings.shutdown_timeout_s,
        limit_concurrency=settings.max_connections,
        backlog=2048,  # uvicorn's default, written down: connections waiting for accept()
        proxy_headers=True,
    )
    return 0


class CannotRead(Exception):
    """A program that cannot be read: missing, a folder, not UTF-8."""


_BOM = "\ufeff"
PROGRAM_HELP = (
    "a .py file, a folder of them (render), - for stdin, or the expression itself; "
    "an argument that names an existing file or folder, or ends in .py or /, is a path "
    "(an error if it does not exist), anything else an expression"
)

LIMITS_NOTE = (
    "Each program runs in an evaluation process under the server's limits "
    "(AUTOGRAD_VIZ_WALL_TIME_S, AUTOGRAD_VIZ_MEMORY_MB, ...), and fails as the server would."
)


def _stat(target: str) -> str | None:
    """What `target` names: a file, a folder, or (None) nothing that can be read."""
    try:
        mode = os.stat(target).st_mode
    except (OSError, ValueError):  # missing, a name too long for a file, a NUL in it
        return None
    return "folder" if stat.S_ISDIR(mode) else "file"


def _read_program(target: str) -> tuple[str, str]:
    """(label for messages, source): a file, `-` for stdin, or the expression itself."""
    if target == "-":
        return "<stdin>", sys.stdin.read().removeprefix(_BOM)
    kind = _stat(target)
    if kind == "folder":
        raise CannotRead(f"{target}: is a folder (only render takes a folder of programs)")
    if kind == "file":
        try:
            # utf-8-sig: Windows editors start a UTF-8 file with a BOM.
            return target, Path(target).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CannotRead(f"{target}: cannot read: {exc}") from None
    if target.endswith(("/", os.sep, ".py")):  # never an expression: `x/` or `f.py`
        raise CannotRead(f"{target}: no such file or directory")
    return "<expression>", target


def _job(args: argparse.Namespace, source: str, fmt: str | None) -> Any:
    from app.job import RenderOptions
    from app.query import job_from_query

    pairs: list[tuple[str, str]] = [("source", source)]
    if getattr(args, "output", None):
        pairs.append(("output", args.output))
    for option in ("style", "rankdir", "theme", "loops"):
        value = getattr(args, option, None)
        if value:
            pairs.append((option, value))
    if getattr(args, "no_module_boxes", False):
        pairs.append(("group_modules", "false"))
    options = _pairs(getattr(args, "option", []))
    for name, _ in options:
        # Unchecked, a misspelt option (show_value=false) would bind an input.
        if name not in RenderOptions.model_fields:
            known = ", ".join(RenderOptions.model_fields)
            raise SystemExit(f"--option: unknown option {name!r}: choose one of {known}")
    return job_from_query([*pairs, *options, *_pairs(args.input)], fmt=fmt)  # type: ignore[arg-type]


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"expected NAME=VALUE, got {item!r}")
        pairs.append((name.strip(), value))
    return pairs


def _write(out: Path | None, body: bytes) -> bool:
    """Write `body` to `out` (stdout for None or -), making its folder if
    need be; False, with the reason on stderr, if that cannot be done."""
    if out is None or out == STDOUT:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return True
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(body)
    except OSError as exc:
        print(f"{out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _report(label: str, exc: Exception) -> None:
    from app.errors import VisualizerError

    if isinstance(exc, VisualizerError) and exc.line is not None:
        print(f"{label}:{exc.line}:{exc.column}: {exc.code}: {exc.detail}", file=sys.stderr)
    elif isinstance(exc, VisualizerError):
        print(f"{label}: {exc.code}: {exc.detail}", file=sys.stderr)
    else:
        print(f"{label}: error: {exc}", file=sys.stderr)


def _render_one(
    args: argparse.Namespace,
    runner: Runner,
    target: str,
    out: Path | None,
    fmt: str,
    figures: Path | None = None,
) -> bool:
    from app.errors import VisualizerError

    try:
        label, source = _read_program(target)
    except CannotRead as exc:
        print(exc, file=sys.stderr)
        return False
    try:
        body = runner.run(_job(args, source, fmt), "image")
        if figures is not None and not _write_figures(args, runner, source, figures):
            return False
    except VisualizerError as exc:
        _report(label, exc)
        return False
    return _write(out, body)


def _write_figures(args: argparse.Namespace, runner: Runner, source: str, folder: Path) -> bool:
    """Each figure the program draws, as `folder/figure-N.svg` (or .png): the
    bytes GET /api/v1/figure.svg?...&n=N answers."""
    import json

    from app.job import FigureJob

    job = _job(args, source, "svg")
    answer = json.loads(runner.run(job, "evaluate"))
    for n, figure in enumerate(answer["figures"]):
        out = folder / f"figure-{n}.{args.figure_format}"
        if args.figure_format == "svg" and figure["svg"] is not None:
            body = figure["svg"].encode()
        else:  # a PNG, or a figure matplotlib cannot draw: its own error
            figure_job = job.model_copy(update={"format": None})
            request = FigureJob(job=figure_job, n=n, format=args.figure_format)
            body = runner.run(request, "figure")
        if not _write(out, body):
            return False
    return True


def _render(args: argparse.Namespace) -> int:
    target = Path(args.program)
    batch = _stat(args.program) == "folder"
    # One graph: the format from --format, else from -o's suffix, else svg. A
    # folder's -o is a folder, so there only --format counts.
    guessed = args.out.suffix.lstrip(".") if args.out and not batch else ""
    fmt = args.format or guessed or "svg"
    if fmt not in FORMATS:
        raise SystemExit(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if batch and args.out == STDOUT:
        raise SystemExit(f"{target}: a folder's graphs go to files: -o names a folder, not -")
    if not batch:
        with _runner() as runner:
            return 0 if _render_one(args, runner, args.program, args.out, fmt, args.figures) else 1
    # Batch: every .py below the folder, into OUT (default: beside each file).
    files = sorted(target.rglob("*.py"))
    if not files:
        raise SystemExit(f"{target}: no .py programs found")
    failed = 0
    with _runner() as runner:
        for index, path in enumerate(files, 1):
            relative = path.relative_to(target).with_suffix(f".{fmt}")
            out = (args.out / relative) if args.out else path.with_suffix(f".{fmt}")
            # A folder's figures: FIGURES/lesson/figure-0.svg for lesson.py.
            figures = args.figures / relative.with_suffix("") if args.figures else None
            ok = _render_one(args, runner, str(path), out, fmt, figures)
            failed += not ok
            status = "ok" if ok else "FAILED"
            print(f"[{index}/{len(files)}] {path} -> {out} {status}", file=sys.stderr)
    print(f"{len(files) - failed} rendered, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def _eval(args: argparse.Namespace) -> int:
    from app.errors import VisualizerError

    label, source = _read_program(args.program)
    try:
        with _runner() as runner:
            body = runner.run(_job(args, source, None if args.no_svg else "svg"), "evaluate")
    except VisualizerError as exc:
        _report(label, exc)
        return 1
    sys.stdout.write(body.decode() + "\n")
    return 0


def _runner() -> Runner:
    from app.runner import Runner
    from app.settings import get_settings

    return Runner(get_settings())


def _optimize(args: argparse.Namespace) -> int:
    import json

    from pydantic import ValidationError

    from app.errors import InvalidRequest, VisualizerError
    from app.optimize import OptimizeRequest, check_bounds
    from app.optimize.query import parse_numbers
    from app.query import describe_validation

    label, source = _read_program(args.program)
    plot_to_stdout = args.out == STDOUT
    if plot_to_stdout and args.json:
        raise SystemExit("--json and -o - would both write to stdout: give -o a file")
    try:
        fields: dict[str, Any] = {
            "source": source,
            "variable": args.variable,
            "function": args.function,
            "init": args.init,
            "lr": [rate for item in args.lr or ["0.05"] for rate in parse_numbers("lr", item)],
            "steps": args.steps,
            "method": args.method,
            "theme": args.theme,
        }
        if args.range:
            fields["range"] = parse_numbers("range", args.range)
        try:
            request = OptimizeRequest(**fields)
        except ValidationError as exc:
            raise InvalidRequest(describe_validation(exc)) from None
        check_bounds(request)  # as the worker would, before a process starts
        with _runner() as runner:
            body = runner.run(request, "optimize")
    except VisualizerError as exc:
        _report(label, exc)
        return 1
    document = json.loads(body)
    if args.json:
        sys.stdout.write(body.decode() + "\n")
    else:  # with the plot on stdout, the table goes to stderr
        _print_trajectories(document, sys.stderr if plot_to_stdout else sys.stdout)
    if args.out is not None:
        # The plot inline in the document is the body of GET /api/v1/optimize.svg.
        if not _write(args.out, document["svg"].encode()):
            return 1
        if not plot_to_stdout:
            print(f"plot written to {args.out}", file=sys.stderr)
    return 0


def _print_trajectories(document: dict[str, Any], to: TextIO) -> None:
    """The runs of a POST /api/v1/optimize document, as a table per run."""
    variable = document["variable"]
    for run in document["runs"]:
        # Numbers as the JSON has them (float32's shortest form, every digit).
        print(f"# {document['method']}, lr = {run['lr']!r}", file=to)
        print(f"{'step':>5}  {variable:>14}  {'objective':>14}  {'gradient':>14}", file=to)
        for step, point in enumerate(run["trajectory"]):
            numbers = (_number(point[name]) for name in ("parameter", "objective", "gradient"))
            print(f"{step:>5}  " + "  ".join(f"{value!r:>14}" for value in numbers), file=to)
        final = run["final"]
        ending = f"stopped early: {run['stopped']}" if run["stopped"] else "final"
        print(
            f"# {ending}: {variable} = {_number(final['parameter'])!r}, "
            f"objective = {_number(final['objective'])!r}",
            file=to,
        )
        print(file=to)
    for warning in document["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)


def _number(value: float | str) -> float:
    # The document carries non-finite numbers as "nan", "inf" and "-inf".
    return float(value)


def _add_program_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("program", help=PROGRAM_HELP)
    parser.add_argument(
        "-i",
        "--input",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind an input: x=5 or w=[1,2,3] (repeatable)",
    )
    parser.add_argument("--output", help="the name to report (default: the final expression)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description="See the value, the gradients and the autograd graph of a PyTorch program.",
    )
    parser.add_argument("--version", action="version", version=f"autograd-viz {__version__}")
    verbs = parser.add_subparsers(
        dest="verb", required=True, metavar="{serve,render,eval,optimize}"
    )

    serve = verbs.add_parser("serve", help="run the web server (page, API, images)")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 8000)")
    serve.add_argument("--workers", type=int, help="uvicorn worker processes (default 1)")
    serve.set_defaults(func=_serve)

    render = verbs.add_parser(
        "render",
        help="render a program's graph to svg, png, dot or json",
        description="Render a graph, or every .py program of a folder (batch mode). " + LIMITS_NOTE,
    )
    _add_program_arguments(render)
    render.add_argument("-f", "--format", choices=FORMATS, help="default: from -o, else svg")
    render.add_argument(
        "-o",
        "--out",
        type=Path,
        help="output file, or - for stdout (a folder in batch mode); default: stdout",
    )
    render.add_argument("--style", choices=("default", "torchviz"))
    render.add_argument("--rankdir", choices=("TB", "LR"))
    render.add_argument("--theme", choices=("light", "dark"))
    render.add_argument(
        "--loops",
        choices=("auto", "collapsed", "expanded"),
        help="long loops as first iterations, a box and the last (default: auto, by size)",
    )
    render.add_argument(
        "--no-module-boxes",
        action="store_true",
        help="draw module calls without their boxes (group_modules=false)",
    )
    render.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any other option, e.g. show_grads=false (repeatable)",
    )
    render.add_argument(
        "--figures",
        type=Path,
        metavar="DIR",
        help="also write each matplotlib figure the program draws, as DIR/figure-0.svg, "
        "figure-1.svg, ... (a folder's: DIR/NAME/figure-0.svg for NAME.py)",
    )
    render.add_argument(
        "--figure-format", choices=("svg", "png"), default="svg", help="of --figures (default svg)"
    )
    render.set_defaults(func=_render)

    evaluate = verbs.add_parser(
        "eval",
        help="print a program's value and gradients as JSON",
        description="Print the JSON of POST /api/v1/evaluate for a program. " + LIMITS_NOTE,
    )
    _add_program_arguments(evaluate)
    evaluate.add_argument("--no-svg", action="store_true", help="leave the SVG out of the JSON")
    evaluate.set_defaults(func=_eval)

    optimize = verbs.add_parser(
        "optimize",
        help="run gradient descent on an objective: print the trajectory, write the plot",
        description="Gradient descent as in the notebook: from --init, once per step size; "
        "prints each trajectory and writes the plot that GET /api/v1/optimize.svg answers for "
        "the same request. Write negative ranges with '=': --range=-5,5. " + LIMITS_NOTE,
    )
    optimize.add_argument(
        "program", help="an expression in one variable, a .py file defining a function, or -"
    )
    optimize.add_argument("--variable", help="the variable's name (default: from the source)")
    optimize.add_argument("--function", help="the function to minimise, if several")
    optimize.add_argument("--init", type=float, default=0.0, help="starting value (default 0)")
    optimize.add_argument(
        "--lr",
        action="append",
        metavar="RATE[,RATE...]",
        help="step size; repeat it or separate with commas to compare (default 0.05)",
    )
    optimize.add_argument("--steps", type=int, default=100, help="updates per run (default 100)")
    optimize.add_argument("--method", choices=("sgd", "momentum", "adam"), default="sgd")
    optimize.add_argument("--range", metavar="LO,HI", help="the plotted interval")
    optimize.add_argument("--theme", choices=("light", "dark"), default="light")
    optimize.add_argument(
        "-o", "--out", type=Path, help="write the plot (SVG) here; - for stdout (the table: stderr)"
    )
    optimize.add_argument(
        "--json", action="store_true", help="print the JSON of POST /api/v1/optimize instead"
    )
    optimize.set_defaults(func=_optimize)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from app.workers import PoolStartError

    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except CannotRead as exc:
        print(exc, file=sys.stderr)
        return 1
    except PoolStartError as exc:
        print(f"error: the evaluation process did not start: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C: the evaluation process is already stopped
        return 130
    return result
