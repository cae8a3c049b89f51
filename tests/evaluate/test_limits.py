"""Each limit: refused before the work is done, with code limit_exceeded and a
message naming the limit and its value."""

from __future__ import annotations

import time

import pytest

from app.errors import LimitExceeded
from app.evaluate import run_source
from app.limits import Limits

DEFAULT = Limits()


def exceeded(source: str, limits: Limits = DEFAULT) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as caught:
        run_source(source, limits=limits)
    return caught.value


@pytest.mark.parametrize(
    ("source", "limits", "limit", "value"),
    [
        ("for i in range(100):\n    pass", Limits(steps=50), "steps", 50),
        ("def f():\n    return 1\nfor i in range(30):\n    f()", Limits(steps=50), "steps", 50),
        ("def f(n):\n    return f(n + 1)\nf(0)", Limits(call_depth=10), "call_depth", 10),
        ("torch.ones(101)", Limits(tensor_elements=100), "tensor_elements", 100),
        (
            "for i in range(11):\n    t = torch.ones(100)",
            Limits(total_elements=1000),
            "total_elements",
            1000,
        ),
        ("x = 2 ** 65", Limits(int_bits=64), "int_bits", 64),
        ("x = [0] * 11", Limits(sequence_length=10), "sequence_length", 10),
        ("x = 'ab' * 6", Limits(sequence_length=10), "sequence_length", 10),
        ("f'{1:>101}'", Limits(), "format_width", 100),
        ("y = 1 + 2 + 3", Limits(source_chars=5), "source_chars", 5),
        ("y = ((((1))))+" + "-" * 20 + "1", Limits(nesting_depth=10), "nesting_depth", 10),
    ],
)
def test_each_limit_is_named(source: str, limits: Limits, limit: str, value: int) -> None:
    error = exceeded(source, limits)
    assert error.limit == limit
    assert error.value == value
    assert error.code == "limit_exceeded"
    assert f"{value:,}" in error.detail or str(value) in error.detail
    assert error.to_dict()["limit"] == limit


def test_limits_point_at_the_place() -> None:
    error = exceeded("x = 1\nfor i in range(10):\n    x = x + 1", Limits(steps=5))
    assert (error.line, error.column) == (2, 1)


def test_huge_tensors_are_refused_before_allocating() -> None:
    start = time.perf_counter()
    for source in (
        "torch.ones(10**10)",
        "torch.zeros(10**6, 10**6)",
        "torch.arange(0, 1e13)",
        "torch.ones(1).expand(10**7, 10**7).sum()",
        "torch.ones(10**6, 1) + torch.ones(1, 10**6)",
        "torch.ones(5000, 1) @ torch.ones(1, 5000)",
        # Selections that can outgrow their input: the index or mask decides.
        "torch.ones(1, 10**6).index_select(0, torch.zeros(100, dtype=torch.long))",
        "torch.index_select(torch.ones(1, 10**6), 0, torch.zeros(100, dtype=torch.long))",
        "torch.masked_select(torch.ones(10**6, 1), torch.ones(1, 100, dtype=torch.bool))",
        "torch.masked_fill(torch.ones(10**6, 1), torch.ones(1, 100, dtype=torch.bool), 0.0)",
        "torch.normal(torch.zeros(10**6, 1), torch.ones(1, 100))",
    ):
        assert exceeded(source).limit == "tensor_elements"
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(
    "call",
    ["x.split(1)", "torch.split(x, 1)", "x.unbind()", "x.chunk(1000)", "x.split([1] * 1000)"],
)
def test_each_piece_of_split_chunk_unbind_is_a_step(call: str) -> None:
    source = f"x = torch.ones(1000)\ny = {call}"
    error = exceeded(source, Limits(steps=999))
    assert error.limit == "steps" and "1,000 tensors" in error.detail
    assert (error.line, error.column) == (2, 5)
    assert len(run_source(source, limits=Limits(steps=1010)).output) == 1000


def test_python_recursion_limit_is_a_limit() -> None:
    source = "def f(n):\n    return f(n + 1) + 1\nf(0)"
    error = exceeded(source, Limits(call_depth=1_000_000, steps=10**7))
    assert error.limit == "call_depth"


def test_integer_bits_are_checked_before_computing() -> None:
    start = time.perf_counter()
    for source in ("2 ** (2 ** 40)", "10 ** 10 ** 10", "1 << 10 ** 12", "pow(7, 10 ** 9)"):
        assert exceeded(source).limit == "int_bits"
    assert time.perf_counter() - start < 1


def test_stdout_is_cut_with_a_warning() -> None:
    evaluation = run_source(
        "for i in range(50):\n    print('abcdefghij')", limits=Limits(stdout_chars=100)
    )
    assert len(evaluation.stdout) == 100
    assert any("100 characters" in warning for warning in evaluation.warnings)


def test_rendering_is_bounded() -> None:
    assert exceeded("x = [[0] * 1000] * 1000\nprint(x)").limit == "sequence_length"
    assert exceeded("a = []\na.append(a)\nfor i in range(20):\n    a = [a, a]\nstr(a)").limit


def test_limits_raised_inside_expressions_point_at_them() -> None:
    error = exceeded("x = 1\ny = [x, 2 ** 5000]")
    assert (error.line, error.column) == (2, 9)
    error = exceeded("def f():\n    return torch.ones(10**9)\ny = f()")
    assert (error.line, error.column) == (2, 12)
