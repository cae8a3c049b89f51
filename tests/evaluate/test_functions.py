"""A program's own autograd Functions (issue 20), against real torch.

The programs print what real Python and torch print; the graph is make_dot's
(torchviz parity, `ExpBackward` and the saved tensors); the engine's call of
backward runs under the program's limits.
"""

from __future__ import annotations

import pytest

from app.errors import LimitExceeded, NotAllowed, UserRuntimeError, VisualizerError
from app.evaluate import run_source
from app.graph import build_graph
from app.limits import Limits
from tests.evaluate.python import addresses_in_order, python_stdout
from tests.render.test_parity import VARIANTS, assert_parity

EXP = """
import torch

class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result
"""

PROGRAMS = {
    "exp": EXP
    + """
x = torch.tensor([0.5, 1.0], requires_grad=True)
y = Exp.apply(x)
z = (y * 3).sum()
z.backward()
print(y, z, x.grad)
print(y.grad_fn, y.grad_fn.next_functions)
""",
    "setup_context and a constant": """
import torch

class MulConstant(torch.autograd.Function):
    @staticmethod
    def forward(tensor, constant):
        return tensor * constant

    @staticmethod
    def setup_context(ctx, inputs, output):
        tensor, constant = inputs
        ctx.constant = constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None

x = torch.tensor([1.0, 2.0], requires_grad=True)
MulConstant.apply(x, 5.0).sum().backward()
print(x.grad)
""",
    "needs_input_grad, mark_non_differentiable": """
import torch

class SortAndGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        order = torch.argsort(a)
        ctx.mark_non_differentiable(order)
        return a * b, order

    @staticmethod
    def backward(ctx, grad, grad_order):
        a, b = ctx.saved_tensors
        print('needs', ctx.needs_input_grad)
        return (grad * b if ctx.needs_input_grad[0] else None), (
            grad * a if ctx.needs_input_grad[1] else None
        )

a = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
b = torch.tensor([1.0, 2.0, 3.0])
out, order = SortAndGrad.apply(a, b)
out.sum().backward()
print(out, order, a.grad, order.requires_grad)
""",
    "the tutorial's LegendrePolynomial3": """
import torch
import math


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


dtype = torch.float
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
for t in range(300):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)')
""",
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_prints_what_python_prints(name: str) -> None:
    source = PROGRAMS[name]
    expected = addresses_in_order(python_stdout(source))
    assert addresses_in_order(run_source(source).stdout) == expected


@pytest.mark.parametrize("flags", VARIANTS, ids=lambda f: "+".join(f) or "plain")
def test_the_graph_is_make_dots(flags: dict[str, bool]) -> None:
    # Before any backward pass, make_dot draws the Function's saved tensors too.
    evaluation = run_source(EXP + "x = torch.tensor([0.5, 1.0], requires_grad=True)\n"
                            "y = Exp.apply(x) * 2\n")  # fmt: skip
    assert_parity(evaluation, flags)
    labels = [node.label for node in build_graph(evaluation).nodes]
    assert "ExpBackward" in labels


def _error(source: str) -> VisualizerError:
    with pytest.raises(VisualizerError) as caught:
        run_source(source, limits=Limits(steps=5_000))
    return caught.value


def test_a_limit_in_backward_ends_the_program_however_torch_reports_it() -> None:
    source = (
        EXP.replace("return grad_output * result", "return grad_output * torch.ones(10**8)[0]")
        + "x = torch.ones(2, requires_grad=True)\ntry:\n    Exp.apply(x).sum().backward()\n"
        "except Exception as e:\n    print('caught')\nprint('after')\n"
    )
    error = _error(source)
    assert isinstance(error, LimitExceeded) and error.to_dict()["limit"] == "tensor_elements"


def test_torch_checks_what_backward_returns() -> None:
    wrong = EXP.replace("return grad_output * result", "return torch.ones(5, 5)")
    error = _error(wrong + "x = torch.ones(2, requires_grad=True)\nExp.apply(x).sum().backward()")
    assert isinstance(error, UserRuntimeError) and "invalid gradient" in error.detail
    # A program may catch torch's own error, as in Python.
    caught = run_source(
        wrong + "x = torch.ones(2, requires_grad=True)\ntry:\n"
        "    Exp.apply(x).sum().backward()\nexcept RuntimeError:\n    print('caught')\n"
    )
    assert caught.stdout == "caught\n"


def test_functions_are_applied_not_instantiated_and_keep_torchs_names() -> None:
    with pytest.raises(NotAllowed, match="apply"):
        run_source(EXP + "Exp()")
    for source in (
        EXP + "class Bad(torch.autograd.Function):\n    def apply(ctx):\n        return 1\n",
        EXP + "class Bad(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
        "        ctx.saved_tensors = (x,)\n        return x\n",
        "import torch\nclass Bad(torch.autograd.Function):\n    @classmethod\n"
        "    def forward(cls, x):\n        return x\n",
    ):
        with pytest.raises(NotAllowed):
            run_source(source)
