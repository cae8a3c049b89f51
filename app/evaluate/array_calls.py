"""Calls of NumPy's functions and of a Generator's methods, and NumPy's random state.

Every call goes the same way (`run`): the keywords against the table entry,
the arguments checked (app.evaluate.array_args), NumPy's random state seeded
if the function draws, the result bounded before the call, the call itself,
and what it made counted and checked. `call_numpy` is the caller of the
"numpy" kind (app.evaluate.kinds.CALLERS) for np, np.linalg and np.random.

Random state, as torch's (app.evaluate.machine.Machine.seed): NumPy's global
state is seeded with 0 before a program's first draw, so every program that
draws without `np.random.seed` draws the same numbers, and whatever an
earlier program in the process did to that state is gone. A program holds
a `RandomGenerator`, never NumPy's Generator itself (whose `bit_generator`
reaches the state); `np.random.default_rng()` without a seed is seeded with
the count of unseeded generators the program made before it (0, 1, ...).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import numpy as np

from app.evaluate.array_args import bound, check_arguments, check_value, made, quiet, refuse
from app.evaluate.attributes import no_such_attribute
from app.evaluate.kinds import CALLERS, ValueKind, register
from app.evaluate.machine import Machine
from app.evaluate.values import BoundMethod, Function
from app.parse.allowlist import Fn
from app.parse.allowlist import numpy as N

Call = Callable[[list[Any], dict[str, Any]], Any]


def keywords(
    m: Machine, allowed: frozenset[str] | None, kwargs: dict[str, Any], what: str, node: ast.AST
) -> None:
    for key in kwargs:
        if allowed is not None and key not in allowed:
            raise refuse(m, node, f"{what}() does not accept the keyword argument {key}= here")


def run(
    m: Machine,
    key: str,
    entry: Fn,
    call: Call,
    args: list[Any],
    kwargs: dict[str, Any],
    node: ast.AST,
) -> Any:
    """Check, seed, bound, call, count: one NumPy call named `key` in the tables."""
    check_arguments(m, key, args, kwargs, node)
    if "out" in kwargs:
        _check_out(m, kwargs["out"], node)
    if entry.random:
        seed(m)
    bound(m, entry.bound, key, args, kwargs)
    with quiet():
        result = call(args, kwargs)
    return made(m, result, node)


def _check_out(m: Machine, out: Any, node: ast.AST) -> None:
    """`out=` of an elementwise function: one ndarray the program has, which
    NumPy writes in place (it refuses one not of the result's shape)."""
    if out is not None and not isinstance(out, np.ndarray):
        raise refuse(m, node, "out= takes one NumPy array here")


def call_numpy(
    m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    """np.X, np.linalg.X and np.random.X (keywords are already checked)."""
    special = fn.entry.special
    if special == "numpy_seed":
        return _seed(m, args, kwargs)
    if special == "default_rng":
        return _default_rng(m, args, kwargs, node)
    target = fn.target
    key = fn.name.removeprefix("numpy.")
    return run(m, key, fn.entry, lambda a, k: target(*a, **k), args, kwargs, node)


CALLERS["numpy"] = call_numpy


# -- random state ----------------------------------------------------------------
def seed(m: Machine) -> None:
    """Seed NumPy's global random state before the program's first draw."""
    if not m.numpy_seeded:
        np.random.seed(0)
        m.numpy_seeded = True


def _integer(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _seed(m: Machine, args: list[Any], kwargs: dict[str, Any]) -> None:
    value = args[0] if args else kwargs.get("seed")
    if len(args) > 1 or not _integer(value):
        # np.random.seed() would read the machine's entropy: a different
        # answer on every run.
        raise TypeError("np.random.seed() takes one integer seed here")
    np.random.seed(value)
    m.numpy_seeded = True


class RandomGenerator:
    """What np.random.default_rng() gives a program: NumPy's Generator, behind its methods."""

    __slots__ = ("generator",)

    def __init__(self, generator: np.random.Generator) -> None:
        self.generator = generator

    def __repr__(self) -> str:
        return "Generator(PCG64)"


def _default_rng(
    m: Machine, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> RandomGenerator:
    value = args[0] if args else kwargs.get("seed")
    if len(args) > 1:
        raise TypeError("default_rng() takes at most one seed")
    if value is None:
        value = m.rngs_made
        m.rngs_made += 1
    elif isinstance(value, list | tuple):
        check_value(m, value, node)
    elif not _integer(value):
        raise TypeError("default_rng() takes an integer seed (or a list of them) here")
    return RandomGenerator(np.random.default_rng(value))


class GeneratorKind(ValueKind):
    label = "Generator values"

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in N.GENERATOR_METHODS:
            return BoundMethod(value, attr)
        no_such_attribute(value.generator, attr)
        raise self.refuse(m, node, f".{attr} is not available on NumPy Generators")

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        entry = N.GENERATOR_METHODS.get(name)
        if entry is None:
            no_such_attribute(value.generator, name)
            raise self.refuse(m, node, f".{name}() is not available on NumPy Generators")
        keywords(m, entry.kwargs, kwargs, f".{name}", node)
        method = getattr(value.generator, name)
        return run(m, f"Generator.{name}", entry, lambda a, k: method(*a, **k), args, kwargs, node)


register(RandomGenerator, GeneratorKind())
