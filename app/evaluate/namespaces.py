"""The runtime side of the allowlist: namespaces and predefined names as values.

Built once, at import, from the tables in app.parse.allowlist: each
allowed torch function becomes a `Function` wrapping the real one (looked up
by its table name, never by a name from user text), each namespace a
`Namespace` holding only its allowed members. `PREDEFINED` is what every
program starts with: torch, F, nn, np, math, the builtins, the bare math
names, pi.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional

from app.evaluate import builtins, figures
from app.evaluate.classes import BaseClass
from app.evaluate.values import Function, Namespace
from app.parse import allowlist as A

MODULES: dict[str, Any] = {
    "torch": torch,
    "torch.autograd": torch.autograd,
    "torch.nn": torch.nn,
    "torch.nn.functional": torch.nn.functional,
    "torch.linalg": torch.linalg,
    "math": math,
    "matplotlib.pyplot": figures.PYPLOT,
    "seaborn": figures.SEABORN,
}
# How the functions of each namespace are called (`Function.kind`, see
# app.evaluate.kinds.CALLERS); "torch" where a namespace is not listed.
CALL_KINDS: dict[str, str] = {"matplotlib.pyplot": "pyplot", "seaborn": "pyplot"}
_SPECIAL_TARGETS: dict[str, Any] = {
    "tensor": torch.tensor,
    "manual_seed": torch.manual_seed,
    "no_grad": torch.no_grad,
    "enable_grad": torch.enable_grad,
    "is_grad_enabled": torch.is_grad_enabled,
    "grad": torch.autograd.grad,
    "backward": torch.autograd.backward,
    "make_dot": lambda tensor: tensor,
}


def _constant(path: str, name: str) -> Any:
    if f"{path}.{name}" in A.CLASS_BASES:
        return BaseClass(f"{path}.{name}")  # never the real class
    if path in ("numpy", "math") or name in ("pi", "e", "inf", "nan"):
        return float(getattr(math, name))
    return getattr(MODULES[path], name)


def _function(path: str, name: str, entry: A.Fn) -> Function:
    if entry.special == "tensor":
        target = getattr(torch, name)  # tensor or as_tensor
    elif entry.special is not None:
        target = _SPECIAL_TARGETS[entry.special]
    else:
        target = getattr(MODULES[path], name)
    display = name if path == "torchviz" else f"{path}.{name}"
    return Function(display, entry, target, CALL_KINDS.get(path, "torch"))


def _build() -> dict[str, Namespace]:
    spaces = {path: Namespace(path, {}) for path in A.NAMESPACES}
    for path, table in A.NAMESPACES.items():
        members = spaces[path].members
        for name, entry in table.items():
            if isinstance(entry, A.Ns):
                members[name] = spaces[entry.path]
            elif isinstance(entry, A.Const):
                members[name] = _constant(path, name)
            else:
                members[name] = _function(path, name, entry)
    return spaces


NAMESPACES = _build()


def _predefined() -> dict[str, Any]:
    names: dict[str, Any] = {
        alias: NAMESPACES[path] for alias, path in A.PREDEFINED_MODULES.items()
    }
    for name, entry in A.BUILTINS.items():
        if name == "make_dot":
            names[name] = NAMESPACES["torchviz"].members["make_dot"]
        else:
            names[name] = Function(name, entry, builtins.BUILTINS[name], "builtin")
    for name in A.MATH_NAMES:
        math_entry = A.TORCH[name]
        assert isinstance(math_entry, A.Fn)
        names[name] = Function(name, math_entry, getattr(torch, name), "math")
    for name, kwargs in A.DUAL_NAMES.items():
        torch_entry = A.TORCH.get(name)
        bound = torch_entry.bound if isinstance(torch_entry, A.Fn) else A.SHRINK
        names[name] = Function(
            name, A.Fn(kwargs, bound), getattr(torch, name), "dual", builtins.DUALS[name]
        )
    for name in A.BARE_CONSTANTS:
        names[name] = float(getattr(math, name))
    return names


PREDEFINED: dict[str, Any] = _predefined()
