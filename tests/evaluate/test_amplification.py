"""Side doors around the element and text limits (issue 16): each refused with
the limit it passes, before the allocation, and what is near them still runs
as Python and torch run it."""

from __future__ import annotations

import pytest
import torch

from app.errors import LimitExceeded
from app.evaluate import run_source
from app.evaluate.costs import broadcast_bound, tensor_text_bounds
from tests.evaluate.hostile_amplification import ATTACKS, CROSS, INDEX, PUT, SIX
from tests.evaluate.python import python_stdout


def limit_of(source: str) -> str:
    with pytest.raises(LimitExceeded) as caught:
        run_source(source)
    return caught.value.limit


@pytest.mark.parametrize("source", [s for s, _ in ATTACKS], ids=lambda s: repr(s[-30:]))
def test_each_attack_names_the_limit_it_passes(source: str) -> None:
    # tensor_elements for what would broadcast or nest, sequence_length for
    # text: neither is memory_bytes, so nothing was allocated to find out.
    assert limit_of(source) in ("tensor_elements", "sequence_length")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a = torch.ones(3)\n[a].count(a)", 1),
        ("a = torch.ones(3)\na in [a]", True),
        ("a = torch.tensor(1.0)\nb = torch.tensor(2.0)\nmax([a, b]).item()", 2.0),
        ("a = torch.ones(1000, 1)\nb = torch.ones(1, 1000)\n([a] == [a], len([a, b]))", [True, 2]),
        ("[1, 2, 3].index(2)", 1),
        ("x = torch.zeros(4, 4)\ni = torch.tensor([[0], [1]])\nx[i, i.T] = 1\nx.sum().item()", 4.0),
        ("len(str(torch.zeros(10, 10, 10)))", len(str(torch.zeros(10, 10, 10)))),
        ("len(str(torch.zeros(6, 6, 6, 6, 6)))", len(str(torch.zeros(6, 6, 6, 6, 6)))),
        ("torch.zeros(0, 5).shape[1]", 5),
        ("torch.zeros(1000, 0).tolist() == [[]] * 1000", True),
        ('s = "A" * 40000\nprint(s, s, sep="-")\n1', 1),
    ],
)
def test_what_is_near_the_limits_still_runs(source: str, expected: object) -> None:
    output = run_source(source).output
    assert (list(output) if isinstance(output, tuple) else output) == expected


def test_a_comparison_of_plain_values_is_not_walked_for_shapes() -> None:
    # A number or a string against anything broadcasts nothing: no walk.
    assert run_source("l = list(range(100000))\nl.count(5)").output == 1


def test_the_comparison_bound_is_the_largest_dimension_of_each_position() -> None:
    assert broadcast_bound([(20000, 1), (1, 20000)]) == 400_000_000
    assert broadcast_bound([(3,), (2, 1), (1, 3)]) == 6
    assert broadcast_bound([]) == 0


@pytest.mark.parametrize(
    "t",
    [
        torch.zeros(6, 6, 6, 6, 6, 6),
        torch.rand(6, 6, 6, 6, 6),
        torch.rand(1000),
        torch.arange(1000) * 10**12,
        torch.zeros(3, 3, dtype=torch.complex64),
        torch.ones(2, 3, dtype=torch.bool),
        torch.rand(100, 100),
        torch.zeros(0, 7),
        torch.tensor(1.5, requires_grad=True) * 2,
    ],
    ids=lambda t: f"{t.dtype}{list(t.shape)}",
)
def test_text_bounds_hold_what_torch_prints(t: torch.Tensor) -> None:
    low, high = tensor_text_bounds(t)
    assert low <= len(str(t)) <= high


def test_the_documented_attacks_are_those_of_the_issue() -> None:
    sources = [s for s, _ in ATTACKS]
    assert CROSS + "[a].count(b)" in sources and INDEX + "x[i, j] = 1" in sources
    assert f"str({SIX})" in sources and "torch.zeros(3000, 3000, 0)" in sources


# index_put as programs write it (and take_along_dim), each printing its
# result and gradients: bounded as x[i, j] is, what fits prints what real
# Python and torch print.
INDEX_PUT = [
    "x = torch.zeros(4, 4, requires_grad=True)\nv = torch.tensor([1.0, 2.0], requires_grad=True)\n"
    "i = torch.tensor([[0], [3]])\nj = torch.tensor([[1, 2]])\n"
    "y = x.index_put((i, j), v, accumulate=True)\n(y * y).sum().backward()\n"
    "print(y, x.grad, v.grad)",
    "x = torch.zeros(5)\n"
    "x.index_put_((torch.tensor([0, 0, 4]),), torch.tensor(1.5), accumulate=True)\nprint(x)",
    "x = torch.arange(6.0).reshape(2, 3)\n"
    "print(torch.index_put(x, [torch.tensor([1]), torch.tensor([0, 2])], torch.tensor(-1.0)))",
    "x = torch.zeros(3, 2)\nv = torch.ones(2, requires_grad=True)\n"
    "y = torch.index_put(input=x, indices=(torch.tensor([2, 0]),), values=v)\n"
    "y.sum().backward()\nprint(y, v.grad)",
    "x = torch.arange(12.0).reshape(3, 4)\n"
    "print(torch.take_along_dim(x, torch.tensor([[0], [3], [1]]), dim=1))",
    "x = torch.zeros(1000, 1000)\ni = torch.arange(1000).reshape(1000, 1)\n"
    "j = torch.arange(1000).reshape(1, 1000)\nx.index_put_((i, j), torch.tensor(1.0))\n"
    "print(x.sum())",  # exactly tensor_elements positions: at the limit, not past it
]


@pytest.mark.parametrize("source", INDEX_PUT, ids=lambda s: repr(s[-40:]))
def test_index_put_prints_what_python_prints(source: str) -> None:
    assert run_source(source).stdout == python_stdout("import torch\n" + source)


def test_index_put_is_refused_by_the_positions_it_would_write() -> None:
    # One more row of positions than the limit, the values' gradient alike.
    over = INDEX_PUT[-1].replace(
        "arange(1000).reshape(1000, 1)", "zeros(1001, 1, dtype=torch.long)"
    )
    for source in (over, PUT + "x.index_put_((a, b), torch.tensor(1.0))"):
        with pytest.raises(LimitExceeded) as caught:
            run_source(source)
        assert caught.value.limit == "tensor_elements"
    assert "400,000,000 elements" in str(caught.value)
