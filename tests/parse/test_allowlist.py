"""The allowlist tables: every entry exists in torch, nothing dangerous is listed."""

from __future__ import annotations

import torch
import torch.nn.functional

from app.evaluate.namespaces import MODULES
from app.parse import allowlist as A

NEVER = {
    "load", "save", "from_file", "hub", "ops", "jit", "compile", "set_num_threads",
    "set_default_dtype", "set_grad_enabled", "set_printoptions", "empty", "empty_like",
    "new_empty", "resize_", "set_", "as_strided", "Generator", "set_rng_state",
    "get_rng_state", "data_ptr", "untyped_storage", "storage", "apply_", "map_",
    "share_memory_", "pin_memory", "os", "sys", "builtins", "ctypes", "utils",
    "set_default_device", "use_deterministic_algorithms", "to_sparse",
}  # fmt: skip
# tensor.numpy() is NumPy's bridge (app.parse.allowlist.numpy).
# `device=` is accepted by the checker and checked at run time (the cpu only).
NEVER_KEYWORDS = {"out", "layout", "pin_memory", "memory_format", "generator"}
# The two dunder names a program may use: `torch.__version__` and `__name__`.
DUNDERS = {"__version__", "__name__"}


def test_every_namespace_entry_exists() -> None:
    for path, table in A.NAMESPACES.items():
        module = MODULES.get(path)
        if module is None:
            continue
        for name in table:
            assert hasattr(module, name), f"{path}.{name}"


def test_every_tensor_method_and_attribute_exists() -> None:
    for name in [*A.TENSOR_METHODS, *A.TENSOR_ATTRIBUTES]:
        assert hasattr(torch.Tensor, name), name
    for name in A.MATH_NAMES + list(A.DUAL_NAMES):
        assert hasattr(torch, name), name


def test_no_private_or_dangerous_names() -> None:
    every = set(A.ATTRIBUTE_NAMES) | set(A.PREDEFINED_NAMES)
    for table in A.NAMESPACES.values():
        # Sub-namespaces are paths, checked below: torch.utils.data is one.
        every |= {name for name, entry in table.items() if not isinstance(entry, A.Ns)}
    assert not [name for name in every - DUNDERS if name.startswith("_")]
    assert not every & NEVER
    # torch.seed reseeds from the clock; Python's random.seed reseeds the program's own.
    assert "seed" not in A.TORCH and "initial_seed" not in A.TORCH
    # torch.utils holds data alone (not checkpoint, cpp_extension, ...).
    assert set(A.NAMESPACES["torch.utils"]) == {"data"}


def test_no_dangerous_keywords() -> None:
    entries = [*A.TENSOR_METHODS.values(), *A.BUILTINS.values()]
    for path, table in A.NAMESPACES.items():
        if path != "numpy":  # its elementwise out= (tests/parse/test_numpy_allowlist.py)
            entries += [e for e in table.values() if isinstance(e, A.Fn)]
    for entry in entries:
        assert not (entry.kwargs or set()) & NEVER_KEYWORDS
    for kwargs in A.DUAL_NAMES.values():
        assert not kwargs & NEVER_KEYWORDS


def test_random_functions_are_marked() -> None:
    for name in (
        "rand randn randint randperm rand_like randn_like normal bernoulli multinomial poisson"
    ).split():
        entry = A.TORCH[name]
        assert isinstance(entry, A.Fn) and entry.random
    dropout = A.FUNCTIONAL["dropout"]
    assert isinstance(dropout, A.Fn) and dropout.random
