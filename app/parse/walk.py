"""The base of the allowlist walk: dispatch, depth limit, names, refusals.

`Walk.visit` dispatches each node to the handler registered for its class
in `VISIT` (filled by app.parse.checker) and refuses every other node type;
it counts depth as it goes and stops past `limits.nesting_depth`, so the
walk itself can never overflow the stack. `Found` is what the walk leaves
for the whole-program checks of app.parse.names.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.errors import LimitExceeded, NotAllowed, SourceSyntaxError
from app.limits import Limits
from app.parse import allowlist as A
from app.parse.classes import ClassWalk
from app.parse.program import Program

# Node types refused outright, with what to do instead.
REFUSED: dict[type[ast.AST], str] = {
    ast.NamedExpr: "the walrus operator := is not allowed; assign on a line of its own",
    ast.Set: "sets are not available; use a list or a tuple",
    ast.SetComp: "set comprehensions are not allowed; use a list comprehension",
    ast.Starred: "star arguments and star unpacking (*x, **x) are not allowed",
    ast.Await: "async code is not allowed",
    ast.Yield: "generators (yield) are not allowed; return a list",
    ast.YieldFrom: "generators (yield from) are not allowed; return a list",
    ast.AsyncFunctionDef: "async code is not allowed",
    ast.AsyncFor: "async code is not allowed",
    ast.AsyncWith: "async code is not allowed",
    ast.Global: "global is not allowed; pass values as arguments and return results",
    ast.Nonlocal: "nonlocal is not allowed; pass values as arguments and return results",
    ast.Raise: "raise is not allowed",
    ast.Match: "match statements are not allowed; use if/elif",
    ast.TryStar: "except* is not allowed",
}


@dataclass
class Found:
    """What the walk leaves for the whole-program checks (app.parse.names)."""

    # Names bound by anything but an import (assignments, for targets,
    # parameters, def names, except names), anywhere in the program.
    bound: set[str] = field(default_factory=set)
    # alias -> what the imports bound it to ("torch.nn.functional", "math:sqrt").
    imports: dict[str, set[str]] = field(default_factory=dict)
    # Every Name read, in walk order.
    loads: list[ast.Name] = field(default_factory=list)
    # Attribute chains rooted at a Name: (outermost Attribute, root, attrs).
    chains: list[tuple[ast.Attribute, ast.Name, list[ast.Attribute]]] = field(default_factory=list)
    # Calls with keyword arguments whose callee is a Name or a Name's chain.
    calls: list[ast.Call] = field(default_factory=list)
    function_locals: dict[ast.FunctionDef | ast.Lambda, frozenset[str]] = field(
        default_factory=dict
    )


# Expression nodes whose children are all plain expressions, by field.
FIELDS: dict[type[ast.AST], tuple[str, ...]] = {
    ast.BoolOp: ("values",),
    ast.BinOp: ("left", "right"),
    ast.UnaryOp: ("operand",),
    ast.IfExp: ("test", "body", "orelse"),
    ast.Compare: ("left", "comparators"),
    ast.FormattedValue: ("value", "format_spec"),
    ast.JoinedStr: ("values",),
    ast.Subscript: ("value", "slice"),
    ast.List: ("elts",),
    ast.Tuple: ("elts",),
    ast.Slice: ("lower", "upper", "step"),
    ast.keyword: ("value",),
}
# The handler of each allowed node type, (walk, node) -> None; filled by
# app.parse.checker. Anything else is refused.
VISIT: dict[type[ast.AST], Callable[[Any, Any], None]] = {}


class Walk:
    def __init__(self, program: Program, limits: Limits) -> None:
        self.program = program
        self.max_depth = limits.nesting_depth
        self.int_bits = limits.int_bits
        self.depth = 0
        self.loop_depth = 0
        self.frames: list[set[str]] = []  # names bound by each enclosing def
        self.found = Found()
        self.classes = ClassWalk()  # the program's classes (app.parse.classes)

    # -- plumbing -----------------------------------------------------------
    def refuse(self, node: ast.AST, message: str) -> NotAllowed:
        line, column = self.program.position(node)
        return NotAllowed(message, line=line, column=column)

    def refuse_attribute(self, node: ast.Attribute, message: str) -> NotAllowed:
        """A refusal pointing at the attribute's name, not at its whole chain."""
        line, _, end_line, end_column = self.program.extent(node)
        column = max(1, end_column - len(node.attr))
        return NotAllowed(message, line=end_line, column=column)

    def syntax(self, node: ast.AST, message: str) -> SourceSyntaxError:
        line, column = self.program.position(node)
        return SourceSyntaxError(message, line=line, column=column)

    def visit(self, node: ast.AST) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            line, column = self.program.position(node)
            raise LimitExceeded(
                "nesting_depth",
                self.max_depth,
                f"the program is nested more than {self.max_depth} levels deep",
                line=line,
                column=column,
            )
        handler = VISIT.get(node.__class__)
        if handler is None:
            message = REFUSED.get(type(node)) or f"{type(node).__name__} is not allowed"
            raise self.refuse(node, message)
        handler(self, node)
        self.depth -= 1

    def visit_all(self, nodes: list[ast.stmt] | list[ast.expr]) -> None:
        for node in nodes:
            self.visit(node)

    def _binary(self, node: ast.AST) -> None:
        # BinOp, BoolOp, Compare, UnaryOp, IfExp, Subscript, ... without the
        # generic field walk: these run on every keystroke.
        for name in FIELDS[node.__class__]:
            value = getattr(node, name)
            if isinstance(value, list):
                for item in value:
                    self.visit(item)
            elif value is not None:
                self.visit(value)

    def _nothing(self, node: ast.AST) -> None:
        pass

    def check_name(self, node: ast.AST, name: str, store: bool = False) -> None:
        if name.startswith("_") and not (store and name == "_"):
            if name in A.READ_DUNDERS and not store:
                return  # `__name__` and `torch.__version__`: read, never assigned
            if isinstance(node, ast.Attribute):
                raise self.refuse_attribute(
                    node,
                    f"the attribute .{name} is not allowed: names starting with _ are reserved",
                )
            raise self.refuse(
                node, f"the name {name!r} is not allowed: names starting with _ are reserved"
            )

    def bind(self, node: ast.AST, name: str) -> None:
        self.check_name(node, name, store=True)
        self.found.bound.add(name)
        if self.frames:
            self.frames[-1].add(name)

    def bind_import(self, node: ast.AST, name: str, meaning: str) -> None:
        self.check_name(node, name, store=True)
        self.found.imports.setdefault(name, set()).add(meaning)
        if self.frames:
            self.frames[-1].add(name)


def require_attribute(checker: Walk, node: ast.Attribute) -> None:
    """`.attr` on a value whose type is unknown before the run."""
    if node.attr not in A.ATTRIBUTE_NAMES and node.attr not in checker.classes.attributes:
        hint = A.ATTRIBUTE_HINTS.get(node.attr)
        message = f"the attribute .{node.attr} is not available"
        raise checker.refuse_attribute(node, f"{message}; {hint}" if hint else message)


def method_kwargs(checker: Walk, name: str) -> frozenset[str] | None:
    """The keywords `.name(...)` accepts on a value whose type is unknown before
    the run: any, for a method or attribute of the program's own classes (the
    interpreter binds them as Python does)."""
    if name in checker.classes.attributes:
        return None
    return A.METHOD_KWARGS.get(name, frozenset())


def check_keywords(
    checker: Walk, node: ast.Call, allowed: frozenset[str] | None, what: str
) -> None:
    if allowed is None:
        return
    for keyword in node.keywords:
        if keyword.arg not in allowed:
            accepted = ", ".join(sorted(allowed)) if allowed else "no keyword arguments"
            raise checker.refuse(
                keyword,
                f"{what} does not accept the keyword argument {keyword.arg}= here "
                f"(accepted: {accepted})",
            )
