"""The allowlist walk over statements: assignments, loops, def, with, try, imports.

`return` outside a function and `break`/`continue` outside a loop are
syntax errors here (ast.parse leaves them to the compiler, which never
runs). Each `def` and `lambda` records the names it binds
(`Found.function_locals`).
"""

from __future__ import annotations

import ast

from app.parse import allowlist as A
from app.parse.walk import REFUSED, Walk


class StatementChecks(Walk):
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
            if node.attr not in A.SETTABLE and node.attr not in self.classes.attributes:
                raise self.refuse(
                    node,
                    f"assigning to .{node.attr} is not allowed; only .grad and "
                    ".requires_grad of a tensor can be assigned, and the attributes "
                    "the program's classes set on self",
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
        # Decorators are expressions of the enclosing scope; the evaluator
        # accepts only torch.no_grad() and its kin as one (a grad mode).
        self.visit_all(node.decorator_list)
        self.function(node, bind=True)

    def _lambda(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Lambda)
        self.parameters(node)
        self.visit(node.body)
        self.end_function(node)

    def function(self, node: ast.FunctionDef, bind: bool = False) -> None:
        """A def's parameters and body (a method's too, whose name binds nothing)."""
        self.parameters(node, bind)
        self.annotation(node.returns)
        outer_loops, self.loop_depth = self.loop_depth, 0
        self.visit_all(node.body)
        self.loop_depth = outer_loops
        self.end_function(node)

    def parameters(self, node: ast.FunctionDef | ast.Lambda, bind: bool = False) -> None:
        """Check the parameters (defaults in the enclosing scope) and open a frame."""
        args = node.args
        if args.vararg is not None or args.kwarg is not None:
            star = args.vararg or args.kwarg
            assert star is not None
            raise self.refuse(star, "*args and **kwargs parameters are not allowed")
        self.visit_all(args.defaults)
        self.visit_all([d for d in args.kw_defaults if d is not None])
        if bind and isinstance(node, ast.FunctionDef):
            self.bind(node, node.name)  # in the enclosing scope, before the function's frame
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

    def end_function(self, node: ast.FunctionDef | ast.Lambda) -> None:
        frame = self.frames.pop()
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


def _import_message(name: str) -> str:
    return (
        f"import of {name!r} is not allowed; a program may import torch, torch.nn, "
        "torch.nn.functional, torch.optim, numpy, math, torchviz and matplotlib.pyplot "
        "(always available)"
    )
