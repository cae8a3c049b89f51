"""Devices on a cpu-only service: the cpu is a no-op, every other device refused.

Tutorials start with `device = torch.device("cuda" if
torch.cuda.is_available() else "cpu")` and then pass `device=device` or call
`.to(device)`: here `torch.cuda.is_available()` is False, a `torch.device`
is the real (inert) object, and the cpu device is accepted wherever a
device is and dropped before the call. A CUDA device is refused as this
torch refuses it ("Torch not compiled with CUDA enabled", an error the
program may catch, as in Python); any other device (meta, mps, ...) is a
refusal, since a meta tensor would escape the element limits.

Also here: the other tensor specials about types and conversions (`.to`,
`.cuda`, `.type`, `torch.Tensor(...)`, `torch.finfo`), and torch.cuda's
answers.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import torch

from app.errors import NotAllowed
from app.evaluate.kinds import ValueKind, register
from app.evaluate.machine import Machine
from app.evaluate.values import Function
from app.parse import allowlist as A

Tensor = torch.Tensor
DTYPES = frozenset(getattr(torch, name) for name in A.DTYPES)
NO_CUDA = "Torch not compiled with CUDA enabled"


def _refuse(m: Machine, node: ast.AST, message: str) -> NotAllowed:
    line, column = m.position(node)
    return NotAllowed(message, line=line, column=column)


def require_cpu(m: Machine, value: Any, node: ast.AST) -> None:
    """Accept the cpu device (or a name of it); raise as torch would otherwise."""
    if value is None:
        return
    if isinstance(value, str):
        try:
            value = torch.device(value)
        except RuntimeError as error:
            raise error from None  # torch's own message for a bad name
    if isinstance(value, int) and not isinstance(value, bool):
        raise AssertionError(NO_CUDA)  # a device index means a CUDA device
    if not isinstance(value, torch.device):
        raise TypeError(f"expected a torch.device or a device name, not {type(value).__name__}")
    if value.type == "cpu":
        return
    if value.type == "cuda":
        raise AssertionError(NO_CUDA)
    raise _refuse(m, node, f"only the cpu device is available here, not {value.type!r}")


def drop_device(m: Machine, kwargs: dict[str, Any], node: ast.AST) -> None:
    """`device=` of any call: the cpu passes (and is dropped), others are refused."""
    if "device" in kwargs:
        require_cpu(m, kwargs.pop("device"), node)


def positional_devices(m: Machine, args: list[Any], node: ast.AST) -> None:
    """A torch.device given positionally (where a signature takes one): the cpu only."""
    for arg in args:
        if arg.__class__ is torch.device:
            require_cpu(m, arg, node)


class FieldsKind(ValueKind):
    """A value whose only use is to read a few fields (torch.device, finfo)."""

    def __init__(self, label: str, fields: frozenset[str]) -> None:
        self.label = label
        self.fields = fields

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in self.fields and hasattr(value, attr):
            return getattr(value, attr)
        return super().get(m, value, attr, node)


register(torch.device, FieldsKind("torch.device values", A.DEVICE_ATTRIBUTES))
register(torch.finfo, FieldsKind("finfo values", A.INFO_ATTRIBUTES))
register(torch.iinfo, FieldsKind("iinfo values", A.INFO_ATTRIBUTES))


# -- functions ----------------------------------------------------------------
def _device(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    # The real constructor: it parses a name and an index, nothing more.
    return torch.device(*args, **kwargs)


def _info(m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    for value in (*args, *kwargs.values()):
        if value not in DTYPES:
            raise TypeError(f"{fn.name}() takes a torch dtype, such as torch.float32")
    return fn.target(*args, **kwargs)


def _cuda_available(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> bool:
    return False


def _cuda_device_count(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> int:
    return 0


def _nothing(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> None:
    return None  # seeding a CUDA generator that does not exist, as torch does on a cpu


def _legacy_tensor(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    """torch.Tensor(data) as micrograd writes it; torch.Tensor(2, 3) is refused:
    it would hand the program uninitialized memory."""
    if not args:
        return m.made(torch.Tensor(), node)
    # A torch.Size is a tuple, and torch.Tensor reads it as sizes: refused too.
    if len(args) != 1 or type(args[0]) not in (list, tuple) and not isinstance(args[0], Tensor):
        raise _refuse(
            m,
            node,
            "torch.Tensor(sizes) makes uninitialized memory; use torch.zeros(...) or "
            "torch.tensor(data)",
        )
    data = args[0]
    if isinstance(data, Tensor):
        return m.made(data.to(torch.float32), node) if data.dtype != torch.float32 else data
    m.guard.check_numel(m.guard.data_elements(data))
    return m.made(torch.Tensor(data), node)


def _variable(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    if len(args) != 1 or not isinstance(args[0], Tensor):
        raise TypeError("Variable() takes one tensor")
    return m.made(torch.autograd.Variable(args[0], **kwargs), node)


def _make_dot_from_trace(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    raise _refuse(
        m,
        node,
        "make_dot_from_trace traces a model with torch.jit, which is not available here; "
        "draw the output with make_dot(y) (or just compute y)",
    )


SPECIALS: dict[str, Callable[..., Any]] = {
    "device": _device,
    "finfo": _info,
    "iinfo": _info,
    "cuda_available": _cuda_available,
    "cuda_device_count": _cuda_device_count,
    "nothing": _nothing,
    "legacy_tensor": _legacy_tensor,
    "variable": _variable,
    "make_dot_from_trace": _make_dot_from_trace,
}


# -- methods ------------------------------------------------------------------
def _to(m: Machine, tensor: Tensor, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    """x.to(dtype), x.to(device), x.to(other), x.to(device, dtype), keywords too."""
    dtype = kwargs.pop("dtype", None)
    require_cpu(m, kwargs.pop("device", None), node)
    for arg in args:
        if arg in DTYPES:
            dtype = arg
        elif isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, str | torch.device):
            require_cpu(m, arg, node)
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {arg!r}")
    if dtype is not None and dtype not in DTYPES:
        raise _refuse(m, node, "dtype must be a torch dtype such as torch.float32")
    result = tensor.to(dtype, **kwargs) if dtype is not None else tensor
    if kwargs.get("copy") and result is tensor:
        result = tensor.clone()
    return result if result is tensor else m.made(result, node)


def _cuda(
    m: Machine, tensor: Tensor, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    raise AssertionError(NO_CUDA)


def _type(
    m: Machine, tensor: Tensor, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    """x.type() names the type; x.type(torch.float64) converts; a type given by
    name (which may name a device or a sparse type) is refused."""
    dtype = args[0] if args else kwargs.get("dtype")
    if dtype is None:
        return tensor.type()
    if dtype not in DTYPES:
        raise _refuse(m, node, ".type() takes a torch dtype here; use .to(torch.float64)")
    result = tensor.type(dtype)
    return result if result is tensor else m.made(result, node)


METHOD_SPECIALS: dict[str, Callable[..., Any]] = {"to": _to, "cuda": _cuda, "type": _type}
