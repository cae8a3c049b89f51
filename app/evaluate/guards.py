"""Resource limits checked BEFORE the work they bound is done.

    steps              loop iterations and calls (and the pieces of split,
                       chunk and unbind: one tensor each)
    tensor_elements    the size of any one tensor, bounded before the call
                       that would make it (torch.ones(10**10) never allocates)
    total_elements     elements created across the program (and items of
                       Python sequences built by *, + and comprehensions)
    int_bits           the bit length of every integer result: checked before
                       **, * and << (2**(2**40) is never computed), after others
    sequence_length    items of a list, tuple or string made by *, +, str(),
                       list(), f-strings; also what str() or print() may render
                       (a value's text is bounded from its shape before it is
                       made: app.evaluate.costs), print's separators included
    format_width       widths and precisions in format specs (f"{x:>99999999}")

Side doors, each bounded here before the work: an empty tensor counts its
zero dimensions as one (a (3000, 3000, 0) tensor is 9 M nested lists to
write or `tolist()`); comparisons through Python's protocol (==, <, in, and
list.count, list.index, max and min of lists holding tensors) are bounded by
the broadcast of the arrays they may meet (`compared`); advanced index
assignment, and index_put with its index tensors, are bounded as indexing
is (`index`).

Each refusal is a LimitExceeded naming the limit and its value.

How a tensor result is bounded is the function's `bound` in
app.parse.allowlist. Above a cheap upper bound, the exact result shape comes
from running the same operation on "meta" tensors, which have shapes and
dtypes but no storage: nothing is allocated. Functions of the "meta" bound
(the survey's default) are always shaped so, with torch's default device
set to meta while they are (a Python function that makes a tensor of its
own makes it on meta too); one that torch cannot shape on meta is refused.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from app.errors import LimitExceeded
from app.evaluate import costs, metashape, sizes, valuesizes
from app.evaluate.metashape import cap_numel
from app.evaluate.sizes import piece_count
from app.limits import Limits
from app.parse import allowlist as A

Tensor = torch.Tensor
FORMAT_WIDTH = 100
_DIGITS = re.compile(r"\d+")


RULES = {**sizes.RULES, **valuesizes.RULES}


class Guard:
    __slots__ = ("limits", "steps", "max_steps", "total", "max_elements", "scale")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.steps = 0
        self.max_steps = limits.steps
        self.total = 0
        self.max_elements = limits.tensor_elements
        # Inside torch.func.vmap (and jacfwd, hessian) a tensor the program
        # sees stands for `scale` of them: every size counts that many times.
        self.scale = 1

    @contextlib.contextmanager
    def scaled(self, factor: int) -> Iterator[None]:
        """Sizes count `factor` times over while the block runs (vmap's batch)."""
        saved = self.max_elements, self.scale
        self.scale = saved[1] * max(1, factor)
        self.max_elements = max(1, self.limits.tensor_elements // self.scale)
        try:
            yield
        finally:
            self.max_elements, self.scale = saved

    # -- tensors ------------------------------------------------------------
    def too_big(self, numel: int | float) -> LimitExceeded:
        within = (
            f" (inside a transform over {self.scale:,} items, each of whose tensors "
            "counts for them all)"
            if self.scale > 1
            else ""
        )
        return LimitExceeded(
            "tensor_elements",
            self.limits.tensor_elements,
            f"this would make a tensor of {numel * self.scale:,.0f} elements{within}; "
            f"the limit is {self.limits.tensor_elements:,} elements per tensor",
        )

    def check_numel(self, numel: int | float) -> None:
        if numel > self.max_elements:
            raise self.too_big(numel)

    def count(self, result: Any) -> None:
        """Add the elements a call created (views and in-place results are free).
        An empty result is refused if its dimensions, zeros counted as ones,
        pass tensor_elements: its nested empty lists are that many."""
        if isinstance(result, Tensor):
            if not result.numel():
                self.check_numel(cap_numel(result))
            if result._is_view():
                return
            self.total += result.numel() * self.scale
        elif isinstance(result, list | tuple):
            for item in result:
                if isinstance(item, Tensor):
                    if not item.numel():
                        self.check_numel(cap_numel(item))
                    if not item._is_view():
                        self.total += item.numel() * self.scale
        else:
            return
        if self.total > self.limits.total_elements:
            raise LimitExceeded(
                "total_elements",
                self.limits.total_elements,
                f"the program has created more than {self.limits.total_elements:,} "
                "tensor elements in all",
            )

    def count_items(self, n: int) -> None:
        self.total += n
        if self.total > self.limits.total_elements:
            raise LimitExceeded(
                "total_elements",
                self.limits.total_elements,
                f"the program has created more than {self.limits.total_elements:,} elements in all",
            )

    def bound(
        self,
        kind: str,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        meta: Callable[[list[Any], dict[str, Any]], Any],
    ) -> None:
        """Refuse a call whose result would exceed tensor_elements. `name` picks an
        exact size rule (app.evaluate.sizes); `meta` runs the same operation on
        meta arguments when nothing cheaper can tell."""
        if kind == A.SHRINK:
            return
        if kind == A.BROADCAST:
            self.broadcast([a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)])
            return
        if kind == A.CONCAT:
            total = 0
            for a in args:
                if isinstance(a, list | tuple):
                    total += sum(cap_numel(t) for t in a if isinstance(t, Tensor))
                elif isinstance(a, Tensor):
                    total += cap_numel(a)
            self.check_numel(total)
            return
        if kind == A.DATA:
            self.check_numel(self.data_elements(args[0] if args else None))
            return
        if kind == A.PIECES:
            self.pieces(piece_count(name, args, kwargs))
            return
        if kind == A.INDEX:
            self.index_put(args, kwargs)
            return
        rule = RULES.get(name)
        if kind == A.META:
            exact = None if rule is None else rule(args, kwargs)
            if exact is None:
                self.shaped(name, args, kwargs, meta)
            else:
                self.check_numel(exact)
            return
        if kind == A.MATMUL:
            bound = 1
            for a in (*args, *kwargs.values()):
                if isinstance(a, Tensor):
                    bound *= cap_numel(a)
            if bound <= self.max_elements:
                return
        elif (
            kind == A.GROW
            and rule is None
            and metashape.loose([*args, *kwargs.values()]) <= self.max_elements
        ):
            return
        exact = None if rule is None else rule(args, kwargs)
        if exact is not None:
            self.check_numel(exact)
        else:  # factories read every argument as a number
            self.exact(args, kwargs, meta, scalars_from=0 if kind == A.CREATE else 1)

    def pieces(self, n: int) -> None:
        """Count the `n` tensors a split, chunk or unbind would make as steps."""
        self.steps += n
        if self.steps > self.max_steps:
            raise LimitExceeded(
                "steps",
                self.max_steps,
                f"this would make {n:,} tensors, each counted as a step; a program may take "
                f"{self.max_steps:,} steps (loop iterations, calls and pieces)",
            )

    def broadcast(self, tensors: list[Tensor]) -> None:
        if len(tensors) < 2:
            return
        bound = 1
        for t in tensors:
            bound *= cap_numel(t)
        if bound <= self.max_elements:
            return
        try:
            shape = torch.broadcast_shapes(*(t.shape for t in tensors))  # type: ignore[no-untyped-call]
        except RuntimeError:
            # Not a broadcast (cross_entropy's (N, C) and (N,)): these
            # operations never exceed their largest input.
            return
        self.check_numel(math.prod(shape))

    def exact(
        self,
        args: tuple[Any, ...] | list[Any],
        kwargs: dict[str, Any],
        meta: Callable[[list[Any], dict[str, Any]], Any],
        scalars_from: int = 1,
    ) -> None:
        """Refuse unless the same call on meta arguments makes a small enough
        result (app.evaluate.metashape.exact)."""
        metashape.exact(self, args, kwargs, meta, scalars_from)

    def shaped(
        self,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        meta: Callable[[list[Any], dict[str, Any]], Any],
    ) -> None:
        """The "meta" bound (app.evaluate.metashape.shaped)."""
        metashape.shaped(self, name, args, kwargs, meta)

    def data_elements(self, data: Any) -> int:
        """Elements torch.tensor(data) makes: the product of the nested lengths."""
        n = 1
        depth = 0
        while isinstance(data, list | tuple) and depth < 64:
            n *= len(data)
            if not data:
                return 0
            data = data[0]
            depth += 1
        if isinstance(data, Tensor):
            n *= data.numel()
        elif isinstance(data, np.ndarray | np.generic):
            n *= data.size
        return n

    def index(self, value: Tensor, index: Any) -> None:
        """Advanced indexing makes as many elements as its index tensors broadcast to."""
        items = index if isinstance(index, tuple) else (index,)
        bound = 0
        for item in items:
            if isinstance(item, Tensor) and item.dtype != torch.bool:
                bound = max(bound, 1) * cap_numel(item)
            elif isinstance(item, np.ndarray) and item.dtype != np.bool_:
                bound = max(bound, 1) * max(1, item.size)
            elif isinstance(item, list):
                bound = max(bound, 1) * max(1, self.data_elements(item))
        if bound and bound * cap_numel(value) > self.max_elements:
            self.exact([value], {"index": index}, lambda a, k: a[0][k["index"]])

    def index_put(self, args: list[Any], kwargs: dict[str, Any]) -> None:
        """index_put(input, indices, values): its index tensors write as many
        positions as `input[indices]` reads (and the values, and their
        gradient, expand to that shape), so they are bounded as that is."""
        target = args[0] if args else kwargs.get("input")
        indices = args[1] if len(args) > 1 else kwargs.get("indices")
        if isinstance(target, Tensor) and isinstance(indices, list | tuple):
            self.index(target, tuple(indices))

    # -- Python values ------------------------------------------------------
    def int_result(self, value: int) -> int:
        if value.bit_length() > self.limits.int_bits:
            raise self.int_too_big(value.bit_length())
        return value

    def int_too_big(self, bits: float) -> LimitExceeded:
        return LimitExceeded(
            "int_bits",
            self.limits.int_bits,
            f"this integer would have about {bits:,.0f} bits; "
            f"the limit is {self.limits.int_bits:,} bits",
        )

    def int_power(self, base: int, exponent: int) -> None:
        if exponent <= 0 or abs(base) <= 1:
            return
        bits = exponent * math.log2(abs(base))
        if bits > self.limits.int_bits:
            raise self.int_too_big(bits)

    def int_product(self, a: int, b: int) -> None:
        if a.bit_length() + b.bit_length() > self.limits.int_bits + 1:
            raise self.int_too_big(a.bit_length() + b.bit_length())

    def int_shift(self, a: int, b: int) -> None:
        if a and b > 0 and a.bit_length() + b > self.limits.int_bits:
            raise self.int_too_big(a.bit_length() + b)

    def sequence(self, n: int) -> None:
        if n > self.limits.sequence_length:
            raise LimitExceeded(
                "sequence_length",
                self.limits.sequence_length,
                f"this would make a sequence of {n:,} items; "
                f"the limit is {self.limits.sequence_length:,}",
            )

    def new_sequence(self, n: int) -> None:
        self.sequence(n)
        self.count_items(n)

    def render(self, value: Any, conversion: str = "s") -> None:
        """Refuse str()/print() of a value whose text would exceed sequence_length.

        The count is the text's: a string alone is its own text (`print(s)`,
        `str(s)`, `f"{s}"`), or its repr with the "r" or "a" `conversion`
        (`f"{s!r}"`, `%r`); inside a list, tuple or dict it is its repr
        (quotes and escapes), and the brackets, ", " and ": " are counted
        as Python writes them.

        Nested lists can share their items ([[0]*10**5]*10**5 is small in
        memory and 10**10 items as text): the walk counts every occurrence,
        as the text would, and stops as soon as it is too much. A list that
        contains itself prints as [...], so only the current path is tracked.
        A number's text is made and measured; each other value counts the
        most its text can be (costs.text_bounds), and one that might pass
        the limit, but need not, is made and measured.
        """
        budget = self.limits.sequence_length
        quote = ascii if conversion == "a" else repr
        if isinstance(value, str):
            self.sequence(len(value) if conversion == "s" else len(quote(value)))
            return
        used = 0
        path: set[int] = set()
        stack: list[tuple[Any, bool]] = [(value, False)]
        while stack:
            item, leaving = stack.pop()
            if leaving:
                path.discard(id(item))
                continue
            if isinstance(item, str):
                # Each repr is made only while the count is within the
                # limit, and adds at least its length: at most the limit's
                # worth of them, and one more.
                used += len(quote(item))
            elif item is None or isinstance(item, int | float | complex):
                # A few digits at most (int_bits); alone, its str() (a NumPy
                # scalar's repr is longer).
                alone = item is value and conversion == "s"
                used += len(str(item) if alone else repr(item))
            elif not isinstance(item, list | tuple | dict):
                low, high = costs.text_bounds(item)
                if used + low > budget:
                    self.sequence(used + low)
                if used + high > budget:
                    high = costs.text_length(item)
                used += high
            elif id(item) in path:
                used += 5  # [...], (...) or {...}
            else:
                used += _punctuation(item)
                if used > budget:
                    self.sequence(used)
                path.add(id(item))
                stack.append((item, True))
                if isinstance(item, dict):
                    stack.extend((part, False) for pair in item.items() for part in pair)
                else:
                    stack.extend((child, False) for child in item)
            if used > budget:
                self.sequence(used)

    def text(self, parts: list[str], sep: str = "", end: str = "") -> None:
        """Refuse text joined from `parts` (print's, with its sep and end) past
        sequence_length, before it is joined."""
        size = sum(len(p) for p in parts) + len(sep) * max(0, len(parts) - 1) + len(end)
        self.sequence(size)

    def compared(self, *operands: Any) -> None:
        """Refuse a comparison through Python's protocol (==, <, in; list.count,
        list.index, max, min) whose operands may meet tensors (or arrays) that
        broadcast past tensor_elements (costs.array_shapes). A plain number
        or string among two operands broadcasts nothing."""
        if len(operands) == 2 and any(costs.is_scalar(o) for o in operands):
            return
        bound = costs.broadcast_bound(costs.array_shapes(operands))
        if bound > self.max_elements:
            raise LimitExceeded(
                "tensor_elements",
                self.max_elements,
                f"comparing these values could make a tensor of {bound:,} elements; "
                f"the limit is {self.max_elements:,} elements per tensor",
            )

    def format_spec(self, spec: str) -> None:
        for digits in _DIGITS.findall(spec):
            if len(digits) > 3 or int(digits) > FORMAT_WIDTH:
                raise LimitExceeded(
                    "format_width",
                    FORMAT_WIDTH,
                    f"the format spec {spec[:20]!r} asks for a width or precision above "
                    f"{FORMAT_WIDTH}",
                )


def _punctuation(container: list[Any] | tuple[Any, ...] | dict[Any, Any]) -> int:
    """The characters str() of a container writes besides its items: the
    brackets, ", " between items, ": " in each pair of a dict, the comma of
    a one-item tuple."""
    n = len(container)
    between = 2 * max(0, n - 1)
    if isinstance(container, dict):
        return 2 + between + 2 * n
    if isinstance(container, tuple) and n == 1:
        return 3
    return 2 + between
