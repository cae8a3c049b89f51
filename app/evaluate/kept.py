"""Which gradients torch itself keeps, and which only the visualizer shows.

torch fills `.grad` of a leaf that requires grad, and of a non-leaf tensor
only after `retain_grad()`; every other gradient the answer shows was caught
by our hooks during the backward pass (tracking.py), and `t.grad` is None in
the program (`print(a.grad)` prints None, with torch's warning). SPEC.md
section 1: each gradient says which it is, so the page never contradicts
what the program prints.

A second way the page and `print(x.grad)` can disagree: the loop lesson's
`x` names the leaf in the table (a tensor is named by the first name it was
bound to), while `x` at the end of the program is the loop's last product,
whose `.grad` is another (None). `rebound` says so, with the line that made
what the name holds at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import torch

from app.evaluate.result import Origin

Kept = Literal["leaf", "retain_grad", "visualizer"]


@dataclass(frozen=True, slots=True)
class Keeping:
    """Where a gradient lives: `kept` says who keeps it (torch, as a leaf's
    `.grad` or after `retain_grad()`, or only the visualizer); `rebound`,
    whether the name means another value at the end of the program, made on
    `rebound_line` (None if unknown: not a tensor, or made by no line)."""

    kept: Kept
    rebound: bool = False
    rebound_line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kept": self.kept, "rebound": self.rebound, "rebound_line": self.rebound_line}


def kept_by(tensor: torch.Tensor) -> Kept:
    """Who keeps this tensor's gradient after backward()."""
    if tensor.grad_fn is None:
        return "leaf"
    return "retain_grad" if tensor.retains_grad else "visualizer"


def keepings(
    names: Mapping[str, torch.Tensor],
    final: Mapping[str, Any],
    tensor_origins: Mapping[int, Origin],
    node_origins: Mapping[Any, Origin],
) -> dict[str, Keeping]:
    """A Keeping for each named tensor; `final` holds the program's globals at
    its end (a name not among them, a function's local, is not rebound)."""
    found: dict[str, Keeping] = {}
    for name, tensor in names.items():
        now = final.get(name, tensor)
        if now is tensor:
            found[name] = Keeping(kept_by(tensor))
            continue
        origin: Origin | None = None
        if isinstance(now, torch.Tensor):
            origin = tensor_origins.get(id(now))
            if origin is None and now.grad_fn is not None:
                origin = node_origins.get(now.grad_fn)
        line = origin.span.line if origin is not None else None
        found[name] = Keeping(kept_by(tensor), rebound=True, rebound_line=line)
    return found
