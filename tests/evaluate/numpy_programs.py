"""What the NumPy tests share: real Python as the reference, and the notebook's NumPy cells.

`python_stdout` runs one of the tests' own programs (never user text) in
real Python with real NumPy and torch, both seeded with 0 as the
evaluator seeds them before a program's first draw, and returns what it
printed, or `ERR <type>` where it raised. `numpy_cells` are the `numpy`
entries of app/data/real-code.json.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

REAL_CODE = Path(__file__).resolve().parents[2] / "app" / "data" / "real-code.json"


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
