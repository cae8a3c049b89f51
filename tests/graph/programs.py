"""A catalogue of small torch programs for the graph and render tests.

Each program is a plain function that does real torch work and returns
`locals()`; `y` is the output unless PROGRAMS says otherwise. They cover what
make_dot draws: scalars and vectors, several uses of one tensor, views and
their bases, saved tensors and results, tuples of saved tensors, losses,
matmul, softmax, in-place ops, loops, leaf and constant outputs.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from app.evaluate.result import LoopStep, Origin, Span


def sin() -> dict[str, Any]:
    x = torch.tensor(5.0, requires_grad=True)
    y = 3 * torch.sin(x) + x + 3
    return locals()


def poly() -> dict[str, Any]:
    x = torch.tensor(5.0, requires_grad=True)
    y = 3 * x**2 + x
    return locals()


def loop() -> dict[str, Any]:
    # The loop lesson (h for the rebound x), with the origins the evaluate
    # stage would record.
    x = torch.tensor(1.0, requires_grad=True)
    origins: dict[Any, Origin] = {id(x): Origin(Span(1, 5, 1, 43))}
    h = x
    for i in range(3):
        h = h * (h + 1)
        where = (LoopStep(2, i),)
        origins[h.grad_fn] = Origin(Span(3, 9, 3, 20), where)
        origins[h.grad_fn.next_functions[1][0]] = Origin(Span(3, 14, 3, 19), where)
    y = h
    del i, where
    return locals()


def nested_loops() -> dict[str, Any]:
    w = torch.tensor(0.5, requires_grad=True)
    origins: dict[Any, Origin] = {}
    acc = w * 1
    for i in range(2):
        for j in range(2):
            acc = acc + w * (i + j)
            step = (LoopStep(3, i), LoopStep(4, j))
            origins[acc.grad_fn] = Origin(Span(5, 13, 5, 30), step)
            origins[acc.grad_fn.next_functions[1][0]] = Origin(Span(5, 19, 5, 30), step)
    y = acc
    del i, j, step
    return locals()


def sum_squares() -> dict[str, Any]:
    x = torch.arange(5, dtype=torch.float32).requires_grad_(True)
    y = torch.sum(x**2)
    return locals()


def mean_log() -> dict[str, Any]:
    x = torch.arange(5, dtype=torch.float32).requires_grad_(True)
    y = torch.mean(torch.log(x**2 + 1) + 5 * x)
    return locals()


def retain_grad() -> dict[str, Any]:
    x = torch.tensor(2.0, requires_grad=True)
    a = x**2
    y = 3 * a + x
    return locals()


def reuse() -> dict[str, Any]:
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x + x
    return locals()


def matmul() -> dict[str, Any]:
    W = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    v = torch.tensor([1.0, -1.0, 0.5], requires_grad=True)
    h = W @ v
    y = h.sum()
    return locals()


def mlp() -> dict[str, Any]:
    torch.manual_seed(0)
    X = torch.randn(4, 3)
    t = torch.randn(4, 1)
    W1 = torch.randn(3, 5, requires_grad=True)
    b1 = torch.zeros(5, requires_grad=True)
    W2 = torch.randn(5, 1, requires_grad=True)
    h = F.relu(X @ W1 + b1)
    p = h @ W2
    y = F.mse_loss(p, t)
    return locals()


def softmax() -> dict[str, Any]:
    z = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    p = torch.softmax(z, dim=0)
    y = -torch.log(p[2])
    return locals()


def cross_entropy() -> dict[str, Any]:
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]], requires_grad=True)
    target = torch.tensor([0, 2])
    y = F.cross_entropy(logits, target)
    return locals()


def log_softmax_nll() -> dict[str, Any]:
    z = torch.tensor([[0.5, 1.5]], requires_grad=True)
    y = F.nll_loss(F.log_softmax(z, dim=1), torch.tensor([1]))
    return locals()


def bce() -> dict[str, Any]:
    z = torch.tensor([0.3, -0.2, 1.2], requires_grad=True)
    y = F.binary_cross_entropy_with_logits(z, torch.tensor([1.0, 0.0, 1.0]))
    return locals()


def view_output() -> dict[str, Any]:
    x = torch.arange(6, dtype=torch.float32).requires_grad_(True)
    a = x * 2
    y = a.view(2, 3)
    return locals()


def view_of_leaf() -> dict[str, Any]:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[1]
    return locals()


def view_of_constant() -> dict[str, Any]:
    c = torch.arange(4, dtype=torch.float32)
    y = c[2]
    return locals()


def transpose_reshape() -> dict[str, Any]:
    A = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = (A.T.reshape(4).unsqueeze(0).squeeze(0) * torch.arange(4.0)).sum()
    return locals()


def exp_result() -> dict[str, Any]:
    x = torch.tensor([0.5, 1.0], requires_grad=True)
    y = torch.exp(x).sum()
    return locals()


def activations() -> dict[str, Any]:
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = (torch.sigmoid(x) + torch.tanh(x) + torch.relu(x)).mean()
    return locals()


def reductions() -> dict[str, Any]:
    x = torch.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    y = x.norm() + x.prod() + x.max(dim=0)[0].sum() + x.min()
    return locals()


def cat_stack() -> dict[str, Any]:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0], requires_grad=True)
    y = torch.cat([a, b * 2]).sum() + torch.stack([a, a * a]).sum()
    return locals()


def arithmetic() -> dict[str, Any]:
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = ((x - 1) / 2 + (-x).abs() + x.clamp(-1, 1) + x.pow(x.abs())).sum()
    return locals()


def where() -> dict[str, Any]:
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    y = torch.where(x > 0, x * 3, x * x).sum()
    return locals()


def broadcast() -> dict[str, Any]:
    col = torch.tensor([[1.0], [2.0]], requires_grad=True)
    row = torch.tensor([[3.0, 4.0, 5.0]], requires_grad=True)
    y = (col + row).mean(dim=1, keepdim=True).sum()
    return locals()


def detach_middle() -> dict[str, Any]:
    x = torch.tensor(2.0, requires_grad=True)
    d = (x * 3).detach()
    y = x * d
    return locals()


def inplace() -> dict[str, Any]:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    a += 1
    y = (a * a).sum()
    return locals()


def no_grad_output() -> dict[str, Any]:
    x = torch.tensor(5.0)
    y = 3 * x**2 + x
    return locals()


def leaf_output() -> dict[str, Any]:
    y = torch.tensor([1.0, 2.0], requires_grad=True)
    return locals()


def vector_output() -> dict[str, Any]:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    return locals()


def two_params_same_op() -> dict[str, Any]:
    w = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    x = torch.tensor(3.0)
    y = (w * x + b) ** 2
    return locals()


def gradient_descent() -> dict[str, Any]:
    theta = torch.tensor(-3.5, requires_grad=True)
    for _ in range(3):
        if theta.grad is not None:
            theta.grad.zero_()
        out = theta * torch.cos(4 * theta) + 2 * torch.abs(theta)
        out.backward()
        with torch.no_grad():
            theta -= 0.05 * theta.grad
    y = out
    return locals()


def chain(n: int) -> dict[str, Any]:
    x = torch.tensor(1.0, requires_grad=True)
    h = x
    for _ in range(n):
        h = h * 1.0001
    y = h
    return locals()


def chain_100() -> dict[str, Any]:
    return chain(100)


def unbind_split() -> dict[str, Any]:
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    parts = torch.split(x, 2)
    first, second = parts[0], parts[1]
    y = first.sum() * second.sum() + x.unbind()[3]
    del parts
    return locals()


def sort_topk() -> dict[str, Any]:
    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    y = x.sort()[0][0] + x.topk(2)[0].sum()
    return locals()


def double_dtype() -> dict[str, Any]:
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = (x.float() * 2).sum()
    return locals()


# Programs that call backward() themselves: no second backward pass.
OWN_BACKWARD = {"gradient_descent"}

PROGRAMS: dict[str, Any] = {
    fn.__name__: fn
    for fn in [
        sin,
        poly,
        loop,
        nested_loops,
        sum_squares,
        mean_log,
        retain_grad,
        reuse,
        matmul,
        mlp,
        softmax,
        cross_entropy,
        log_softmax_nll,
        bce,
        view_output,
        view_of_leaf,
        view_of_constant,
        transpose_reshape,
        exp_result,
        activations,
        reductions,
        cat_stack,
        arithmetic,
        where,
        broadcast,
        detach_middle,
        inplace,
        no_grad_output,
        leaf_output,
        vector_output,
        two_params_same_op,
        gradient_descent,
        chain_100,
        unbind_split,
        sort_topk,
        double_dtype,
    ]
}
