"""NumPy's global state and the limits: what one program does is gone for the next.

NumPy's random state is seeded with 0 before each program's first draw (as
torch's is), print options and error modes are NumPy's defaults in every
program, and arrays count toward the element limits as tensors do.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.errors import LimitExceeded
from app.evaluate import run_source
from app.limits import Limits

DEFAULT_PRINT = {
    "edgeitems": 3,
    "threshold": 1000,
    "floatmode": "maxprec",
    "precision": 8,
    "suppress": False,
    "linewidth": 75,
    "nanstr": "nan",
    "infstr": "inf",
    "sign": "-",
    "formatter": None,
    "legacy": False,
    "override_repr": None,
}
DEFAULT_ERRORS = {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}


def test_each_program_draws_from_numpys_state_seeded_with_0() -> None:
    run_source("np.random.seed(5)\nx = np.random.rand(4)")
    after_a_seed = run_source("y = np.random.rand(3)").output
    run_source("torch.manual_seed(7)\nx = torch.rand(2)")
    after_torch = run_source("torch.manual_seed(3)\ny = np.random.rand(3)").output
    expected = np.random.RandomState(0).rand(3)
    assert np.array_equal(after_a_seed, expected)
    assert np.array_equal(after_torch, expected)


def test_a_programs_own_seed_is_numpys() -> None:
    drawn = run_source("x = np.random.rand(2)\nnp.random.seed(42)\ny = np.random.randn(3)").output
    assert np.array_equal(drawn, np.random.RandomState(42).randn(3))


def test_generators_without_a_seed_are_seeded_with_their_count() -> None:
    first, second = run_source(
        "a = np.random.default_rng()\nb = np.random.default_rng()\nr = [a.random(2), b.random(2)]"
    ).output
    assert np.array_equal(first, np.random.default_rng(0).random(2))
    assert np.array_equal(second, np.random.default_rng(1).random(2))
    seeded = run_source("r = np.random.default_rng(7).normal(size=3)").output
    assert np.array_equal(seeded, np.random.default_rng(7).normal(size=3))


def test_a_generator_prints_without_an_address() -> None:
    assert run_source("print(np.random.default_rng(1))").stdout == "Generator(PCG64)\n"


def test_print_options_and_error_modes_stay_numpys_defaults() -> None:
    run_source("x = np.ones(2000)\nprint(x, np.array([1.0]) / 0)")
    assert np.get_printoptions() == DEFAULT_PRINT
    assert np.geterr() == DEFAULT_ERRORS


def test_arrays_count_toward_total_elements_and_views_are_free() -> None:
    limits = Limits(total_elements=2_500_000)
    views = (
        "a = np.ones(10**6)\nfor i in range(50):\n    b = a.reshape(1000, 1000).T\n    c = a[::2]"
    )
    run_source(views, limits=limits)
    shared = "t = torch.ones(10**6)\nfor i in range(50):\n    a = t.numpy()"
    run_source(shared, limits=limits)
    copies = "a = np.ones(10**6)\nfor i in range(5):\n    b = a.copy()"
    with pytest.raises(LimitExceeded) as caught:
        run_source(copies, limits=limits)
    assert caught.value.limit == "total_elements"
    assert caught.value.line == 3


def test_an_array_limit_names_the_line_and_the_limit() -> None:
    with pytest.raises(LimitExceeded) as caught:
        run_source("x = 1\ny = np.zeros((10**4, 10**4))")
    error = caught.value
    assert (error.limit, error.line, error.column) == ("tensor_elements", 2, 5)
    assert "100,000,000 elements" in error.detail


def test_limit_errors_inside_numpy_calls_cannot_be_caught() -> None:
    source = "try:\n    x = np.ones((10**5, 10**5))\nexcept Exception as e:\n    print('caught')"
    with pytest.raises(LimitExceeded):
        run_source(source)


def test_a_list_of_arrays_counts_each_array_not_its_first_times_its_length() -> None:
    source = (
        "a = np.ones((1000, 1000))\nb = np.ones((1000, 1))\nc = np.ones((1, 1000))\n"
        "p = np.linalg.multi_dot([a, b, c])\nq = np.concatenate([np.ones(10), np.ones(999990)])\n"
        "r = [p.shape, q.shape]"
    )
    assert run_source(source).output == [(1000, 1000), (1000000,)]
    with pytest.raises(LimitExceeded):
        run_source("x = np.ones(999990)\ny = np.stack([x, x])")
