"""The naive pipeline: `uvicorn bench.references.naive:app`.

pipeline.py's endpoint with `graphviz.Source(dot).pipe(format="svg")`, which
spawns Debian's `dot` for every request, as most examples of make_dot do.
"""

from __future__ import annotations

import graphviz

from bench.references.pipeline import create_app


def _pipe(dot: str) -> bytes:
    svg: bytes = graphviz.Source(dot).pipe(format="svg")
    return svg


app = create_app(_pipe, lambda: None)
