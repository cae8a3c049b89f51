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
import random
from typing import Any

import numpy as np
import torch
import torch.autograd.functional
import torch.fft
import torch.func
import torch.linalg
import torch.nn.functional
import torch.optim
import torch.special
import torch.utils.data

from app.evaluate import arrays, builtins, figures, pyrandom
from app.evaluate import functions as _functions  # registers torch.autograd.Function's base
from app.evaluate.classes import BaseClass
from app.evaluate.values import Function, Namespace
from app.parse import allowlist as A

MODULES: dict[str, Any] = {
    "torch": torch,
    "torch.autograd": torch.autograd,
    "torch.autograd.functional": torch.autograd.functional,
    "torch.func": torch.func,
    "torch.nn": torch.nn,
    "torch.nn.functional": torch.nn.functional,
    "torch.nn.init": torch.nn.init,
    "torch.optim": torch.optim,
    "torch.optim.lr_scheduler": torch.optim.lr_scheduler,
    "torch.utils.data": torch.utils.data,
    "torch.linalg": torch.linalg,
    "torch.special": torch.special,
    "torch.fft": torch.fft,
    "torch.cuda": torch.cuda,
    "math": math,
    "random": random,
    "numpy": np,
    "numpy.linalg": np.linalg,
    "numpy.random": np.random,
    "matplotlib.pyplot": figures.PYPLOT,
    "seaborn": figures.SEABORN,
}
# How the functions of each namespace are called (`Function.kind`, see
# app.evaluate.kinds.CALLERS); "torch" where a namespace is not listed.
CALL_KINDS: dict[str, str] = {
    "random": pyrandom.KIND,
    "torch.nn": "nn",
    "torch.nn.init": "nn.init",
    "torch.optim": "optim",
    "torch.optim.lr_scheduler": "optim",
    "torch.utils.data": "data",
    **dict.fromkeys(("numpy", "numpy.linalg", "numpy.random"), "numpy"),
    "matplotlib.pyplot": "pyplot",
    "seaborn": "pyplot",
}
# The targets of specials that are not the namespace's own member.
_SPECIAL_TARGETS: dict[str, Any] = {"make_dot": lambda tensor: tensor}
assert _functions.PATH in A.CLASS_BASES
assert arrays.SCALAR_TYPES  # imported for its kinds and the "numpy" caller


def _constant(path: str, name: str) -> Any:
    if f"{path}.{name}" in A.CLASS_BASES:
        return BaseClass(f"{path}.{name}")  # never the real class
    if path == "math" or (path != "numpy" and name in ("pi", "e", "inf", "nan")):
        return float(getattr(math, name))
    return getattr(MODULES[path], name)


def _function(path: str, name: str, entry: A.Fn) -> Function:
    target = _SPECIAL_TARGETS.get(entry.special or "")
    if target is None:
        module = MODULES.get(path)
        target = getattr(module, name, None) if module is not None else None
    if target is None:  # torchviz's, called by the evaluator only
        target = _SPECIAL_TARGETS["make_dot"]
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
    names["__name__"] = "__main__"  # a program is always the main module
    return names


PREDEFINED: dict[str, Any] = _predefined()
