"""`import random`: Python's random module, seeded per program.

Each program draws from its own `random.Random`, seeded with 0 before its
first draw (as torch's generator is), so the same program prints the same
numbers in every process, and no program changes the module's global
state. `random.seed(n)` reseeds the program's own generator. Sizes are
bounded before the draw: `choices(k=)` and `sample(population, k)` make at
most sequence_length items, `getrandbits(k)` at most int_bits bits.
"""

from __future__ import annotations

import ast
import random
from typing import Any

from app.evaluate.builtins import items
from app.evaluate.kinds import CALLERS
from app.evaluate.machine import Machine
from app.evaluate.values import Function

_SEEDS = (int, float, str)


def generator(m: Machine) -> random.Random:
    if m.python_random is None:
        m.python_random = random.Random(0)
    return m.python_random


def _population(m: Machine, value: Any, node: ast.AST) -> Any:
    # A range is drawn from without being listed; anything else is listed, bounded.
    return value if isinstance(value, range) else items(m, value, node)


def call(m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    name = fn.name.rpartition(".")[2]
    rng = generator(m)
    if name == "seed":
        seed = args[0] if args else kwargs.get("a")
        if seed is not None and not isinstance(seed, _SEEDS):
            raise TypeError("The only supported seed types are: None, int, float, str")
        if seed is None:
            seed = 0  # not the clock: the same program, the same numbers
        rng.seed(seed)
        return None
    if name == "getrandbits":
        bits = args[0] if args else kwargs.get("k")
        if isinstance(bits, int) and bits > m.limits.int_bits:
            raise m.guard.int_too_big(bits)
    if name in ("choices", "sample"):
        k = kwargs.get("k", args[1] if name == "sample" and len(args) > 1 else 1)
        if isinstance(k, int) and not isinstance(k, bool):
            m.guard.new_sequence(max(0, k))
        if args:
            args = [_population(m, args[0], node), *args[1:]]
    elif name in ("choice", "shuffle") and args:
        if name == "choice":
            args = [_population(m, args[0], node)]
        elif not isinstance(args[0], list):
            raise TypeError("shuffle() takes a list here")
    result = getattr(rng, name)(*args, **kwargs)
    if isinstance(result, int) and not isinstance(result, bool):
        return m.guard.int_result(result)
    return result


KIND = "pyrandom"
CALLERS[KIND] = call
