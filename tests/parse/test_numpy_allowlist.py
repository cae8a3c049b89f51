"""NumPy's table (app/parse/allowlist/numpy.py): everything it lists exists, nothing
dangerous is listed, and its docstring names every dangerous corner it keeps out."""

from __future__ import annotations

import numpy as np
import torch

from app.parse import allowlist as A
from app.parse.allowlist import numpy as N

# The dangerous corners: files, raw memory, object and structured dtypes, pickle,
# callbacks into the program, global state, sizes that depend on the values.
NEVER = {
    "load", "save", "savez", "savez_compressed", "loadtxt", "savetxt", "genfromtxt",
    "fromfile", "tofile", "memmap", "DataSource", "frombuffer", "fromstring", "ctypes",
    "ctypeslib", "lib", "data", "base", "view", "tobytes", "dump", "dumps", "empty",
    "empty_like", "ndarray", "dtype", "object_", "str_", "bytes_", "void", "vectorize",
    "frompyfunc", "apply_along_axis", "apply_over_axes", "fromfunction", "piecewise",
    "fromiter", "nditer", "set_printoptions", "printoptions", "seterr", "errstate",
    "setbufsize", "set_state", "get_state", "RandomState", "bit_generator", "spawn",
    "bincount", "einsum", "resize_", "getfield", "setfield", "setflags", "flags", "flat",
    "strides", "longdouble", "clongdouble", "datetime64", "timedelta64", "recarray",
    "char", "rec", "ma", "testing", "f2py", "distutils", "os", "sys",
}  # fmt: skip
NEVER_KEYWORDS = {"out", "where", "allow_pickle", "buffer", "like", "subok", "casting"}
TABLES = {"numpy": np, "numpy.linalg": np.linalg, "numpy.random": np.random}


def test_every_entry_exists_in_numpy() -> None:
    for path, module in TABLES.items():
        for name in A.NAMESPACES[path]:
            assert hasattr(module, name), f"{path}.{name}"
    for name in [*N.NDARRAY_METHODS, *N.NDARRAY_ATTRIBUTES]:
        assert hasattr(np.ndarray, name), name
    for name in N.SCALAR_METHODS:
        assert hasattr(np.generic, name), name
    for name in N.GENERATOR_METHODS:
        assert hasattr(np.random.Generator, name), name
    for name in N.DTYPE_ATTRIBUTES:
        assert hasattr(np.dtype, name), name


def test_the_bridges_to_torch_join_torchs_tables() -> None:
    for name in N.TORCH_BRIDGES:
        assert hasattr(torch, name) and A.NAMESPACES["torch"][name] is N.TORCH_BRIDGES[name]
    for name in N.TENSOR_BRIDGES:
        assert hasattr(torch.Tensor, name) and A.TENSOR_METHODS[name] is N.TENSOR_BRIDGES[name]
    assert "linspace" in A.NAMESPACES["torch"]  # torch's own members are still there


def test_nothing_dangerous_is_listed() -> None:
    names: set[str] = set()
    for path in TABLES:
        names |= set(A.NAMESPACES[path])
    assert not names & NEVER
    # x.dtype is an array's dtype; np.dtype(...) (structured records) is absent.
    names |= set(N.NDARRAY_METHODS) | N.NDARRAY_ATTRIBUTES | set(N.GENERATOR_METHODS)
    assert not names & (NEVER - {"dtype"})
    assert not [name for name in names if name.startswith("_")]


def test_no_dangerous_keywords() -> None:
    entries = [*N.NDARRAY_METHODS.values(), *N.GENERATOR_METHODS.values()]
    for path in TABLES:
        entries += [e for e in A.NAMESPACES[path].values() if isinstance(e, A.Fn)]
    for entry in entries:
        assert entry.kwargs is not None and not entry.kwargs & NEVER_KEYWORDS - {"out"}
    # out= only where the result is the broadcast of the operands, written in place.
    with_out = {
        name
        for name, entry in A.NAMESPACES["numpy"].items()
        if isinstance(entry, A.Fn) and entry.kwargs and "out" in entry.kwargs
    }
    assert with_out == set(N.UNARY) | set(N.BINARY)
    for path in ("numpy.linalg", "numpy.random"):
        for entry in A.NAMESPACES[path].values():
            assert not (isinstance(entry, A.Fn) and entry.kwargs and "out" in entry.kwargs)


def test_only_numeric_dtypes_are_named() -> None:
    for name in N.DTYPES:
        assert np.dtype(getattr(np, name)).kind in "biufc", name


def test_draws_are_marked_random_and_seeding_is_the_evaluators() -> None:
    for name, entry in {**N.RANDOM, **N.GENERATOR_METHODS}.items():
        assert isinstance(entry, A.Fn)
        assert entry.random or entry.special in ("numpy_seed", "default_rng"), name


def test_the_docstring_names_each_dangerous_corner_it_keeps_out() -> None:
    doc = N.__doc__ or ""
    for name in (
        "load", "save", "loadtxt", "genfromtxt", "fromfile", "tofile", "memmap", "frombuffer",
        "ctypes", "lib", "ndarray.data", "object", "allow_pickle", "vectorize", "frompyfunc",
        "apply_along_axis", "set_printoptions", "seterr", "random.set_state",
    ):  # fmt: skip
        assert f"`{name}" in doc or f"{name}`" in doc, name


def test_every_refused_name_with_a_reason_exists_in_numpy() -> None:
    for name in N.NUMPY_HINTS:
        assert hasattr(np, name) or hasattr(np.random, name), name
