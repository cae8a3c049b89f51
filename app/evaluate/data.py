"""torch.utils.data's TensorDataset and DataLoader as a program uses them.

Both are torch's own (the table: app.parse.allowlist.data). A DataLoader
is made with the program's TensorDataset only, `num_workers=0` only, and no
callable of the program's: iterating it runs torch's single-process
iterator here, in the evaluation process. Each batch is torch's collation
(a `torch.stack` of the items), counted toward the element limits as it is
made; the for loop counts a step per batch. Shuffling draws from the default
generator, seeded by the evaluator before the first draw, so the batches are
the same on every run (and the same as Python's after torch.manual_seed).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, TensorDataset

from app.errors import NotAllowed
from app.evaluate.kinds import CALLERS, ValueKind, register
from app.evaluate.machine import Machine
from app.evaluate.values import Function
from app.parse.allowlist.data import (
    DATASET,
    DATASET_ATTRIBUTES,
    LOADER_ATTRIBUTES,
    LOADER_POSITIONAL,
)

Tensor = torch.Tensor


def _refuse(m: Machine, node: ast.AST, message: str) -> NotAllowed:
    line, column = m.position(node)
    return NotAllowed(message, line=line, column=column)


def make(m: Machine, fn: Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
    """CALLERS["data"]: a TensorDataset or a DataLoader made by the program."""
    if fn.entry.special == DATASET:
        if not all(isinstance(a, Tensor) for a in args):
            raise TypeError("TensorDataset takes tensors")
        return TensorDataset(*args)  # torch checks the sizes; the tensors are the program's
    if len(args) > LOADER_POSITIONAL:
        raise _refuse(
            m, node, "DataLoader takes the dataset, batch_size and shuffle by position here"
        )
    dataset = args[0] if args else kwargs.get("dataset")
    if not isinstance(dataset, TensorDataset):
        raise _refuse(m, node, "a DataLoader here loads a TensorDataset of the program's tensors")
    if kwargs.get("num_workers", 0) != 0:
        raise _refuse(m, node, "a DataLoader here has num_workers=0: it loads in this process")
    return DataLoader(*args, **kwargs)


CALLERS["data"] = make


class DatasetKind(ValueKind):
    label = "datasets"

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in DATASET_ATTRIBUTES:
            return value.tensors
        raise AttributeError(f"'TensorDataset' object has no attribute '{attr}'")

    def get_item(self, m: Machine, value: Any, index: Any, node: ast.AST) -> Any:
        if not isinstance(index, int):  # a slice or a tensor would index every tensor alike
            raise TypeError("a TensorDataset is indexed by one integer here")
        return m.made(value[index], node)

    def length(self, m: Machine, value: Any) -> int:
        return len(value)

    def iterate(self, m: Machine, value: Any, node: ast.AST) -> Iterator[Any]:
        m.guard.sequence(len(value))
        return (m.made(value[i], node) for i in range(len(value)))


class LoaderKind(ValueKind):
    label = "data loaders"

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in LOADER_ATTRIBUTES:
            return getattr(value, attr)
        raise _refuse(m, node, f".{attr} is not available on data loaders")

    def length(self, m: Machine, value: Any) -> int:
        return len(value)

    def iterate(self, m: Machine, value: Any, node: ast.AST) -> Iterator[Any]:
        m.guard.sequence(len(value))
        m.seed()  # shuffling draws a seed from the default generator
        return (m.made(batch, node) for batch in value)


register(TensorDataset, DatasetKind())
register(DataLoader, LoaderKind())
