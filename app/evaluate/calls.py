"""Calls: torch functions, tensor methods, builtins and the program's own functions.

Every call is a step. A torch function or method call checks its keyword
arguments against its table entry, bounds its result size before running
(app.evaluate.guards), and counts and stamps what it made. Calls that run a
backward pass go through app.evaluate.backward so the pass is traced.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import torch

from app.errors import LimitExceeded, NotAllowed
from app.evaluate import builtins, devices, hooks, strings, transforms
from app.evaluate.attributes import no_such_attribute
from app.evaluate.kinds import CALLERS, kind_of
from app.evaluate.machine import Machine
from app.evaluate.result import MakeDotCall
from app.evaluate.scope import Scope
from app.evaluate.values import BoundMethod, Function, GradFn, GradMode, UserFunction
from app.parse import allowlist as A

Tensor = torch.Tensor
DTYPES = frozenset(getattr(torch, name) for name in A.DTYPES)
Special = Callable[[Machine, Function, list[Any], dict[str, Any], ast.AST], Any]


class Calls(Machine):
    def call(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        kind = func.__class__
        if kind is Function:
            return self.call_function(func, args, kwargs, node)
        if kind is UserFunction:
            return self.call_user(func, args, kwargs, node)
        if kind is BoundMethod:
            return self.call_method(func.receiver, func.name, args, kwargs, node)
        value_kind = kind_of(func)
        if value_kind is not None:
            self.step(node)
            return value_kind.call(self, func, args, kwargs, node)
        raise TypeError(f"'{type(func).__name__}' object is not callable")

    def check_keywords(
        self,
        allowed: frozenset[str] | None,
        kwargs: dict[str, Any],
        what: str,
        node: ast.AST,
        torch_dtype: bool = True,
    ) -> None:
        if allowed is not None:
            for key in kwargs:
                if key not in allowed:
                    line, column = self.position(node)
                    raise NotAllowed(
                        f"{what}() does not accept the keyword argument {key}= here",
                        line=line,
                        column=column,
                    )
        dtype = kwargs.get("dtype")
        if torch_dtype and dtype is not None and dtype not in DTYPES:
            line, column = self.position(node)
            raise NotAllowed(
                f"dtype must be a torch dtype such as torch.float32, not {dtype!r}",
                line=line,
                column=column,
            )

    def call_function(
        self, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        self.step(node)
        entry = fn.entry
        kind = fn.kind
        if kwargs:
            # A library's own caller checks its dtypes (NumPy's are not torch's).
            self.check_keywords(entry.kwargs, kwargs, fn.name, node, kind not in CALLERS)
            devices.drop_device(self, kwargs, node)
        if kind == "builtin":
            return fn.target(self, args, kwargs, node)
        caller = CALLERS.get(kind)
        if caller is not None:
            return caller(self, fn, args, kwargs, node)
        if kind == "dual":
            if not (args and isinstance(args[0], Tensor)):
                assert fn.python is not None
                return fn.python(self, args, kwargs, node)
            if fn.name == "round" and len(args) == 2:
                kwargs["decimals"] = args.pop()  # round(t, 2) as Python spells it
        elif kind == "math" and args and isinstance(args[0], int | float):
            args[0] = torch.as_tensor(args[0])
        if entry.special is not None:
            special: Special = SPECIALS.get(entry.special, _unavailable)
            return special(self, fn, args, kwargs, node)
        devices.positional_devices(self, args, node)
        if entry.random:
            self.seed()
        if entry.bound != A.SHRINK:
            target = fn.target
            if entry.bound == A.CREATE:
                meta: Any = lambda a, k: target(*a, **k, device="meta")  # noqa: E731
            else:
                meta = lambda a, k: target(*a, **k)  # noqa: E731
            self.guard.bound(entry.bound, fn.name.rpartition(".")[2], args, kwargs, meta)
        result = fn.target(*args, **kwargs)
        if isinstance(result, int) and not isinstance(result, bool):
            return self.guard.int_result(result)
        return self.made(result, node)

    def call_method(
        self, receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        if isinstance(receiver, Tensor):
            entry = A.TENSOR_METHODS.get(name)
            if entry is None:
                no_such_attribute(receiver, name)
                line, column = self.position(node)
                raise NotAllowed(
                    f"the tensor method .{name}() is not available", line=line, column=column
                )
            self.step(node)
            if kwargs:
                self.check_keywords(entry.kwargs, kwargs, f".{name}", node)
                if entry.special is None:
                    devices.drop_device(self, kwargs, node)
            if entry.special is not None:
                method: MethodSpecial = METHOD_SPECIALS.get(entry.special, _unavailable)
                return method(self, receiver, args, kwargs, node)
            devices.positional_devices(self, args, node)
            if entry.random:
                self.seed()
            if entry.bound == A.DATA:  # x.new_tensor(data): the data's lengths
                self.guard.check_numel(self.guard.data_elements(args[0] if args else None))
            elif entry.bound != A.SHRINK:
                self.guard.bound(
                    entry.bound,
                    name,
                    [receiver, *args],
                    kwargs,
                    lambda a, k: getattr(a[0], name)(*a[1:], **k),
                )
            result = getattr(receiver, name)(*args, **kwargs)
            if result is receiver:
                if self.record:
                    self.tracker.note(result, node)  # in place: maybe a new grad_fn
                return result
            return self.made(result, node)
        self.step(node)
        value_kind = kind_of(receiver)
        if value_kind is not None:
            return value_kind.call_method(self, receiver, name, args, kwargs, node)
        kind, methods = _METHODS.get(type(receiver), ("", frozenset()))
        if isinstance(receiver, str):  # torch.__version__ is a str too
            kind, methods = _METHODS[str]
        if name not in methods:
            # A grad_fn has what its autograd node has (register_hook: refused).
            no_such_attribute(receiver.node if isinstance(receiver, GradFn) else receiver, name)
            line, column = self.position(node)
            available = ", ".join(sorted(methods)) or "none"
            raise NotAllowed(
                f".{name}() is not available on {kind or type(receiver).__name__} values "
                f"(available: {available})",
                line=line,
                column=column,
            )
        if isinstance(receiver, list):
            return builtins.list_method(self, receiver, name, args, kwargs, node)
        if isinstance(receiver, dict):
            return builtins.dict_method(self, receiver, name, args, kwargs)
        if isinstance(receiver, str):
            return strings.method(self, receiver, name, args, kwargs, node)
        if args or kwargs:
            raise TypeError("name() takes no arguments")
        return receiver.name()

    def call_user(
        self, fn: UserFunction, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        self.step(node)
        if self.depth >= self.limits.call_depth:
            line, column = self.position(node)
            raise LimitExceeded(
                "call_depth",
                self.limits.call_depth,
                f"calls are nested more than {self.limits.call_depth} deep (unbounded recursion?)",
                line=line,
                column=column,
            )
        bound = _bind_arguments(fn, args, kwargs)
        outer = self.scope
        self.scope = Scope({}, fn.closure, fn.local_names)
        self.depth += 1
        self.within.append(fn.qualname or fn.name)
        try:
            for name, value in bound.items():
                self.assign(name, value)
            if fn.mode is None:
                return self._body(fn)
            with fn.mode.context():  # @torch.no_grad() and its kin
                return self._body(fn)
        finally:
            self.scope = outer
            self.depth -= 1
            self.within.pop()

    def _body(self, fn: UserFunction) -> Any:
        body = fn.node.body
        if isinstance(body, list):
            signal = self.exec_block(body)
            return None if signal is None else signal.value
        return self.ev(body)  # a lambda's expression


_METHODS: dict[type, tuple[str, frozenset[str]]] = {
    list: ("list", A.LIST_METHODS),
    dict: ("dict", A.DICT_METHODS),
    str: ("str", frozenset(A.STR_METHODS)),
    GradFn: ("grad_fn", A.GRAD_FN_METHODS),
}


def _bind_arguments(fn: UserFunction, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Parameters to values, with Python's own TypeErrors for mismatches."""
    params, positional = fn.params, fn.positional
    if len(args) > positional:
        raise TypeError(
            f"{fn.name}() takes {positional} positional arguments but {len(args)} were given"
        )
    bound = dict(zip(params, args, strict=False))
    posonly = len(fn.node.args.posonlyargs)
    for key, value in kwargs.items():
        if key not in params or params.index(key) < posonly:
            raise TypeError(f"{fn.name}() got an unexpected keyword argument {key!r}")
        if key in bound:
            raise TypeError(f"{fn.name}() got multiple values for argument {key!r}")
        bound[key] = value
    first_default = positional - len(fn.defaults)
    missing = []
    for index, name in enumerate(params):
        if name in bound:
            continue
        if index < positional and index >= first_default:
            bound[name] = fn.defaults[index - first_default]
        elif index >= positional and name in fn.kw_defaults:
            bound[name] = fn.kw_defaults[name]
        else:
            missing.append(name)
    if missing:
        names = ", ".join(repr(n) for n in missing)
        raise TypeError(f"{fn.name}() missing {len(missing)} required argument(s): {names}")
    return bound


# -- functions with behaviour of their own ------------------------------------
def _unavailable(
    m: Machine, fn: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    # A special the table names that this evaluator does not handle (yet).
    line, column = m.position(node)
    name = getattr(fn, "name", "this method")
    raise NotAllowed(f"{name} is not available here", line=line, column=column)


def _tensor(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    m.guard.check_numel(m.guard.data_elements(args[0] if args else None))
    if len(args) > 2:  # torch.as_tensor(data, dtype, device): the cpu only, dropped
        devices.require_cpu(m, args[2], node)
        args = args[:2]
    return m.made(fn.target(*args, **kwargs), node)


def _manual_seed(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> None:
    seed = args[0] if args else kwargs.get("seed")
    if not isinstance(seed, int) or len(args) > 1:
        raise TypeError("manual_seed() takes one integer seed")
    torch.default_generator.manual_seed(seed)
    m.seeded = True


def _grad_mode(mode: str) -> Special:
    def make(
        m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        if mode == "inference_mode":
            flag = args[0] if args else kwargs.get("mode", True)
            if len(args) > 1 or not isinstance(flag, bool):
                raise TypeError("inference_mode() takes one bool")
            return GradMode("inference_mode" if flag else "no_op")
        if args:
            raise TypeError(f"{fn.name}() takes no arguments")
        return GradMode(mode)

    return make


def _is_grad_enabled(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> bool:
    return torch.is_grad_enabled()


def _as_roots(value: Any) -> list[Any]:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    return []


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list | tuple) and value else value


def _autograd_grad(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    outputs = args[0] if args else kwargs.get("outputs")
    seed = args[2] if len(args) > 2 else kwargs.get("grad_outputs")
    # torch.autograd.grad does not fill .grad, so intermediate gradients are
    # not captured either.
    m.tracker.capturing = False
    try:
        result = m.backward.run(
            _as_roots(outputs), _first(seed), lambda: torch.autograd.grad(*args, **kwargs)
        )
    finally:
        m.tracker.capturing = True
    return m.made(result, node)


def _autograd_backward(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> None:
    tensors = args[0] if args else kwargs.get("tensors")
    seed = args[1] if len(args) > 1 else kwargs.get("grad_tensors")
    m.backward.called = True
    m.tracker.follow_all()  # hooks on what named tensors are now, as retain_grad's
    m.backward.run(
        _as_roots(tensors), _first(seed), lambda: torch.autograd.backward(*args, **kwargs)
    )


def _make_dot(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    # The graph is what this service draws anyway: make_dot(y) is y. The
    # call is kept: its tensor is the output, its params name the torchviz
    # style's parameters (app.evaluate.session).
    if len(args) != 1:
        raise TypeError("make_dot() takes the output tensor as its one positional argument")
    params = kwargs.get("params")
    if params is not None and not (
        isinstance(params, dict) and all(isinstance(p, Tensor) for p in params.values())
    ):
        raise TypeError(
            "make_dot's params must be a dict of tensors: dict(model.named_parameters())"
        )
    given = node.args[0] if isinstance(node, ast.Call) and node.args else None
    name = given.id if isinstance(given, ast.Name) else None
    m.made_dot = MakeDotCall(
        args[0],
        name,
        None if params is None else dict(params),
        show_saved=bool(kwargs.get("show_saved", False)),
        show_attrs=bool(kwargs.get("show_attrs", False)),
    )
    return args[0]


SPECIALS: dict[str, Special] = {
    "tensor": _tensor,
    "manual_seed": _manual_seed,
    "no_grad": _grad_mode("no_grad"),
    "enable_grad": _grad_mode("enable_grad"),
    "inference_mode": _grad_mode("inference_mode"),
    "is_grad_enabled": _is_grad_enabled,
    "grad": _autograd_grad,
    "backward": _autograd_backward,
    "make_dot": _make_dot,
    **devices.SPECIALS,
    **transforms.SPECIALS,
}


def _backward_method(
    m: Machine, tensor: Tensor, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> None:
    seed = args[0] if args else kwargs.get("gradient")
    m.backward.called = True
    m.tracker.follow_all()  # hooks on what named tensors are now, as retain_grad's
    m.backward.run(
        [tensor],
        seed,
        lambda: tensor.backward(*args, **kwargs),  # type: ignore[no-untyped-call]
    )


MethodSpecial = Callable[[Machine, Tensor, list[Any], dict[str, Any], ast.AST], Any]
METHOD_SPECIALS: dict[str, MethodSpecial] = {
    "backward_method": _backward_method,
    **devices.METHOD_SPECIALS,
    **hooks.METHOD_SPECIALS,
}
