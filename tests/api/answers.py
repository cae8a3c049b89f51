"""Checks of a JSON answer against a seed lesson's expectations (what real PyTorch gives)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any


def number(value: Any) -> float:
    if isinstance(value, str):
        return {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}[value]
    return float(value)


def close(got: Any, want: Any, rel: float = 1e-5) -> bool:
    if isinstance(want, list):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(close(g, w, rel) for g, w in zip(got, want, strict=True))
        )
    return math.isclose(number(got), float(want), rel_tol=rel, abs_tol=1e-7)


def check_lesson_answer(answer: dict[str, Any], lesson: dict[str, Any]) -> None:
    expect = lesson["expect"]
    assert close(answer["value"], expect["value"]), (answer["value"], expect["value"])
    if "gradients" in expect:
        assert set(answer["gradients"]) == set(expect["gradients"])
        for name, want in expect["gradients"].items():
            assert close(answer["gradients"][name]["value"], want), name
    for text in expect.get("stdout_contains", []):
        assert text in answer["stdout"]
    if "op_labels" in expect:
        ops = Counter(n["label"] for n in answer["graph"]["nodes"] if n["kind"] == "op")
        assert dict(ops) == expect["op_labels"]
