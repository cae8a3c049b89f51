"""torch.func and torch.autograd.functional: torch calling the program's functions.

`torch.func.grad(f)`, `vmap(f)`, `jacrev(f)`, `jacfwd(f)`, `hessian(f)` and
`grad_and_value(f)` make a new function; `vjp(f, x)` returns one
(`vjp_fn`). Each is a `Transformed` value the program may call, pass on or
transform again; the program's own `f` reaches torch as a Callback
(app.evaluate.callbacks), so each of its calls runs in the interpreter under
the program's steps and limits. The autograd.functional functions
(`jacobian`, `hessian`, `vjp`, `jvp`, `hvp`, `vhp`) run at once.

What the transforms themselves make is bounded too:
- vmap runs `f` once on tensors standing for a batch, and jacfwd and
  hessian run it under a vmap over the input's elements: while they run,
  every size the program makes counts that many times (Guard.scaled);
- a Jacobian has as many elements as the output times the input: the
  callback checks that product when `f` returns, before torch builds it;
  a Hessian is checked (input squared) before anything runs;
- autograd.functional.jacobian and hessian run one backward pass per
  output (or input) element: each counts as a step.
While torch.func's transforms run, names and spans are not recorded: the
tensors `f` sees are torch's wrappers, not the program's tensors.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.autograd.forward_ad
import torch.autograd.functional
import torch.func

from app.errors import LimitExceeded, NotAllowed
from app.evaluate.callbacks import Callback
from app.evaluate.kinds import ValueKind, register
from app.evaluate.machine import Machine
from app.evaluate.values import BoundMethod, Function, UserFunction

Tensor = torch.Tensor

# Forward-mode AD (jvp, jacfwd, hessian) loads its decompositions on first
# use, warning that torch.jit.script is deprecated: that warning would be
# in the first such answer of a process only. Loaded here, once, silently.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.autograd.forward_ad._maybe_load_decompositions()  # type: ignore[no-untyped-call]


def _numel(value: Any) -> int:
    """Elements of a tensor, or of every tensor in a (nested) tuple or list."""
    if isinstance(value, Tensor):
        return value.numel()
    if isinstance(value, list | tuple):
        return sum(_numel(v) for v in value)
    return 0


def _selected(args: list[Any], argnums: Any) -> list[Any]:
    """The arguments a transform differentiates with respect to."""
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        return [args[argnums]] if -len(args) <= argnums < len(args) else []
    if isinstance(argnums, tuple | list):
        return [args[i] for i in argnums if isinstance(i, int) and -len(args) <= i < len(args)]
    return list(args)


class Sized(Callback):
    """The program's function as a Jacobian's rows: when it returns, the
    Jacobian (its output times `columns`) must fit before torch builds it,
    and with `per_row` each output element (a backward pass) is a step."""

    __slots__ = ("columns", "per_row")

    def __init__(self, machine: Machine, function: Any, node: ast.AST) -> None:
        super().__init__(machine, function, node)
        self.columns = 0
        self.per_row = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = super().__call__(*args, **kwargs)
        machine = self.machine
        rows = _numel(out)
        try:
            if self.columns:
                machine.guard.check_numel(rows * self.columns)
            if self.per_row:
                machine.guard.pieces(rows)  # one backward pass per row
        except LimitExceeded as error:
            machine.stopped = machine.locate(error, self.node)
            raise machine.stopped from None
        return out


class Transformed:
    """A function torch made from one of the program's (or returned: vjp_fn)."""

    __slots__ = ("name", "target", "callback", "kind", "options")

    def __init__(
        self,
        name: str,
        target: Callable[..., Any],
        callback: Sized | None = None,
        kind: str = "",
        options: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.target = target
        self.callback = callback
        self.kind = kind  # which transform: how its calls are bounded
        self.options = options or {}

    def __repr__(self) -> str:
        return f"<function {self.name} at {id(self):#x}>"


def _batch(args: list[Any], in_dims: Any) -> int:
    """vmap's batch size: the size of the mapped dimension of the inputs."""
    sizes = []
    dims = in_dims if isinstance(in_dims, tuple | list) else [in_dims] * len(args)
    for arg, dim in zip(args, dims, strict=False):
        if isinstance(arg, Tensor) and isinstance(dim, int) and -arg.dim() <= dim < arg.dim():
            sizes.append(arg.shape[dim])
        elif isinstance(arg, list | tuple):
            sizes.append(_batch(list(arg), dim))
    return max(sizes, default=1)


class TransformedKind(ValueKind):
    label = "transformed functions"

    def call(
        self, m: Machine, value: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        assert isinstance(value, Transformed)
        kind, options = value.kind, value.options
        inputs = _selected(args, options.get("argnums", 0))
        columns = _numel(inputs)
        scale = 1
        if kind == "vmap":
            scale = _batch(args, options.get("in_dims", 0))
        elif kind in ("jacfwd", "hessian"):
            scale = columns
        if kind == "hessian":
            m.guard.check_numel(columns * columns)
        if value.callback is not None and kind in ("jacrev", "jacfwd", "hessian"):
            value.callback.columns = columns
        return run(m, lambda: value.target(*args, **kwargs), node, scale, record=False)


register(Transformed, TransformedKind())


def run(
    m: Machine,
    action: Callable[[], Any],
    node: ast.AST,
    scale: int = 1,
    record: bool = True,
) -> Any:
    """Run torch's side of a transform; whatever it made is counted and stamped."""
    saved = m.record
    m.record = saved and record
    try:
        with m.guard.scaled(scale):
            result = action()
    finally:
        m.record = saved
    if m.stopped is not None:  # torch may have swallowed the program's end
        raise m.stopped
    return m.made(result, node)


def _callable(m: Machine, function: Any, node: ast.AST) -> None:
    if not isinstance(function, UserFunction | Function | BoundMethod | Transformed):
        line, column = m.position(node)
        raise NotAllowed(
            "a transform takes one of the program's functions (def or lambda), "
            "a torch function or a transformed one",
            line=line,
            column=column,
        )


_FUNC_KEYWORDS = {
    "grad": ("argnums", "has_aux"),
    "grad_and_value": ("argnums", "has_aux"),
    "jacrev": ("argnums", "has_aux", "chunk_size"),
    "jacfwd": ("argnums", "has_aux", "randomness"),
    "hessian": ("argnums",),
    "vmap": ("in_dims", "out_dims", "randomness", "chunk_size"),
}
_POSITIONAL = {"vmap": ("in_dims", "out_dims", "randomness")}


def func(m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    """torch.func.grad(f) and its kin; vjp(f, *primals) and jvp(f, primals, tangents)."""
    name = fn.name.rpartition(".")[2]
    if not args:
        raise TypeError(f"{name}() takes the function to transform")
    function, rest = args[0], args[1:]
    _callable(m, function, node)
    if name in ("vjp", "jvp"):
        callback = Callback(m, function, node)
        result = run(m, lambda: fn.target(callback, *rest, **kwargs), node, record=False)
        if name == "vjp":
            out, vjp_fn, *aux = result
            wrapper = "_vjp_with_argnums.<locals>.wrapper"  # torch's name for it
            return (out, Transformed(wrapper, vjp_fn, kind="vjp_fn"), *aux)
        return result
    allowed = _FUNC_KEYWORDS[name]
    for key in kwargs:
        if key not in allowed:
            raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
    options = dict(zip(_POSITIONAL.get(name, ("argnums", "has_aux")), rest, strict=False))
    options.update(kwargs)
    sized = Sized(m, function, node)
    target = fn.target(sized, *rest, **kwargs)
    # Printed as Python prints it: torch's wrapper takes its function's name.
    shown = function.qualname or function.name if isinstance(function, UserFunction) else name
    return Transformed(shown, target, sized, name, options)


def functional(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    """torch.autograd.functional's jacobian, hessian, vjp, jvp, hvp, vhp."""
    name = fn.name.rpartition(".")[2]
    function = args[0] if args else kwargs.pop("func", None)
    rest = args[1:]
    inputs = rest[0] if rest else kwargs.get("inputs")
    _callable(m, function, node)
    columns = _numel(inputs)
    callback = Sized(m, function, node)
    scale = 1
    if name == "jacobian":
        callback.columns = columns
        callback.per_row = not kwargs.get("vectorize", False)
        if kwargs.get("strategy") == "forward-mode":
            scale = columns
    elif name == "hessian":
        m.guard.check_numel(columns * columns)
        m.guard.pieces(columns)  # one backward pass per input element
    saved = m.tracker.capturing
    m.tracker.capturing = False  # its backward passes fill no .grad
    try:
        return run(m, lambda: fn.target(callback, *rest, **kwargs), node, scale)
    finally:
        m.tracker.capturing = saved


SPECIALS: dict[str, Callable[..., Any]] = {"func": func, "functional": functional}
