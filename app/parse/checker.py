"""The allowlist walk over the tree: every node type, name, attribute and keyword.

One recursive pass over the tree, depth-limited (so it can never overflow
the stack), refuses what is never allowed on sight: node types outside the
language, names and attributes starting with `_`, attributes no value has,
star arguments, `return` outside a function. It also collects what it can
only judge once the whole program is seen (does the program bind `torch`
itself? does it define `eval`?) and hands that to app.parse.names.

Every refusal is a NotAllowed (or SourceSyntaxError / LimitExceeded) with
the 1-based line and character column of the offending node.

The walk is split in three: app.parse.walk (dispatch, depth, names),
app.parse.statements, and the expression handlers here; `VISIT` maps each
allowed node class to its handler.
"""

from __future__ import annotations

import ast

from app.errors import LimitExceeded
from app.parse.classes import check_class, check_super, is_super_call
from app.parse.statements import StatementChecks
from app.parse.walk import (
    FIELDS,
    REFUSED,
    VISIT,
    Found,
    Walk,
    check_keywords,
    method_kwargs,
    require_attribute,
)

__all__ = [
    "VISIT",
    "Checker",
    "Found",
    "Walk",
    "check_keywords",
    "method_kwargs",
    "require_attribute",
]


class Checker(StatementChecks):
    """The whole walk: statements (app.parse.statements) and expressions (here)."""

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
        if is_super_call(node):
            check_super(self, node)
            return
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.refuse(arg, REFUSED[ast.Starred])
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.refuse(keyword, REFUSED[ast.Starred])
            self.check_name(keyword, keyword.arg, store=True)
        func = node.func
        if node.keywords:
            root: ast.expr = func
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name):
                self.found.calls.append(node)
            elif isinstance(func, ast.Attribute):
                allowed = method_kwargs(self, func.attr)
                check_keywords(self, node, allowed, f".{func.attr}()")
        self.visit(func)
        self.visit_all(node.args)
        for keyword in node.keywords:
            self.visit(keyword.value)

    def _comprehension(self, node: ast.AST) -> None:
        assert isinstance(node, ast.ListComp | ast.GeneratorExp | ast.DictComp)
        if len(node.generators) != 1:
            raise self.refuse(node, "a comprehension may have only one 'for'; use a for loop")
        generator = node.generators[0]
        if generator.is_async:
            raise self.refuse(node, "async code is not allowed")
        self.visit(generator.iter)
        self.target(generator.target)
        self.visit_all(generator.ifs)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)


VISIT.update(
    {
        ast.Module: Checker._module,
        ast.Expr: Checker._expr_stmt,
        ast.Assign: Checker._assign,
        ast.AugAssign: Checker._augassign,
        ast.AnnAssign: Checker._annassign,
        ast.For: Checker._for,
        ast.While: Checker._while,
        ast.If: Checker._if,
        ast.FunctionDef: Checker._def,
        ast.Lambda: Checker._lambda,
        ast.ClassDef: check_class,
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
        ast.Dict: Checker._dict,
        ast.Call: Checker._call,
        ast.Constant: Checker._constant,
        ast.Attribute: Checker._attribute,
        ast.Name: Checker._name,
        ast.ListComp: Checker._comprehension,
        ast.GeneratorExp: Checker._comprehension,
        ast.DictComp: Checker._comprehension,
    }
)
for _kind in FIELDS:
    VISIT[_kind] = Checker._binary
# Leaves that carry no checks (operators, expression contexts).
for _leaf in (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop):
    for _sub in _leaf.__subclasses__():
        VISIT[_sub] = Checker._nothing
