"""torch calling the program back (issue 20): hooks, torch.func, autograd.functional.

Each program prints what real Python and torch print (tests/evaluate/python.py
runs the same text); the limits hold inside the callbacks.
"""

from __future__ import annotations

import pytest

import app.evaluate.transforms  # noqa: F401  (loads forward-mode AD quietly, as a worker does)
from app.errors import LimitExceeded, NotAllowed, VisualizerError
from app.evaluate import run_source
from app.limits import Limits
from tests.evaluate.python import addresses_in_order, python_stdout

HEADER = "import torch\nimport torch.nn.functional as F\n"

PROGRAMS = {
    "tensor hooks": """
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x.register_hook(lambda grad: grad * 2)
y = (x * x).sum()
y.backward()
print(x.grad, h)
h.remove()
x.grad = None
(x * x).sum().backward()
print(x.grad)
seen = []
def keep(grad):
    seen.append(grad.clone())
a = x * 3
a.register_hook(keep)
a.register_hook(print)
a.sum().backward()
print(len(seen), seen[0])
w = torch.tensor(1.0, requires_grad=True)
w.register_post_accumulate_grad_hook(lambda p: print('accumulated', p.grad))
(w * 5).backward()
""",
    "hook changes a gradient in a loop": """
x = torch.tensor(2.0, requires_grad=True)
total = 0
def clip(g):
    return g.clamp(-1, 1)
for i in range(3):
    y = x ** (i + 2)
    y.register_hook(clip)
    y.backward()
    total = total + x.grad.item()
    x.grad.zero_()
print(total)
""",
    "torch.func": """
from torch.func import grad, vmap, jacrev, jacfwd, hessian, vjp, jvp, grad_and_value
f = lambda t: (t ** 3).sum()
x = torch.tensor([1.0, 2.0])
print(grad(f)(x), grad(grad(lambda s: s ** 3))(torch.tensor(2.0)))
print(jacrev(lambda t: t.sin())(x), jacfwd(lambda t: t ** 2)(x))
print(hessian(f)(x), grad_and_value(f)(x))
print(vmap(torch.dot)(torch.ones(3, 2), torch.arange(6.0).reshape(3, 2)))
print(vmap(lambda row: row.sum() * 2, in_dims=1)(torch.arange(6.0).reshape(2, 3)))
out, vjp_fn = vjp(torch.sin, x)
print(out, vjp_fn(torch.ones(2)))
print(jvp(lambda t: t * t, (x,), (torch.ones(2),)))
def loss(w, b, data):
    return ((data @ w + b) ** 2).mean()
w = torch.tensor([0.5, -0.5])
b = torch.tensor(0.1)
data = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
print(grad(loss, argnums=(0, 1))(w, b, data))
per_example = vmap(grad(lambda w, d: (d @ w) ** 2), in_dims=(None, 0))(w, data)
print(per_example)
""",
    "autograd.functional": """
from torch.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp
f = lambda t: (t ** 3).sum()
x = torch.tensor([1.0, 2.0])
print(jacobian(lambda t: t ** 2, x), hessian(f, x))
print(vjp(lambda t: t ** 2, x, torch.ones(2)), jvp(lambda t: t ** 2, x, torch.ones(2)))
print(hvp(f, x, torch.ones(2)), vhp(f, x, torch.ones(2)))
print(jacobian(lambda a, b: a * b, (x, x)))
print(torch.autograd.functional.jacobian(lambda t: t.exp(), x, vectorize=True))
""",
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_prints_what_python_prints(name: str) -> None:
    source = HEADER + PROGRAMS[name]
    expected = addresses_in_order(python_stdout(source))
    assert addresses_in_order(run_source(source).stdout) == expected


def _code(source: str, limits: Limits | None = None) -> VisualizerError:
    with pytest.raises(VisualizerError) as caught:
        run_source(source, limits=limits or Limits(steps=5_000))
    return caught.value


def test_a_limit_inside_a_hook_ends_the_program_and_cannot_be_caught() -> None:
    source = (
        "x = torch.ones(3, requires_grad=True)\n"
        "x.register_hook(lambda g: torch.ones(10**8))\n"
        "try:\n    (x * 2).sum().backward()\nexcept Exception as e:\n    print('caught', e)\n"
        "print('after')\n"
    )
    error = _code(source)
    assert isinstance(error, LimitExceeded) and error.to_dict()["limit"] == "tensor_elements"
    assert error.line == 2  # where the hook was handed to torch


def test_steps_inside_callbacks_count() -> None:
    source = (
        "def slow(g):\n    for i in range(10**6):\n        pass\n    return g\n"
        "x = torch.ones(3, requires_grad=True)\nx.register_hook(slow)\n(x * 2).sum().backward()\n"
    )
    error = _code(source)
    assert error.to_dict()["limit"] == "steps"
    grad = (
        "from torch.func import grad\nf = lambda t: sum(t for i in range(10**6))\n"
        "grad(f)(torch.ones(()))"
    )
    assert _code(grad).to_dict()["limit"] == "steps"


def test_recursion_through_callbacks_is_bounded() -> None:
    source = (
        "x = torch.ones(1, requires_grad=True)\n"
        "def again(g):\n    with torch.enable_grad():\n        (x * 2).sum().backward()\n"
        "    return g\n"
        "x.register_hook(again)\n(x * 2).sum().backward()\n"
    )
    assert _code(source).to_dict()["limit"] == "call_depth"


def test_transforms_bound_what_they_make() -> None:
    jac = "from torch.func import jacrev\njacrev(lambda t: t.expand(1000, 1000))(torch.ones(1000))"
    assert _code(jac).to_dict()["limit"] == "tensor_elements"
    hess = "from torch.func import hessian\nhessian(lambda t: t.sum())(torch.ones(2000))"
    assert _code(hess).to_dict()["limit"] == "tensor_elements"
    # vmap: each batch item's tensors count for the whole batch.
    vm = "from torch.func import vmap\nvmap(lambda r: r.expand(2000, 1000))(torch.ones(1000, 1000))"
    assert _code(vm).to_dict()["limit"] == "tensor_elements"
    rows = "torch.autograd.functional.jacobian(lambda t: t.repeat(50000), torch.ones(2))"
    assert _code(rows).to_dict()["limit"] == "steps"


def test_transforms_take_functions_only() -> None:
    with pytest.raises(NotAllowed):
        run_source("torch.func.grad(torch.ones(2))")
    with pytest.raises(NotAllowed):
        run_source("x = torch.ones(2, requires_grad=True)\nx.register_hook(3)")


def test_the_gradients_table_shows_what_a_hook_returned_as_retain_grad_does() -> None:
    source = (
        "x = torch.ones(2, requires_grad=True)\na = x * 3\n"
        "a.register_hook(lambda g: g * 2)\na.retain_grad()\ny = a.sum()\ny.backward()\n"
        "print(a.grad, x.grad)\n"
    )
    evaluation = run_source(source)
    assert evaluation.stdout == python_stdout(HEADER + source)
    assert evaluation.gradients["a"].tolist() == [2.0, 2.0]  # type: ignore[union-attr]
    assert evaluation.gradients["x"].tolist() == [6.0, 6.0]  # type: ignore[union-attr]
