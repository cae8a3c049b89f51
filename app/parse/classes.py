"""A program's own classes, as the parse stage checks them.

    class Net(nn.Module):          # one base from A.CLASS_BASES, or none
        '''A docstring.'''
        hidden = 8                 # constants: numbers, strings, tuples of them
        def __init__(self, n):     # the one dunder method a class may define
            super().__init__()     # super() only to call __init__
            self.fc1 = nn.Linear(n, self.hidden)
        def forward(self, x):
            return self.fc1(x)

A class may be defined only at the top level of the program (so each
class statement runs once); no decorators, keywords (`metaclass=`) or
other dunder methods; every method takes its instance first. A class
deriving from a library's class may neither define nor assign that class's
own names (`parameters`, `training`: A.ClassBase.reserved) but the ones it
is meant to (`forward`).

Three parts, in the order the parse stage runs them:
- `collect`, before the walk: the attribute names the program's classes
  give their instances (what methods assign on `self`, the methods and
  constants, the names given to `add_module`). The walk refuses every
  attribute name no value has; these become allowed for the program (the
  interpreter still checks each on the actual value).
- `check_class` and `check_super`, during the walk (VISIT[ast.ClassDef],
  and the checker's calls of `super().__init__`).
- `check_bases`, after the whole-program name checks: each base must
  surely mean a class of A.CLASS_BASES; then its rules apply.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.parse import allowlist as A

if TYPE_CHECKING:
    from app.parse.names import Names
    from app.parse.statements import StatementChecks as Walk

INIT = "__init__"
STARRED = "star arguments and star unpacking (*x, **x) are not allowed"  # as walk.REFUSED
BODY_RULE = "a class body may hold only methods (def), a docstring and constants such as `size = 3`"


@dataclass(frozen=True)
class SuperCall:
    """`super().__init__(...)` in a method: the method's first parameter (the
    instance) and the class the method belongs to."""

    instance: str
    owner: ast.ClassDef


@dataclass(frozen=True)
class ClassFacts:
    """What the evaluator needs to know of the program's classes."""

    supers: Mapping[ast.Call, SuperCall] = field(default_factory=dict)
    # Each class's base as a dotted path (None: no base).
    bases: Mapping[ast.ClassDef, str | None] = field(default_factory=dict)


@dataclass
class _Outline:
    """One class as `collect` found it, for `check_bases`."""

    node: ast.ClassDef
    methods: list[ast.FunctionDef] = field(default_factory=list)
    constants: list[ast.Name] = field(default_factory=list)
    assigned: list[ast.Attribute] = field(default_factory=list)  # self.X = ...


@dataclass
class ClassWalk:
    """The walk's state for classes (Walk.classes)."""

    attributes: frozenset[str] = frozenset()
    outlines: dict[ast.ClassDef, _Outline] = field(default_factory=dict)
    # The method being walked: (its first parameter, its class, len(frames) inside it).
    methods: list[tuple[str, ast.ClassDef, int]] = field(default_factory=list)
    supers: dict[ast.Call, SuperCall] = field(default_factory=dict)
    checked: list[ast.ClassDef] = field(default_factory=list)


def _first_parameter(method: ast.FunctionDef) -> str | None:
    params = [*method.args.posonlyargs, *method.args.args]
    return params[0].arg if params else None


def _allowed_name(name: str) -> bool:
    return name.isidentifier() and not name.startswith("_")


def collect(module: ast.Module) -> ClassWalk:
    """The attribute names the program's classes give their instances.

    Only classes at the top level count (the walk refuses the others);
    `ast.walk` is iterative, so a deep tree cannot overflow the stack here.
    """
    names: set[str] = set()
    outlines: dict[ast.ClassDef, _Outline] = {}
    for statement in module.body:
        if not isinstance(statement, ast.ClassDef):
            continue
        outline = outlines[statement] = _Outline(statement)
        for item in statement.body:
            if isinstance(item, ast.FunctionDef):
                outline.methods.append(item)
                names.add(item.name)
                instance = _first_parameter(item)
                if instance is None:
                    continue
                for node in ast.walk(item):
                    if (
                        isinstance(node, ast.Attribute)
                        and isinstance(node.ctx, ast.Store)
                        and isinstance(node.value, ast.Name)
                        and node.value.id == instance
                    ):
                        outline.assigned.append(node)
                        names.add(node.attr)
            elif isinstance(item, ast.Assign | ast.AnnAssign):
                targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        outline.constants.append(target)
                        names.add(target.id)
    # `model.add_module('W0', layer)` gives `model` an attribute W0.
    for node in ast.walk(module):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return ClassWalk(frozenset(n for n in names if _allowed_name(n)), outlines)


def _constant(node: ast.expr) -> bool:
    """A class constant: a literal number, string, bool or None, or a tuple of them."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.Tuple | ast.List):
        return all(_constant(item) for item in node.elts)
    return False


def check_class(walk: Walk, node: ast.AST) -> None:
    """VISIT[ast.ClassDef]: the class statement's own rules, then its methods."""
    assert isinstance(node, ast.ClassDef)
    if not any(node is statement for statement in walk.program.module.body):
        raise walk.refuse(node, "a class may be defined only at the top level of the program")
    if node.decorator_list:
        raise walk.refuse(node.decorator_list[0], "decorators are not allowed")
    if node.keywords:
        raise walk.refuse(
            node.keywords[0], "a class line may name its base class only (no metaclass= ...)"
        )
    if len(node.bases) > 1:
        raise walk.refuse(node.bases[1], "a class may have one base class at most")
    for base in node.bases:
        if not isinstance(base, ast.Name | ast.Attribute):
            raise walk.refuse(base, "a base class must be named, such as nn.Module")
        walk.visit(base)
    walk.bind(node, node.name)
    walk.classes.checked.append(node)
    for item in node.body:
        walk.depth += 1
        if isinstance(item, ast.FunctionDef):
            _check_method(walk, item, node)
        elif isinstance(item, ast.Expr) and isinstance(item.value, ast.Constant):
            pass  # a docstring
        elif isinstance(item, ast.Pass):
            pass
        elif isinstance(item, ast.Assign):
            if len(item.targets) != 1 or not isinstance(item.targets[0], ast.Name):
                raise walk.refuse(item, "a class constant is one name: `size = 3`")
            if not _constant(item.value):
                raise walk.refuse(item.value, BODY_RULE)
            walk.visit(item.value)
            walk.check_name(item.targets[0], item.targets[0].id, store=True)
        elif isinstance(item, ast.AnnAssign):
            if not isinstance(item.target, ast.Name) or item.value is None:
                raise walk.refuse(item, "a class constant is one name: `size: int = 3`")
            if not _constant(item.value):
                raise walk.refuse(item.value, BODY_RULE)
            walk.annotation(item.annotation)
            walk.visit(item.value)
            walk.check_name(item.target, item.target.id, store=True)
        else:
            raise walk.refuse(item, BODY_RULE)
        walk.depth -= 1


def _check_method(walk: Walk, method: ast.FunctionDef, owner: ast.ClassDef) -> None:
    if method.name != INIT:
        if method.name.startswith("__") and method.name.endswith("__"):
            raise walk.refuse(
                method,
                f"{method.name} cannot be defined here: __init__ is the only special "
                "method a class may have",
            )
        walk.check_name(method, method.name, store=True)
    instance = _first_parameter(method)
    if instance is None:
        raise walk.refuse(method, "a method takes its instance first: def name(self, ...)")
    walk.classes.methods.append((instance, owner, len(walk.frames) + 1))
    try:
        walk.function(method)
    finally:
        walk.classes.methods.pop()


def is_super_call(node: ast.Call) -> bool:
    """`super(...).name(...)`."""
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "super"
    )


def check_super(walk: Walk, node: ast.Call) -> None:
    """`super().__init__(...)` (or `super(Net, self).__init__(...)`) directly in a method."""
    func = node.func
    assert isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
    inner = func.value
    context = walk.classes.methods[-1] if walk.classes.methods else None
    if context is None or context[2] != len(walk.frames):
        raise walk.refuse(inner, "super() may be used only in a method of a class")
    instance, owner, _ = context
    if func.attr != INIT:
        raise walk.refuse_attribute(
            func, "super() may only call __init__ here: super().__init__(...)"
        )
    if inner.keywords or inner.args:
        spelled = [a.id if isinstance(a, ast.Name) else None for a in inner.args]
        if inner.keywords or spelled != [owner.name, instance]:
            raise walk.refuse(
                inner, f"super() takes no arguments here, or super({owner.name}, {instance})"
            )
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise walk.refuse(arg, STARRED)
    for keyword in node.keywords:
        if keyword.arg is None:
            raise walk.refuse(keyword, STARRED)
        walk.check_name(keyword, keyword.arg)
    walk.visit_all(node.args)
    for keyword in node.keywords:
        walk.visit(keyword.value)
    walk.classes.supers[node] = SuperCall(instance, owner)


def _base_path(names: Names, base: ast.expr) -> str | None:
    """The dotted path a base expression surely means, if any."""
    if isinstance(base, ast.Name):
        if base.id in names.found.bound:
            return None
        meanings = names.found.imports.get(base.id, set())
        if len(meanings) != 1:
            return None
        (meaning,) = meanings
        module, _, member = meaning.partition(":")
        return f"{module}.{member}" if member else None
    links: list[ast.Attribute] = []
    inner: ast.expr = base
    while isinstance(inner, ast.Attribute):
        links.append(inner)
        inner = inner.value
    if not isinstance(inner, ast.Name):
        return None
    path = names.module_of(inner.id)
    if path is None:
        return None
    links.reverse()
    for link in links[:-1]:
        entry = A.NAMESPACES[path].get(link.attr)
        if not isinstance(entry, A.Ns):
            return None
        path = entry.path
    return f"{path}.{links[-1].attr}"


def _short(path: str) -> str:
    return path.replace("torch.nn.", "nn.")


def check_bases(names: Names, walk: Walk) -> ClassFacts:
    """Each class's base against A.CLASS_BASES, and the base's rules."""
    bases: dict[ast.ClassDef, str | None] = {}
    for node in walk.classes.checked:
        path = None
        rules = A.ClassBase()
        if node.bases:
            path = _base_path(names, node.bases[0])
            if path not in A.CLASS_BASES:
                allowed = " or ".join(_short(p) for p in sorted(A.CLASS_BASES))
                raise walk.refuse(
                    node.bases[0], f"a class may derive only from {allowed}, or from nothing"
                )
            rules = A.CLASS_BASES[path]
        bases[node] = path
        owner = _short(path) if path else "object"
        outline = walk.classes.outlines[node]
        for method in outline.methods:
            for decorator in method.decorator_list:
                if not (isinstance(decorator, ast.Name) and decorator.id in rules.decorators):
                    raise walk.refuse(decorator, "decorators are not allowed")
            if method.name in rules.reserved and method.name not in rules.overridable:
                raise walk.refuse(
                    method,
                    f"{method.name} is {owner}'s own; a method of {node.name} needs another name",
                )
        for constant in outline.constants:
            if constant.id in rules.reserved:
                raise walk.refuse(
                    constant, f"{constant.id} is {owner}'s own; the constant needs another name"
                )
        for attribute in outline.assigned:
            if attribute.attr in rules.reserved:
                raise walk.refuse_attribute(
                    attribute,
                    f".{attribute.attr} is {owner}'s own and cannot be assigned; use another name",
                )
    return ClassFacts(dict(walk.classes.supers), bases)
