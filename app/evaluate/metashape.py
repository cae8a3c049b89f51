"""Result sizes told by torch itself: the same call on "meta" tensors.

A meta tensor has a shape and a dtype but no storage, so running an
operation on meta twins of its arguments makes nothing and says how large
its result would be. app.evaluate.guards asks here when no cheaper rule can
tell: `exact` for the bounds that have a generous upper bound to fall back
on, `shaped` for the "meta" bound (the survey's default), where a call torch
cannot shape on meta is refused. While the meta call runs, torch's default
device is meta, so a Python function that makes a tensor of its own makes
it on meta too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import torch

from app.errors import NotAllowed

if TYPE_CHECKING:
    from app.evaluate.guards import Guard

Tensor = torch.Tensor


def cap_numel(t: Tensor) -> int:
    """numel with every 0 dimension counted as 1: (10**6, 0) @ (0, 10**6) is big."""
    n = t.numel()
    return n if n else math.prod(max(1, d) for d in t.shape)


def to_meta(value: Any, scalars: bool) -> Any:
    """A meta twin of an argument. With `scalars`, a 0-d tensor becomes its number:
    a size given as torch.tensor(10**9) must size the meta result too."""
    if isinstance(value, Tensor):
        if scalars and value.dim() == 0:
            return value.item()
        return value.detach().to("meta")
    if isinstance(value, list | tuple) and any(isinstance(v, Tensor) for v in value):
        return type(value)(to_meta(v, scalars) for v in value)
    return value


def numel_of(result: Any) -> int:
    """Elements of a result, a zero dimension counted as one: an empty tensor
    of (3000, 3000, 0) is 9 M nested lists when written or listed."""
    if isinstance(result, Tensor):
        return cap_numel(result)
    if isinstance(result, list | tuple):
        return max((numel_of(r) for r in result), default=0)
    return 0


def loose(values: Iterable[Any]) -> float:
    """A deliberately generous product of every size-like argument."""
    bound = 1.0
    for value in values:
        if isinstance(value, Tensor):
            if value.dim() == 0 and not value.is_complex():
                value = value.item()  # a size or a bound given as a tensor
            else:
                bound *= cap_numel(value) + 1
                continue
        if isinstance(value, Tensor):
            continue
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and math.isfinite(value):
            bound *= abs(value) + 1
        elif isinstance(value, list | tuple):
            bound *= loose(value)
    return bound


def exact(
    guard: Guard,
    args: tuple[Any, ...] | list[Any],
    kwargs: dict[str, Any],
    meta: Callable[[list[Any], dict[str, Any]], Any],
    scalars_from: int = 1,
) -> None:
    """Refuse unless the same call on meta arguments makes a small enough result.
    Arguments from position `scalars_from` on (and keywords) that are 0-d
    tensors are passed as numbers: they are sizes, not data."""
    failure: Exception | None = None
    try:
        meta_args = [to_meta(a, i >= scalars_from) for i, a in enumerate(args)]
        meta_kwargs = {k: to_meta(v, True) for k, v in kwargs.items()}
        result = meta(meta_args, meta_kwargs)
    except NotImplementedError:
        failure = None
    except (RuntimeError, TypeError, ValueError, IndexError) as error:
        failure = error
    else:
        guard.check_numel(numel_of(result))
        return
    # No meta kernel, or arguments torch refuses: the real call may run
    # (and raise torch's own message) only when even a generous bound fits.
    generous = loose([*args, *kwargs.values()])
    if generous <= guard.max_elements:
        return
    if failure is not None:
        raise failure
    raise guard.too_big(generous)


def shaped(
    guard: Guard,
    name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    meta: Callable[[list[Any], dict[str, Any]], Any],
) -> None:
    """The "meta" bound: the call on meta arguments must tell the result's
    size, and it must fit. Sizes given as 0-d tensors are read as numbers
    when the call cannot read them on meta."""
    failure: Exception | None = None
    for scalars in (False, True):
        try:
            meta_args = [to_meta(a, scalars and i >= 1) for i, a in enumerate(args)]
            meta_kwargs = {k: to_meta(v, scalars) for k, v in kwargs.items()}
            with torch.device("meta"):
                result = meta(meta_args, meta_kwargs)
        except NotImplementedError as error:
            failure = error
        except (RuntimeError, TypeError, ValueError, IndexError) as error:
            failure = error
        else:
            guard.check_numel(numel_of(result))
            return
    assert failure is not None
    text = str(failure)
    if isinstance(failure, NotImplementedError) or "meta" in text.lower():
        raise NotAllowed(
            f"{name}() cannot be sized before it runs with these arguments "
            "(torch has no shape rule for them), so it is not run"
        )
    # torch refuses these arguments: the real call may say so in its own
    # words when even a generous bound fits, else the meta call's words.
    if loose([*args, *kwargs.values()]) <= guard.max_elements:
        return
    raise failure
