"""Side doors around the element and text limits (issue 16): each refused with
the limit it passes, before the allocation, and what is near them still runs
as Python and torch run it."""

from __future__ import annotations

import pytest
import torch

from app.errors import LimitExceeded
from app.evaluate import run_source
from app.evaluate.costs import broadcast_bound, tensor_text_bounds
from tests.evaluate.hostile_amplification import ATTACKS, CROSS, INDEX, SIX


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
