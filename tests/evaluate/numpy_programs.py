"""What the NumPy tests share: real Python as the reference, and the notebook's NumPy cells.

`python_stdout` runs one of the tests' own programs (never user text) in
real Python with real NumPy and torch, both seeded with 0 as the
evaluator seeds them before a program's first draw, and returns what it
printed, or `ERR <type>` where it raised. `numpy_cells` are the `numpy`
entries of app/data/real-code.json; `without_pyplot` is a cell with its
pyplot calls replaced by lists of their arguments, so every NumPy
expression of the cell still runs (the arguments of plt.plot included) and
nothing is drawn: what the cell prints is unchanged.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from app.parse import allowlist as A

REAL_CODE = Path(__file__).resolve().parents[2] / "app" / "data" / "real-code.json"
PYPLOT = "matplotlib.pyplot" in A.IMPORTABLE  # the figures engineer's pyplot has landed


def python_stdout(source: str) -> str:
    """What real Python prints for one of the tests' own programs."""
    out = io.StringIO()
    names: dict[str, Any] = {"np": np, "torch": torch, "math": math}
    np.random.seed(0)
    torch.manual_seed(0)
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compile(source, "<test program>", "exec"), names)  # noqa: S102 - our own text
        except Exception as error:
            print("ERR", type(error).__name__)
    return out.getvalue()


def numpy_cells() -> list[dict[str, Any]]:
    lessons: list[dict[str, Any]] = json.loads(REAL_CODE.read_text())["lessons"]
    return [lesson for lesson in lessons if "numpy" in lesson["area"].split("+")]


def cell(lesson_id: str) -> dict[str, Any]:
    return next(lesson for lesson in numpy_cells() if lesson["id"] == lesson_id)


class _NoPyplot(ast.NodeTransformer):
    def visit_Import(self, node: ast.Import) -> ast.Import | None:
        return None if any(a.name.startswith("matplotlib") for a in node.names) else node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        func = node.func
        if not (isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "plt"):
            return node
        if func.attr in ("xlim", "ylim") and not node.args and not node.keywords:
            return ast.copy_location(ast.Tuple([ast.Constant(0.0), ast.Constant(1.0)]), node)
        values = [*node.args, *(keyword.value for keyword in node.keywords)]
        return ast.copy_location(ast.List(values, ast.Load()), node)


def without_pyplot(source: str) -> str:
    tree = _NoPyplot().visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"
