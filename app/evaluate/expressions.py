"""Expressions: one handler per node type, dispatched by a dict on the node's class.

Calls are evaluated here up to their arguments and handed to
app.evaluate.calls; a call whose callee is `something.name` goes straight to
the method call without making a bound-method object. Every torch or Python
exception raised by a call or operator is converted where it happened, so
its line and column are the innermost expression's.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import torch

from app.errors import UserRuntimeError, VisualizerError
from app.evaluate import attributes, classes, operators
from app.evaluate.kinds import kind_of
from app.evaluate.machine import Machine
from app.evaluate.scope import Scope
from app.evaluate.suggest import suggestion
from app.evaluate.values import MISSING, UserFunction, shown

Tensor = torch.Tensor
_CONVERSIONS: dict[int, Callable[[Any], str]] = {115: str, 114: repr, 97: ascii}


class Expressions(Machine):
    @classmethod
    def expression_handlers(cls) -> dict[type, Callable[[Any, Any], Any]]:
        return {
            ast.Constant: cls._constant,
            ast.Name: cls._name,
            ast.BinOp: cls._binop,
            ast.UnaryOp: cls._unaryop,
            ast.BoolOp: cls._boolop,
            ast.Compare: cls._compare,
            ast.Call: cls._call,
            ast.Attribute: cls._attribute,
            ast.Subscript: cls._subscript,
            ast.IfExp: cls._ifexp,
            ast.List: cls._list,
            ast.Tuple: cls._tuple,
            ast.Dict: cls._dict,
            ast.Slice: cls._slice,
            ast.JoinedStr: cls._joinedstr,
            ast.FormattedValue: cls._formatted,
            ast.ListComp: cls._comprehension,
            ast.GeneratorExp: cls._comprehension,
            ast.DictComp: cls._comprehension,
            ast.Lambda: cls._lambda,
        }

    def _constant(self, node: ast.Constant) -> Any:
        return node.value

    def _name(self, node: ast.Name) -> Any:
        name = node.id
        value = self.scope.vars.get(name, MISSING)
        if value is not MISSING:
            return value
        try:
            return self.scope.lookup(name, self.predefined)
        except NameError as error:
            if self.program.is_expression and name in self.program.free_names:
                raise self.missing_input(name, node) from None
            failure = self.fail(error, node)
            if getattr(failure, "original", None) is error and type(error) is NameError:
                # Python's traceback suggests a name; `except NameError as e` sees its own words.
                failure.detail += suggestion(name, self.scope.visible(self.predefined))
            raise failure from None

    def missing_input(self, name: str, node: ast.AST) -> VisualizerError:
        line, column = self.position(node)
        return UserRuntimeError(
            f"{name} has no value: give it as an input (for example {name}=1)",
            line=line,
            column=column,
        )

    def _binop(self, node: ast.BinOp) -> Any:
        left = self.ev(node.left)
        right = self.ev(node.right)
        try:
            return operators.binary(self, node.op.__class__, left, right, node, False)
        except VisualizerError as error:
            raise self.locate(error, node) from None
        except Exception as error:
            raise self.fail(error, node) from None

    def _unaryop(self, node: ast.UnaryOp) -> Any:
        operand = self.ev(node.operand)
        try:
            return operators.unary(self, node.op.__class__, operand, node)
        except VisualizerError as error:
            raise self.locate(error, node) from None
        except Exception as error:
            raise self.fail(error, node) from None

    def _boolop(self, node: ast.BoolOp) -> Any:
        # As Python: the first operand that decides, else the last one,
        # which is never tested (`1 and x` is x, even a tensor of many values).
        is_and = isinstance(node.op, ast.And)
        *tested, last = node.values
        for item in tested:
            value = self.ev(item)
            try:
                truth = bool(value)
            except Exception as error:
                raise self.fail(error, item) from None
            if truth != is_and:
                return value
        return self.ev(last)

    def _compare(self, node: ast.Compare) -> Any:
        try:
            return operators.compare(self, node)
        except VisualizerError as error:
            raise self.locate(error, node) from None
        except Exception as error:
            raise self.fail(error, node) from None

    def _ifexp(self, node: ast.IfExp) -> Any:
        test = self.ev(node.test)
        try:
            truth = bool(test)
        except Exception as error:
            raise self.fail(error, node.test) from None
        return self.ev(node.body if truth else node.orelse)

    def _call(self, node: ast.Call) -> Any:
        func = node.func
        receiver: Any = MISSING
        if func.__class__ is ast.Attribute:
            assert isinstance(func, ast.Attribute)
            if func.value.__class__ is ast.Call and node in self.program.classes.supers:
                try:  # super().__init__(...): no value stands for super()
                    return classes.call_super(self, node)
                except VisualizerError as error:
                    raise self.locate(error, node) from None
                except Exception as error:
                    raise self.fail(error, node) from None
            receiver = self.ev(func.value)
            callee: Any = None
            if not attributes.is_method_receiver(receiver):
                callee = self.get_attribute(receiver, func.attr, func)
                receiver = MISSING
        else:
            callee = self.ev(func)
        args = [self.ev(arg) for arg in node.args]
        kwargs = {kw.arg: self.ev(kw.value) for kw in node.keywords if kw.arg is not None}
        try:
            if receiver is not MISSING:
                assert isinstance(func, ast.Attribute)
                return self.call_method(receiver, func.attr, args, kwargs, node)
            return self.call(callee, args, kwargs, node)
        except VisualizerError as error:
            raise self.locate(error, node) from None
        except Exception as error:
            raise self.fail(error, node) from None

    def get_attribute(self, value: Any, attr: str, node: ast.Attribute) -> Any:
        try:
            return attributes.get(self, value, attr, node)
        except VisualizerError as error:
            raise self.locate(error, node) from None
        except Exception as error:
            raise self.fail(error, node) from None

    def _attribute(self, node: ast.Attribute) -> Any:
        return self.get_attribute(self.ev(node.value), node.attr, node)

    def _subscript(self, node: ast.Subscript) -> Any:
        return self.get_item(self.ev(node.value), self.ev(node.slice), node)

    def get_item(self, value: Any, index: Any, node: ast.AST) -> Any:
        try:
            if isinstance(value, Tensor):
                if not isinstance(index, int | slice):
                    self.guard.index(value, index)
                return self.made(value[index], node)
            if isinstance(value, list | tuple | str | dict | range | torch.Size):
                return value[index]
            kind = kind_of(value)
            if kind is not None:
                return kind.get_item(self, value, index, node)
            raise TypeError(f"'{type(value).__name__}' object is not subscriptable")
        except VisualizerError as error:
            raise self.locate(error, node) from None
        except Exception as error:
            raise self.fail(error, node) from None

    def _slice(self, node: ast.Slice) -> slice:
        return slice(
            None if node.lower is None else self.ev(node.lower),
            None if node.upper is None else self.ev(node.upper),
            None if node.step is None else self.ev(node.step),
        )

    def _list(self, node: ast.List) -> list[Any]:
        return [self.ev(item) for item in node.elts]

    def _tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        return tuple(self.ev(item) for item in node.elts)

    def _dict(self, node: ast.Dict) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            assert key_node is not None  # the checker refuses {**d}
            key = self.ev(key_node)
            try:
                out[key] = self.ev(value_node)
            except TypeError as error:
                raise self.fail(error, key_node) from None
        return out

    def _joinedstr(self, node: ast.JoinedStr) -> str:
        parts, size = [], 0
        for value in node.values:
            part = str(self.ev(value))
            size += len(part)
            self.guard.sequence(size)  # before the next part is made
            parts.append(part)
        return "".join(parts)

    def _formatted(self, node: ast.FormattedValue) -> str:
        value = self.ev(node.value)
        spec = "" if node.format_spec is None else str(self.ev(node.format_spec))
        try:
            # !r and !a write a string with its quotes; none and !s without.
            self.guard.render(value, chr(node.conversion) if node.conversion > 0 else "s")
            converted = (
                _CONVERSIONS[node.conversion](value) if node.conversion in _CONVERSIONS else value
            )
            self.guard.format_spec(spec)
            text = shown(value, format(converted, spec), self.addresses)
        except VisualizerError as error:
            raise self.locate(error, node) from None
        except Exception as error:
            raise self.fail(error, node) from None
        return text

    def _lambda(self, node: ast.Lambda) -> UserFunction:
        args = node.args
        defaults = tuple(self.ev(d) for d in args.defaults)
        kw_defaults = {
            a.arg: self.ev(d)
            for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
            if d is not None
        }
        local_names = self.program.function_locals.get(node, frozenset())
        qualname = f"{self.within[-1]}.<locals>.<lambda>" if self.within else "<lambda>"
        return UserFunction(node, self.scope, defaults, kw_defaults, local_names, qualname=qualname)

    def _comprehension(
        self, node: ast.ListComp | ast.GeneratorExp | ast.DictComp
    ) -> list[Any] | dict[Any, Any]:
        generator = node.generators[0]
        iterable = self.ev(generator.iter)
        outer = self.scope
        self.scope = Scope({}, outer)
        out: list[Any] | dict[Any, Any] = {} if isinstance(node, ast.DictComp) else []
        try:
            for item in self.iterate(iterable, generator.iter):
                self.step(node)
                self.bind_target(generator.target, item)
                if all(self.truth(self.ev(test), test) for test in generator.ifs):
                    if isinstance(out, dict):
                        assert isinstance(node, ast.DictComp)
                        key = self.ev(node.key)
                        value = self.ev(node.value)
                        try:
                            out[key] = value
                        except TypeError as error:  # an unhashable key
                            raise self.fail(error, node.key) from None
                    else:
                        assert not isinstance(node, ast.DictComp)
                        out.append(self.ev(node.elt))
                    if len(out) > self.limits.sequence_length:
                        self.guard.sequence(len(out))
            self.guard.count_items(len(out))
        finally:
            self.scope = outer
        return out

    def truth(self, value: Any, node: ast.AST) -> bool:
        try:
            return bool(value)
        except Exception as error:
            raise self.fail(error, node) from None

    def iterate(self, value: Any, node: ast.AST) -> Any:
        """Iterate an allowed iterable; items of a tensor are stamped with `node`."""
        if isinstance(value, Tensor):
            if value.dim() == 0:
                raise self.fail(TypeError("iteration over a 0-d tensor"), node)
            self.guard.sequence(value.shape[0])  # unbind makes every item at once
            return (self.made(item, node) for item in value.unbind(0))
        if isinstance(value, range | list | tuple | str | dict | torch.Size):
            return iter(value)
        kind = kind_of(value)
        if kind is not None:
            try:
                return kind.iterate(self, value, node)
            except VisualizerError as error:
                raise self.locate(error, node) from None
            except Exception as error:
                raise self.fail(error, node) from None
        raise self.fail(TypeError(f"'{type(value).__name__}' object is not iterable"), node)
