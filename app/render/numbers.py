"""Short texts for values and gradients in labels: read at a glance.

Input is the JSON-safe value from the graph model (a number, one of the
strings "nan"/"inf"/"-inf", or nested lists of those). Numbers keep 6
significant digits, as the page's tables do (a node showed 1.851 where the
table said 1.85099), scalars and the elements of tensors alike; tensors of
up to `WHOLE` elements are printed whole, bigger ones as their first
elements and `…`.
"""

from __future__ import annotations

from typing import Any

WHOLE = 5  # elements printed whole in a node label
MAX_CHARS = 40  # no label line longer than this
DIGITS = 6  # significant digits of a number, as the page prints them


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = f"{value:.{DIGITS}g}"
        if "e" in text:  # as the page's table writes it: 4.262e-9, not 4.262e-09
            mantissa, exponent = text.split("e")
            return f"{mantissa}e{int(exponent)}"
        # 5.0 stays "5.0": a float reads as a float.
        return text + ".0" if text.lstrip("-").isdigit() else text
    return str(value)


def count(value: Any) -> int:
    """Elements of a nested list (1 for a scalar)."""
    if not isinstance(value, list):
        return 1
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        for sub in item:
            if isinstance(sub, list):
                stack.append(sub)
            else:
                total += 1
    return total


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list):
        depth += 1
        value = value[0] if value else None
    return depth


def _flat(value: Any, limit: int) -> list[Any]:
    """The first `limit` elements of a nested list, in order."""
    found: list[Any] = []
    stack: list[Any] = [value]
    while stack and len(found) < limit:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            found.append(item)
    return found


def _whole(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_whole(v) for v in value) + "]"
    return scalar(value)


def short(value: Any, whole: int = WHOLE) -> str | None:
    """A label text for a value or gradient, or None when there is none."""
    if value is None:
        return None
    if not isinstance(value, list):
        text = scalar(value)
    elif count(value) <= whole:
        text = _whole(value)
    else:
        depth = _depth(value)
        head = ", ".join(scalar(v) for v in _flat(value, 3))
        text = "[" * depth + head + ", …" + "]" * depth
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 1] + "…"
    return text


def shape_text(shape: tuple[int, ...] | None) -> str:
    """`(2, 3)`, `(5)`, `()` as make_dot writes shapes."""
    if shape is None:
        return ""
    return "(" + ", ".join(str(v) for v in shape) + ")"
