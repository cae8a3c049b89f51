"""Words for a value or gradient that is not a finite number.

Thirty iterations of the notebook's `x = x*(x+1)` outgrow float32 (its
largest number is about 3.4e38): the value is inf, the gradient inf, and the
answer said nothing; a student took inf for a result. The answer's warnings
now say which numbers are inf or nan and what to try.
"""

from __future__ import annotations

from typing import Any

import torch

FLOAT_MAX = {torch.float16: "6.6e4", torch.bfloat16: "3.4e38", torch.float32: "3.4e38"}


def _state(t: torch.Tensor) -> str | None:
    """ "inf", "nan" or None, for a floating tensor's elements."""
    if not t.is_floating_point() or t.numel() == 0:
        return None
    t = t.detach()
    if bool(torch.isnan(t).any()):
        return "nan"
    if bool(torch.isinf(t).any()):
        return "inf"
    return None


def _advice(t: torch.Tensor, state: str) -> str:
    if state == "nan":
        return (
            "nan comes from an operation without a number for an answer: the sqrt or log of "
            "a negative number, 0 / 0, inf - inf"
        )
    largest = FLOAT_MAX.get(t.dtype)
    if largest is None:
        return "the numbers outgrew the dtype"
    return (
        f"the numbers outgrew {str(t.dtype).removeprefix('torch.')} (its largest is about "
        f"{largest}): use dtype=torch.float64, or fewer iterations"
    )


def non_finite_notes(output: Any, name: str | None, gradients: dict[str, Any]) -> list[str]:
    """Warnings for an output or gradients holding inf or nan."""
    notes = []
    if isinstance(output, torch.Tensor):
        state = _state(output)
        if state is not None:
            notes.append(
                f"The value of {name or 'the output'} holds {state}: {_advice(output, state)}."
            )
    bad = [(n, g, s) for n, g in gradients.items() if g is not None and (s := _state(g))]
    if bad:
        names = ", ".join(n for n, _, _ in bad[:5]) + (", ..." if len(bad) > 5 else "")
        _, grad, state = bad[0]
        notes.append(f"The gradient of {names} holds {state}: {_advice(grad, state)}.")
    return notes
