"""Statements: assignments, loops, if, def, with, try, imports.

`exec_block` runs a list of statements and converts any torch or Python
exception that was not converted deeper down, at the statement that raised
it. Loops count one step per iteration and keep the loop stack the tracker
stamps on new autograd nodes. `try` catches only CaughtError (exceptions of
torch and Python operations); refusals and limits pass through it.
"""

from __future__ import annotations

import ast
import builtins as py
from collections.abc import Callable
from typing import Any

import torch

from app.budget import LABEL_CHARS, cut
from app.errors import NotAllowed, VisualizerError
from app.evaluate import attributes, classes, operators
from app.evaluate.failures import CaughtError, clean_text, printed
from app.evaluate.kinds import kind_of
from app.evaluate.machine import BREAK, CONTINUE, Machine, Signal
from app.evaluate.namespaces import NAMESPACES
from app.evaluate.result import LoopStep
from app.evaluate.values import MISSING, ExceptionValue, Function, GradMode, UserFunction
from app.parse import allowlist as A

Tensor = torch.Tensor
EXCEPTIONS: dict[str, type[BaseException]] = {name: getattr(py, name) for name in A.EXCEPTION_NAMES}


def last_name(target: ast.expr) -> str | None:
    """The last plain name an assignment target binds."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Tuple | ast.List):
        for item in reversed(target.elts):
            name = last_name(item)
            if name is not None:
                return name
    return None


class Statements(Machine):
    @classmethod
    def statement_handlers(cls) -> dict[type, Callable[[Any, Any], Any]]:
        return {
            ast.Expr: cls._expr_stmt,
            ast.Assign: cls._assign,
            ast.AugAssign: cls._augassign,
            ast.AnnAssign: cls._annassign,
            ast.For: cls._for,
            ast.While: cls._while,
            ast.If: cls._if,
            ast.FunctionDef: cls._def,
            ast.ClassDef: cls._classdef,
            ast.Return: cls._return,
            ast.Pass: cls._pass,
            ast.Break: cls._break,
            ast.Continue: cls._continue,
            ast.With: cls._with,
            ast.Try: cls._try,
            ast.Import: cls._import,
            ast.ImportFrom: cls._import_from,
            ast.Delete: cls._delete,
            ast.Assert: cls._assert,
        }

    def exec_block(self, body: list[ast.stmt]) -> Signal | None:
        handlers = self._stmt
        for stmt in body:
            try:
                signal = handlers[stmt.__class__](self, stmt)
            except VisualizerError as error:
                raise self.locate(error, stmt) from None
            except Exception as error:
                raise self.fail(error, stmt) from None
            if signal is not None:
                return signal
        return None

    # -- simple statements --------------------------------------------------
    def _expr_stmt(self, node: ast.Expr) -> None:
        self.ev(node.value)

    def _pass(self, node: ast.Pass) -> None:
        return None

    def _break(self, node: ast.Break) -> Signal:
        return BREAK

    def _continue(self, node: ast.Continue) -> Signal:
        return CONTINUE

    def _return(self, node: ast.Return) -> Signal:
        return Signal(None if node.value is None else self.ev(node.value))

    def _assert(self, node: ast.Assert) -> None:
        if not self.truth(self.ev(node.test), node.test):
            message = "" if node.msg is None else self.ev(node.msg)
            self.guard.render(message)
            raise AssertionError(str(message)) if message != "" else AssertionError()

    # -- assignments --------------------------------------------------------
    def _assign(self, node: ast.Assign) -> None:
        value = self.ev(node.value)
        for target in node.targets:
            self.bind_target(target, value)
        if self.scope is self.globals:
            self.last_assigned = last_name(node.targets[-1]) or self.last_assigned

    def _annassign(self, node: ast.AnnAssign) -> None:
        assert node.value is not None and isinstance(node.target, ast.Name)
        self.bind_target(node.target, self.ev(node.value))
        if self.scope is self.globals:
            self.last_assigned = node.target.id

    def bind_target(self, target: ast.expr, value: Any) -> None:
        kind = target.__class__
        if kind is ast.Name:
            assert isinstance(target, ast.Name)
            self.assign(target.id, value)
        elif kind is ast.Tuple or kind is ast.List:
            assert isinstance(target, ast.Tuple | ast.List)
            self.unpack(target, value)
        elif kind is ast.Subscript:
            assert isinstance(target, ast.Subscript)
            self.set_item(self.ev(target.value), self.ev(target.slice), value, target)
        else:
            assert isinstance(target, ast.Attribute)
            attributes.set_attribute(self, self.ev(target.value), target.attr, value, target)

    def unpack(self, target: ast.Tuple | ast.List, value: Any) -> None:
        wanted = len(target.elts)
        size = len(value) if isinstance(value, list | tuple | str | dict | range) else None
        if isinstance(value, Tensor) and value.dim() > 0:
            size = value.shape[0]
        if size is not None and size != wanted:
            if size > wanted:
                raise ValueError(f"too many values to unpack (expected {wanted})")
            raise ValueError(f"not enough values to unpack (expected {wanted}, got {size})")
        values = list(self.iterate(value, target))
        for item_target, item in zip(target.elts, values, strict=True):
            self.bind_target(item_target, item)

    def set_item(self, container: Any, index: Any, value: Any, node: ast.AST) -> None:
        if isinstance(container, Tensor):
            if not isinstance(index, int | slice):
                # Broadcast index tensors (x[a, b] = 1) make as many positions
                # as indexing with them would.
                self.guard.index(container, index)
            container[index] = value
            if self.record:
                self.tracker.note(container, node)
        elif isinstance(container, list):
            if isinstance(index, slice):
                # `items[:] = range(10**9)` fills a list from any sized iterable.
                added = len(value) if isinstance(value, list | tuple | str | range | dict) else 0
                if isinstance(value, Tensor) and value.dim() > 0:
                    added = value.shape[0]
                self.guard.sequence(len(container) + added)
                self.guard.count_items(added)
            container[index] = value
        elif isinstance(container, dict):
            self.guard.sequence(len(container) + 1)
            container[index] = value
        else:
            kind = kind_of(container)
            if kind is None:
                raise TypeError(
                    f"'{type(container).__name__}' object does not support item assignment"
                )
            kind.set_item(self, container, index, value, node)

    def _augassign(self, node: ast.AugAssign) -> None:
        target = node.target
        op = node.op.__class__
        value = self.ev(node.value)
        if isinstance(target, ast.Name):
            current = self.ev(target)  # the Name handler reads, whatever the context
            result = operators.binary(self, op, current, value, node, True)
            self.assign(target.id, result)
            if self.scope is self.globals:
                self.last_assigned = target.id
        elif isinstance(target, ast.Subscript):
            container = self.ev(target.value)
            index = self.ev(target.slice)
            current = self.get_item(container, index, target)
            result = operators.binary(self, op, current, value, node, True)
            self.set_item(container, index, result, node)
        else:
            assert isinstance(target, ast.Attribute)
            owner = self.ev(target.value)
            current = attributes.get(self, owner, target.attr, target)
            result = operators.binary(self, op, current, value, node, True)
            attributes.set_attribute(self, owner, target.attr, result, target)

    # -- control flow -------------------------------------------------------
    def _for(self, node: ast.For) -> Signal | None:
        iterator = self.iterate(self.ev(node.iter), node.iter)
        tracker = self.tracker
        outer = tracker.loops
        line = node.lineno
        # Text for the graph's loop boxes ("for i, iteration 2"), never run; a
        # long one (`for d["<19 KB>"] in ...`) is cut, as it is on every node.
        target = cut(ast.unparse(node.target), LABEL_CHARS)
        try:
            for index, item in enumerate(iterator):
                self.step(node)
                tracker.loops = (*outer, LoopStep(line, index, target))
                self.bind_target(node.target, item)
                signal = self.exec_block(node.body)
                if signal is not None:
                    if signal is CONTINUE:
                        continue
                    return None if signal is BREAK else signal
        finally:
            tracker.loops = outer
        return self.exec_block(node.orelse) if node.orelse else None

    def _while(self, node: ast.While) -> Signal | None:
        tracker = self.tracker
        outer = tracker.loops
        index = 0
        try:
            while self.truth(self.ev(node.test), node.test):
                self.step(node)
                tracker.loops = (*outer, LoopStep(node.lineno, index))
                index += 1
                signal = self.exec_block(node.body)
                if signal is not None:
                    if signal is CONTINUE:
                        continue
                    return None if signal is BREAK else signal
        finally:
            tracker.loops = outer
        return self.exec_block(node.orelse) if node.orelse else None

    def _if(self, node: ast.If) -> Signal | None:
        while True:
            if self.truth(self.ev(node.test), node.test):
                return self.exec_block(node.body)
            orelse = node.orelse
            if len(orelse) == 1 and orelse[0].__class__ is ast.If:
                node = orelse[0]
                continue
            return self.exec_block(orelse) if orelse else None

    def _def(self, node: ast.FunctionDef) -> None:
        modes = [self._decorator(d) for d in node.decorator_list]
        args = node.args
        defaults = tuple(self.ev(d) for d in args.defaults)
        kw_defaults = {
            a.arg: self.ev(d)
            for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
            if d is not None
        }
        local_names = self.program.function_locals.get(node, frozenset())
        # The innermost decorator's mode is the one the body runs in.
        mode = modes[-1] if modes else None
        self.scope.vars[node.name] = UserFunction(
            node, self.scope, defaults, kw_defaults, local_names, mode, self.qualname(node.name)
        )

    def qualname(self, name: str) -> str:
        """Python's qualified name of a function defined here: `outer.<locals>.name`."""
        return f"{self.within[-1]}.<locals>.{name}" if self.within else name

    def _decorator(self, node: ast.expr) -> GradMode:
        """`@torch.no_grad()` (or enable_grad, inference_mode, with or without the
        parentheses, as torch allows): the only decorators."""
        value = self.ev(node)
        special = value.entry.special if isinstance(value, Function) else None
        if special in ("no_grad", "enable_grad", "inference_mode"):
            value = GradMode(special)
        if not isinstance(value, GradMode):
            line, column = self.position(node)
            raise NotAllowed(
                "only @torch.no_grad(), @torch.enable_grad() and @torch.inference_mode() "
                "may decorate a function here",
                line=line,
                column=column,
            )
        return value

    def _classdef(self, node: ast.ClassDef) -> None:
        classes.define(self, node)

    def _with(self, node: ast.With) -> Signal | None:
        contexts = []
        for item in node.items:
            value = self.ev(item.context_expr)
            if not isinstance(value, GradMode):
                line, column = self.position(item.context_expr)
                raise NotAllowed(
                    "with works only with torch.no_grad() and torch.enable_grad()",
                    line=line,
                    column=column,
                )
            contexts.append(value.context())
        return self._within(contexts, node.body)

    def _within(self, contexts: list[Any], body: list[ast.stmt]) -> Signal | None:
        if not contexts:
            return self.exec_block(body)
        with contexts[0]:
            return self._within(contexts[1:], body)

    def _try(self, node: ast.Try) -> Signal | None:
        try:
            signal = self.exec_block(node.body)
        except CaughtError as error:
            original = error.original
            for handler in node.handlers:
                if self._matches(handler, original):
                    name = handler.name
                    if name is not None:
                        self.scope.vars[name] = _caught(original)
                    try:
                        return self.exec_block(handler.body)
                    finally:
                        if name is not None:
                            self.scope.vars.pop(name, None)
            raise
        if signal is None and node.orelse:
            return self.exec_block(node.orelse)
        return signal

    def _matches(self, handler: ast.ExceptHandler, error: Exception) -> bool:
        kind = handler.type
        if kind is None:
            return True
        names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
        classes = tuple(EXCEPTIONS[n.id] for n in names if isinstance(n, ast.Name))
        return isinstance(error, classes)

    # -- names --------------------------------------------------------------
    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname is not None:
                self.assign(alias.asname, NAMESPACES[alias.name])
            else:
                root = alias.name.split(".")[0]
                self.assign(root, NAMESPACES[root])

    def _import_from(self, node: ast.ImportFrom) -> None:
        members = NAMESPACES[node.module or ""].members
        for alias in node.names:
            self.assign(alias.asname or alias.name, members[alias.name])

    def _delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            assert isinstance(target, ast.Name)
            if self.scope.vars.pop(target.id, MISSING) is MISSING:
                raise NameError(f"name {target.id!r} is not defined")


def _caught(error: BaseException) -> ExceptionValue:
    """The program's view of a caught exception: as Python prints it, cleaned."""
    args = error.args
    if not args:
        arguments = ""
    elif len(args) == 1 and isinstance(args[0], str):
        arguments = repr(clean_text(args[0]))
    else:  # torch's and Python's exceptions hold one message; others, shown as one
        arguments = repr(printed(error))
    return ExceptionValue(type(error).__name__, printed(error), arguments)
