"""autograd-viz: the value, the gradients and the autograd graph of a PyTorch program.

The pipeline, one package a stage:

    parse     text -> checked AST            (app.parse)
    evaluate  AST -> tensors, backward       (app.evaluate)
    graph     grad_fn walk -> graph model    (app.graph)
    render    model -> DOT -> SVG/PNG        (app.render)
    serve     HTTP API, pages, CLI           (app.main, app.api, app.cli)

The first four are the core: they import neither FastAPI nor Jinja, so the
server, its worker processes and the CLI call the same code and produce the
same bytes.
"""

from __future__ import annotations

__version__ = "0.1.0"
