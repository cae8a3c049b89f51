"""Python's strings: their methods, `str.format` and `%`-formatting, bounded.

A string a method would make is bounded before it is made (sequence_length:
`join`, `replace`, the padding methods), and so is each piece a format
makes: widths and precisions in format specs stay under FORMAT_WIDTH
(`"{:100000000}".format(1)` and `"%100000000d" % 1` are limits, `*` widths
included), and a value is rendered only once its text is known to fit.

A replacement field of `str.format` may name a position or a keyword, never
an attribute or an item (`"{0.__class__}"`, `"{0[0]}"`: refused), so a
format string, which may come from the program's data, reaches nothing the
program could not name itself. `%(key)s` reads the key of the dict given,
as Python does.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Callable
from typing import Any

from app.errors import NotAllowed
from app.evaluate.machine import Machine
from app.evaluate.values import shown

_CONVERSIONS: dict[str, Callable[[Any], str]] = {"s": str, "r": repr, "a": ascii}
# A numeric directive's text at most: an int of int_bits (4,096 bits: 1,234
# digits) or a float's 309 digits, besides its width and precision.
_NUMBER_TEXT = 1_300


def _refuse(m: Machine, node: ast.AST, message: str) -> NotAllowed:
    line, column = m.position(node)
    return NotAllowed(message, line=line, column=column)


def render(m: Machine, value: Any, conversion: str = "s") -> str:
    """str(), repr() or ascii() of a value, bounded first, addresses made deterministic."""
    m.guard.render(value, conversion)
    return shown(value, _CONVERSIONS[conversion](value), m.addresses)


# -- str.format ---------------------------------------------------------------
class _Numbering:
    __slots__ = ("next", "auto", "manual")

    def __init__(self) -> None:
        self.next = 0
        self.auto = False
        self.manual = False


def format_string(
    m: Machine, text: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> str:
    return _format(m, text, args, kwargs, node, _Numbering(), 2)


def _format(
    m: Machine,
    text: str,
    args: list[Any],
    kwargs: dict[str, Any],
    node: ast.AST,
    numbering: _Numbering,
    depth: int,
) -> str:
    if depth < 0:
        raise ValueError("Max string recursion exceeded")
    parts: list[str] = []
    size = 0
    for literal, field, spec, conversion in string.Formatter().parse(text):
        parts.append(literal)
        size += len(literal)
        if field is None:
            continue
        value = _field(m, field, args, kwargs, node, numbering)
        if spec and "{" in spec:
            spec = _format(m, spec, args, kwargs, node, numbering, depth - 1)
        m.guard.format_spec(spec or "")
        if conversion:
            if conversion not in _CONVERSIONS:
                raise ValueError(f"Unknown conversion specifier {conversion}")
            value = render(m, value, conversion)
        else:
            m.guard.render(value)
        parts.append(shown(value, format(value, spec or ""), m.addresses))
        size += len(parts[-1])
        m.guard.sequence(size)  # before the next field is made, as f-strings are
    m.guard.sequence(size)
    return "".join(parts)


def _field(
    m: Machine,
    field: str,
    args: list[Any],
    kwargs: dict[str, Any],
    node: ast.AST,
    numbering: _Numbering,
) -> Any:
    if field == "":
        if numbering.manual:
            raise ValueError(
                "cannot switch from manual field specification to automatic field numbering"
            )
        numbering.auto = True
        index = numbering.next
        numbering.next += 1
        if index >= len(args):
            raise IndexError(f"Replacement index {index} out of range for positional args tuple")
        return args[index]
    if field.isdigit():
        if numbering.auto:
            raise ValueError(
                "cannot switch from automatic field numbering to manual field specification"
            )
        numbering.manual = True
        index = int(field)
        if index >= len(args):
            raise IndexError(f"Replacement index {index} out of range for positional args tuple")
        return args[index]
    if field.isidentifier():
        if field not in kwargs:
            raise KeyError(field)
        return kwargs[field]
    raise _refuse(
        m,
        node,
        f"a format field may only be a position or a name, not {field[:30]!r}: "
        "attribute and item lookups are not allowed in format strings",
    )


# -- % ------------------------------------------------------------------------
_DIRECTIVE = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[#0\- +]*)(?P<width>\*|\d+)?"
    r"(?:\.(?P<precision>\*|\d*))?[hlL]?(?P<kind>.)?",
    re.S,
)


def percent(m: Machine, text: str, values: Any, node: ast.AST) -> str:
    """`text % values`, as Python computes it, with every width bounded first.

    The format is rewritten with positional directives only, each value
    looked up (by key or position) and, for %s/%r/%a, rendered here; then
    Python's own `%` puts them together."""
    mapping = values if isinstance(values, dict) else None
    positional = list(values) if isinstance(values, tuple) else [values]
    used = 0
    out: list[str] = []
    pieces: list[Any] = []
    bound = 0  # the most the directives write, besides the literal text
    end = 0
    for match in _DIRECTIVE.finditer(text):
        out.append(text[end : match.start()])
        bound += match.start() - end
        end = match.end()
        kind = match["kind"]
        if kind is None:
            raise ValueError("incomplete format")
        if kind == "%" and not (match["key"] or match["flags"] or match["width"]):
            out.append("%%")
            bound += 1
            continue
        sizes = []
        for part in ("width", "precision"):
            given = match[part]
            if given == "*":
                if mapping is not None or used >= len(positional):
                    raise TypeError("* wants int")
                star = positional[used]
                used += 1
                if not isinstance(star, int) or isinstance(star, bool):
                    raise TypeError("* wants int")
                given = str(abs(star))
                pieces.append(star)
            sizes.append(int(given) if given else 0)
            m.guard.format_spec(given or "")
        if match["key"] is not None:
            if mapping is None:
                raise TypeError("format requires a mapping")
            value = mapping[match["key"]]
        else:
            if used >= len(positional):
                raise TypeError("not enough arguments for format string")
            value = positional[used]
            used += 1
        if kind in _CONVERSIONS:
            value = render(m, value, kind)
            bound += len(value)
        else:
            bound += _NUMBER_TEXT
        bound += sum(sizes)
        pieces.append(value)
        star_width = "*" if match["width"] == "*" else (match["width"] or "")
        precision = match["precision"]
        dot = "" if precision is None else "." + precision
        out.append(f"%{match['flags']}{star_width}{dot}{'s' if kind in 'ra' else kind}")
    out.append(text[end:])
    if mapping is None and used < len(positional):
        raise TypeError("not all arguments converted during string formatting")
    bound += len(text) - end
    m.guard.sequence(bound)
    return "".join(out) % tuple(pieces)


# -- methods ------------------------------------------------------------------
def _padded(m: Machine, value: str, width: Any) -> None:
    if isinstance(width, int) and not isinstance(width, bool):
        m.guard.new_sequence(max(len(value), width))


def method(
    m: Machine, value: str, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST
) -> Any:
    """A str method, its result bounded before it is made."""
    if name == "format":
        return format_string(m, value, args, kwargs, node)
    if name == "join":
        from app.evaluate.builtins import items  # the bounded list of an iterable

        if len(args) != 1 or kwargs:
            raise TypeError("join() takes exactly one argument")
        pieces = items(m, args[0], node)
        for index, piece in enumerate(pieces):
            if not isinstance(piece, str):
                raise TypeError(
                    f"sequence item {index}: expected str instance, {type(piece).__name__} found"
                )
        m.guard.new_sequence(sum(len(p) for p in pieces) + len(value) * max(0, len(pieces) - 1))
        return value.join(pieces)
    if name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        old, new = args[0], args[1]
        found = value.count(old) if old else len(value) + 1
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        if isinstance(count, int) and count >= 0:
            found = min(found, count)
        m.guard.new_sequence(len(value) + found * max(0, len(new) - len(old)))
    elif name in ("ljust", "rjust", "center", "zfill") and args:
        _padded(m, value, args[0])
    result = getattr(value, name)(*args, **kwargs)
    if isinstance(result, list):
        m.guard.count_items(len(result))
    return result
