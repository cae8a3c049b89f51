"""`python -m app`: serve, render, eval.

Each verb calls the same core as the server, so `render` writes the bytes
`GET /api/v1/graph.svg` answers for the same request.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from app import __version__


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.settings import get_settings

    settings = get_settings()
    uvicorn.run(
        "app.main:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        log_level=settings.log_level,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description="See the value, the gradients and the autograd graph of a PyTorch program.",
    )
    parser.add_argument("--version", action="version", version=f"autograd-viz {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="{serve,render,eval}")

    serve = verbs.add_parser("serve", help="run the web server (page, API, images)")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 8000)")
    serve.add_argument("--workers", type=int, help="uvicorn worker processes (default 1)")
    serve.set_defaults(func=_serve)

    verbs.add_parser("render", help="render a program's graph to svg, png, dot or json")
    verbs.add_parser("eval", help="print a program's value and gradients as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        raise SystemExit(f"python -m app {args.verb}: not available yet")
    result: int = func(args)
    return result
