"""The allowlist walk over the tree: every node type, name, attribute and keyword.

One recursive pass over the tree, depth-limited (so it can never overflow
the stack), refuses what is never allowed on sight: node types outside the
language, names and attributes starting with `_`, attributes no value has,
star arguments, `return` outside a function. It also collects what it can
only judge once the whole program is seen (does the program bind `torch`
itself? does it define `eval`?) and hands that to app.parse.names.

Every refusal is a NotAllowed (or SourceSyntaxError / LimitExceeded) with
the 1-based line and character column of the offending node.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.errors import LimitExceeded, NotAllowed, SourceSyntaxError
from app.limits import Limits
from app.parse import allowlist as A
from app.parse.program import Program

# Node types refused outright, with what to do instead.
REFUSED: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda is not allowed; define a function with def",
    ast.NamedExpr: "the walrus operator := is not allowed; assign on a line of its own",
    ast.Set: "sets are not available; use a list or a tuple",
    ast.SetComp: "set comprehensions are not allowed; use a list comprehension",
    ast.DictComp: "dict comprehensions are not allowed; fill the dict in a for loop",
    ast.Starred: "star arguments and star unpacking (*x, **x) are not allowed",
    ast.Await: "async code is not allowed",
    ast.Yield: "generators (yield) are not allowed; return a list",
    ast.YieldFrom: "generators (yield from) are not allowed; return a list",
    ast.ClassDef: "class definitions are not allowed; use functions",
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
    function_locals: dict[ast.FunctionDef, frozenset[str]] = field(default_factory=dict)


class Checker:
    def __init__(self, program: Program, limits: Limits) -> None:
        self.program = program
        self.max_depth = limits.nesting_depth
        self.int_bits = limits.int_bits
        self.depth = 0
        self.loop_depth = 0
        self.frames: list[set[str]] = []  # names bound by each enclosing def
        self.found = Found()

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
        for name in _FIELDS[node.__class__]:
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

    # -- statements ---------------------------------------------------------
    def _module(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Module)
        self.visit_all(node.body)

    def _expr_stmt(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Expr)
        self.visit(node.value)

    def target(self, node: ast.expr) -> None:
        """An assignment target: names, tuples of targets, subscripts, x.grad."""
        if isinstance(node, ast.Name):
            self.bind(node, node.id)
        elif isinstance(node, ast.Tuple | ast.List):
            for item in node.elts:
                self.depth += 1
                self.target(item)
                self.depth -= 1
        elif isinstance(node, ast.Subscript):
            self.visit(node.value)
            self.visit(node.slice)
        elif isinstance(node, ast.Attribute):
            self.check_name(node, node.attr)
            if node.attr not in A.TENSOR_SETTABLE:
                raise self.refuse(
                    node,
                    f"assigning to .{node.attr} is not allowed; only .grad and "
                    ".requires_grad of a tensor can be assigned",
                )
            self.visit(node.value)
        else:
            message = REFUSED.get(type(node)) or "this cannot be assigned to"
            raise self.refuse(node, message)

    def _assign(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Assign)
        self.visit(node.value)
        for target in node.targets:
            self.target(target)

    def _augassign(self, node: ast.AST) -> None:
        assert isinstance(node, ast.AugAssign)
        if isinstance(node.target, ast.Tuple | ast.List):
            raise self.refuse(node.target, "this cannot be assigned to")
        if isinstance(node.target, ast.Name):
            self.check_name(node.target, node.target.id)  # `_ += 1` reads `_`
        self.visit(node.value)
        self.target(node.target)

    def _annassign(self, node: ast.AST) -> None:
        assert isinstance(node, ast.AnnAssign)
        if node.value is None or not isinstance(node.target, ast.Name):
            raise self.refuse(node, "an annotated assignment needs a name and a value")
        self.annotation(node.annotation)
        self.visit(node.value)
        self.target(node.target)

    def annotation(self, node: ast.expr | None) -> None:
        """Annotations are never evaluated; they may only spell (dotted) names."""
        if node is None:
            return
        for child in ast.walk(node):
            if isinstance(child, ast.Name):
                self.check_name(child, child.id)
            elif isinstance(child, ast.Attribute):
                self.check_name(child, child.attr)
            elif not isinstance(
                child,
                ast.Subscript
                | ast.Constant
                | ast.Tuple
                | ast.List
                | ast.BinOp
                | ast.BitOr
                | ast.expr_context,
            ):
                raise self.refuse(child, "annotations may only name types")

    def loop(self, body: list[ast.stmt], orelse: list[ast.stmt]) -> None:
        self.loop_depth += 1
        self.visit_all(body)
        self.loop_depth -= 1
        self.visit_all(orelse)

    def _for(self, node: ast.AST) -> None:
        assert isinstance(node, ast.For)
        self.visit(node.iter)
        self.target(node.target)
        self.loop(node.body, node.orelse)

    def _while(self, node: ast.AST) -> None:
        assert isinstance(node, ast.While)
        self.visit(node.test)
        self.loop(node.body, node.orelse)

    def _if(self, node: ast.AST) -> None:
        # An elif chain is one level deep, however long (the interpreter walks
        # it in a loop too).
        assert isinstance(node, ast.If)
        while True:
            self.visit(node.test)
            self.visit_all(node.body)
            if len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
                node = node.orelse[0]
                continue
            self.visit_all(node.orelse)
            return

    def _def(self, node: ast.AST) -> None:
        assert isinstance(node, ast.FunctionDef)
        if node.decorator_list:
            raise self.refuse(node.decorator_list[0], "decorators are not allowed")
        args = node.args
        if args.vararg is not None or args.kwarg is not None:
            star = args.vararg or args.kwarg
            assert star is not None
            raise self.refuse(star, "*args and **kwargs parameters are not allowed")
        self.visit_all(args.defaults)
        self.visit_all([d for d in args.kw_defaults if d is not None])
        self.bind(node, node.name)
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        seen: set[str] = set()
        frame: set[str] = set()
        self.frames.append(frame)
        for param in params:
            if param.arg in seen:
                raise self.syntax(param, f"duplicate parameter {param.arg!r}")
            seen.add(param.arg)
            self.bind(param, param.arg)
            self.annotation(param.annotation)
        self.annotation(node.returns)
        outer_loops, self.loop_depth = self.loop_depth, 0
        self.visit_all(node.body)
        self.loop_depth = outer_loops
        self.frames.pop()
        self.found.function_locals[node] = frozenset(frame)

    def _return(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Return)
        if not self.frames:
            raise self.syntax(node, "'return' outside a function")
        if node.value is not None:
            self.visit(node.value)

    def _loop_jump(self, node: ast.AST) -> None:
        if self.loop_depth == 0:
            word = "break" if isinstance(node, ast.Break) else "continue"
            raise self.syntax(node, f"'{word}' outside a loop")

    def _with(self, node: ast.AST) -> None:
        assert isinstance(node, ast.With)
        for item in node.items:
            if item.optional_vars is not None:
                raise self.refuse(
                    item.optional_vars,
                    "'with ... as' is not supported; use `with torch.no_grad():`",
                )
            self.visit(item.context_expr)
        self.visit_all(node.body)

    def _try(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Try)
        if node.finalbody:
            raise self.refuse(node.finalbody[0], "try/finally is not supported; use try/except")
        self.visit_all(node.body)
        for handler in node.handlers:
            self.depth += 1
            kinds = handler.type
            names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds] if kinds else []
            for kind in names:
                if not (isinstance(kind, ast.Name) and kind.id in A.EXCEPTION_NAMES):
                    raise self.refuse(
                        kind,
                        "an except clause may name only "
                        + ", ".join(sorted(A.EXCEPTION_NAMES))
                        + " (or nothing)",
                    )
            if handler.name is not None:
                self.bind(handler, handler.name)
            self.visit_all(handler.body)
            self.depth -= 1
        self.visit_all(node.orelse)

    def _import(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Import)
        for alias in node.names:
            if alias.name not in A.IMPORTABLE:
                raise self.refuse(node, _import_message(alias.name))
            if alias.asname is not None:
                self.bind_import(node, alias.asname, alias.name)
            else:
                root = alias.name.split(".")[0]
                self.bind_import(node, root, root)

    def _import_from(self, node: ast.AST) -> None:
        assert isinstance(node, ast.ImportFrom)
        module = node.module or ""
        if node.level or module not in A.IMPORTABLE:
            raise self.refuse(node, _import_message("." * node.level + module))
        table = A.NAMESPACES[module]
        for alias in node.names:
            if alias.name == "*":
                raise self.refuse(node, "'from ... import *' is not allowed; name what you use")
            self.check_name(node, alias.name)
            entry = table.get(alias.name)
            if entry is None:
                raise self.refuse(node, f"{module}.{alias.name} is not available here")
            meaning = entry.path if isinstance(entry, A.Ns) else f"{module}:{alias.name}"
            self.bind_import(node, alias.asname or alias.name, meaning)

    def _delete(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Delete)
        for target in node.targets:
            if not isinstance(target, ast.Name):
                raise self.refuse(target, "del may only remove names")
            self.bind(target, target.id)

    def _assert(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Assert)
        self.visit(node.test)
        if node.msg is not None:
            self.visit(node.msg)

    # -- expressions --------------------------------------------------------
    def _binop(self, node: ast.AST) -> None:
        assert isinstance(node, ast.BinOp)
        if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant | ast.JoinedStr):
            if isinstance(node.left, ast.JoinedStr) or isinstance(node.left.value, str):
                raise self.refuse(node, "%-formatting of strings is not allowed; use an f-string")
        self.visit(node.left)
        self.visit(node.right)

    def _dict(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                raise self.refuse(value, REFUSED[ast.Starred])
            self.visit(key)
            self.visit(value)

    def _constant(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Constant)
        value = node.value
        if isinstance(value, bytes):
            raise self.refuse(node, "bytes literals are not available")
        if isinstance(value, int) and value.bit_length() > self.int_bits:
            line, column = self.program.position(node)
            raise LimitExceeded(
                "int_bits",
                self.int_bits,
                f"this integer has {value.bit_length()} bits; the limit is {self.int_bits}",
                line=line,
                column=column,
            )

    def _name(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Name)
        if isinstance(node.ctx, ast.Load):
            self.check_name(node, node.id)
            self.found.loads.append(node)
        else:
            self.bind(node, node.id)

    def _attribute(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Attribute)
        chain: list[ast.Attribute] = []
        inner: ast.expr = node
        while isinstance(inner, ast.Attribute):
            self.check_name(inner, inner.attr)
            chain.append(inner)
            inner = inner.value
        chain.reverse()
        if isinstance(inner, ast.Name):
            self.found.chains.append((node, inner, chain))
        else:
            for link in chain:
                require_attribute(self, link)
        self.depth += len(chain) - 1
        self.visit(inner)
        self.depth -= len(chain) - 1

    def _call(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.refuse(arg, REFUSED[ast.Starred])
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.refuse(keyword, REFUSED[ast.Starred])
            self.check_name(keyword, keyword.arg)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "to":
            for arg in node.args:
                if isinstance(arg, ast.Constant):
                    raise self.refuse(
                        arg, ".to() accepts only a dtype here, such as x.to(torch.float64)"
                    )
        if node.keywords:
            root: ast.expr = func
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name):
                self.found.calls.append(node)
            elif isinstance(func, ast.Attribute):
                allowed = A.METHOD_KWARGS.get(func.attr, frozenset())
                check_keywords(self, node, allowed, f".{func.attr}()")
        self.visit(func)
        self.visit_all(node.args)
        for keyword in node.keywords:
            self.visit(keyword.value)

    def _comprehension(self, node: ast.AST) -> None:
        assert isinstance(node, ast.ListComp | ast.GeneratorExp)
        if len(node.generators) != 1:
            raise self.refuse(node, "a comprehension may have only one 'for'; use a for loop")
        generator = node.generators[0]
        if generator.is_async:
            raise self.refuse(node, "async code is not allowed")
        self.visit(generator.iter)
        self.target(generator.target)
        self.visit_all(generator.ifs)
        self.visit(node.elt)


def require_attribute(checker: Checker, node: ast.Attribute) -> None:
    """`.attr` on a value whose type is unknown before the run."""
    if node.attr not in A.ATTRIBUTE_NAMES:
        hint = A.ATTRIBUTE_HINTS.get(node.attr)
        message = f"the attribute .{node.attr} is not available"
        raise checker.refuse_attribute(node, f"{message}; {hint}" if hint else message)


def check_keywords(
    checker: Checker, node: ast.Call, allowed: frozenset[str] | None, what: str
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


def _import_message(name: str) -> str:
    return (
        f"import of {name!r} is not allowed; a program may import torch, "
        "torch.nn.functional, numpy, math and torchviz (they are always available)"
    )


# The handler of each allowed node type; anything else is refused.
VISIT: dict[type[ast.AST], Callable[[Checker, Any], None]] = {
    ast.Module: Checker._module,
    ast.Expr: Checker._expr_stmt,
    ast.Assign: Checker._assign,
    ast.AugAssign: Checker._augassign,
    ast.AnnAssign: Checker._annassign,
    ast.For: Checker._for,
    ast.While: Checker._while,
    ast.If: Checker._if,
    ast.FunctionDef: Checker._def,
    ast.Return: Checker._return,
    ast.Pass: Checker._nothing,
    ast.Break: Checker._loop_jump,
    ast.Continue: Checker._loop_jump,
    ast.With: Checker._with,
    ast.Try: Checker._try,
    ast.Import: Checker._import,
    ast.ImportFrom: Checker._import_from,
    ast.Delete: Checker._delete,
    ast.Assert: Checker._assert,
    ast.BinOp: Checker._binop,
    ast.Dict: Checker._dict,
    ast.Call: Checker._call,
    ast.Constant: Checker._constant,
    ast.Attribute: Checker._attribute,
    ast.Name: Checker._name,
    ast.ListComp: Checker._comprehension,
    ast.GeneratorExp: Checker._comprehension,
}
# Expression nodes whose children are all plain expressions, by field.
_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {
    ast.BoolOp: ("values",),
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
for _kind in _FIELDS:
    VISIT[_kind] = Checker._binary
# Leaves that carry no checks (operators, expression contexts).
for _leaf in (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop):
    for _sub in _leaf.__subclasses__():
        VISIT[_sub] = Checker._nothing
