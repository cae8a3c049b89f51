"""A program's own classes at run time: the class value, its instances, super().

A `class` statement (checked by app.parse.classes) makes a `UserClass`:
our record of the class's name, methods (UserFunctions, as `def` makes
them), constants and base. No Python class is ever made from the
program's text, and the program never holds a real class object:

- a class without a base makes `ProgramObject`s: slots for the class and
  a dict of the attributes the program set; printed as Python prints an
  instance, `<__main__.Point object at 0x...>` (the address made the same
  on every run by app.evaluate.addresses);
- a class deriving from nn.Module makes `ProgramModule`s: instances of one
  real nn.Module subclass, the same for every program class, so torch
  registers what the program assigns on `self` (`self.fc1 =
  nn.Linear(...)`), `net.parameters()` walks it and `net(x)` runs
  nn.Module.__call__, whose `forward` runs the program's own method
  through a Callback (app.evaluate.callbacks), under the program's limits.
  The program class is kept in the instance's `_program` state, which a
  program cannot name; torch's repr prints the program's class name
  (`_get_name`).

How a base makes its instances and runs `super().__init__(...)` is a
`BaseHandler` registered for the base's dotted path in `BASES` (issue 20
adds torch.autograd.Function the same way). Attribute reads and writes,
method calls and calls of these values are their ValueKinds, registered
below (app.evaluate.kinds). The value kind for ProgramModule adds the
program's own attributes and methods to what every torch module allows
(app.evaluate.modules).
"""

from __future__ import annotations

import ast
from typing import Any

from torch import nn

from app.errors import NotAllowed
from app.evaluate.callbacks import Callback
from app.evaluate.kinds import ValueKind, register
from app.evaluate.machine import Machine
from app.evaluate.result import Span
from app.evaluate.values import BoundMethod, UserFunction
from app.parse import allowlist as A

INIT = "__init__"


class BaseClass:
    """A library class a program's class may derive from (`nn.Module`), as
    the program sees it: a name to put in a class line, nothing else."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __repr__(self) -> str:
        module, _, name = self.path.rpartition(".")
        return f"<class '{module}.{name}'>"


class UserClass:
    """A class the program defined: its name, methods, constants and base."""

    __slots__ = ("name", "node", "base", "handler", "methods", "constants")

    def __init__(
        self,
        name: str,
        node: ast.ClassDef,
        base: BaseClass | None,
        handler: BaseHandler,
        methods: dict[str, UserFunction],
        constants: dict[str, Any],
    ) -> None:
        self.name = name
        self.node = node
        self.base = base
        self.handler = handler
        self.methods = methods
        self.constants = constants

    def __repr__(self) -> str:
        return f"<class '__main__.{self.name}'>"


class ProgramObject:
    """An instance of a program's class without a base."""

    __slots__ = ("cls", "attrs", "__weakref__")

    def __init__(self, cls: UserClass) -> None:
        self.cls = cls
        self.attrs: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<__main__.{self.cls.name} object at {id(self):#x}>"


class ProgramState:
    """What a ProgramModule keeps of its program: the class, the run, and
    the attribute names the program assigned."""

    __slots__ = ("cls", "machine", "node", "assigned")

    def __init__(self, cls: UserClass, machine: Machine, node: ast.AST) -> None:
        self.cls = cls
        self.machine = machine
        self.node = node  # where the instance was made, for errors of torch's calls
        self.assigned: set[str] = set()


class ProgramModule(nn.Module):
    """Every instance of every program class deriving from nn.Module."""

    def _get_name(self) -> str:
        return state_of(self).cls.name

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        state = state_of(self)
        method = state.cls.methods.get("forward")
        if method is None:
            raise NotImplementedError(
                f'Module [{state.cls.name}] is missing the required "forward" function'
            )
        # Errors of the call point at the program's innermost module call.
        calls = state.machine.library_state.get("nn")  # app.evaluate.module_calls
        node = getattr(calls, "node", None) or state.node
        return Callback(state.machine, method, node)(self, *args, **kwargs)


def state_of(module: ProgramModule) -> ProgramState:
    state: ProgramState = module.__dict__["_program"]
    return state


def class_of(value: Any) -> UserClass | None:
    """The program class of an instance, if it is one."""
    if isinstance(value, ProgramObject):
        return value.cls
    if isinstance(value, ProgramModule):
        return state_of(value).cls
    return None


# -- bases -------------------------------------------------------------------


class BaseHandler:
    """How instances of classes deriving from one base are made."""

    def instantiate(
        self, m: Machine, cls: UserClass, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        raise NotImplementedError

    def super_init(
        self, m: Machine, instance: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> None:
        raise NotImplementedError

    def class_attribute(self, m: Machine, cls: UserClass, attr: str, node: ast.AST) -> Any:
        """`Cls.attr` for what the base gives its classes (a Function's `apply`)."""
        raise AttributeError(f"type object '{cls.name}' has no attribute '{attr}'")


def run_init(
    m: Machine,
    cls: UserClass,
    instance: Any,
    args: list[Any],
    kwargs: dict[str, Any],
    node: ast.AST,
) -> None:
    result = m.call(cls.methods[INIT], [instance, *args], kwargs, node)
    if result is not None:
        raise TypeError(f"__init__() should return None, not '{type(result).__name__}'")


class ObjectBase(BaseHandler):
    def instantiate(
        self, m: Machine, cls: UserClass, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        instance = ProgramObject(cls)
        if INIT in cls.methods:
            run_init(m, cls, instance, args, kwargs, node)
        elif args or kwargs:
            raise TypeError(f"{cls.name}() takes no arguments")
        return instance

    def super_init(
        self, m: Machine, instance: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> None:
        if args or kwargs:
            raise TypeError(
                "object.__init__() takes exactly one argument (the instance to initialize)"
            )


class ModuleBase(BaseHandler):
    def instantiate(
        self, m: Machine, cls: UserClass, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        instance = ProgramModule.__new__(ProgramModule)
        instance.__dict__["_program"] = ProgramState(cls, m, node)
        if m.record:  # the module's line: its class statement's `class Net`
            line, column = m.position(cls.node)
            header = Span(line, column, line, column + len(f"class {cls.name}"))
            m.tracker.module_spans[id(instance)] = header
            m.tracker.keep.append(instance)
        if INIT in cls.methods:
            run_init(m, cls, instance, args, kwargs, node)
        else:
            nn.Module.__init__(instance, *args, **kwargs)
        return instance

    def super_init(
        self, m: Machine, instance: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> None:
        nn.Module.__init__(instance, *args, **kwargs)


# Base path -> its handler; None: a class without a base.
BASES: dict[str | None, BaseHandler] = {None: ObjectBase(), "torch.nn.Module": ModuleBase()}


# -- statements and expressions ---------------------------------------------


def define(m: Machine, node: ast.ClassDef) -> None:
    """Run a class statement: bind its name to a new UserClass."""
    base: BaseClass | None = None
    if node.bases:
        value = m.ev(node.bases[0])
        if not isinstance(value, BaseClass):
            line, column = m.position(node.bases[0])
            raise NotAllowed(
                "a class may derive only from torch.autograd.Function or nn.Module, "
                "or from nothing",
                line=line,
                column=column,
            )
        base = value
    handler = BASES.get(base.path if base else None)
    if handler is None:
        line, column = m.position(node)
        raise NotAllowed("classes cannot derive from this class yet", line=line, column=column)
    methods: dict[str, UserFunction] = {}
    constants: dict[str, Any] = {}
    for item in node.body:
        if isinstance(item, ast.FunctionDef):
            args = item.args
            defaults = tuple(m.ev(d) for d in args.defaults)
            kw_defaults = {
                a.arg: m.ev(d)
                for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                if d is not None
            }
            local_names = m.program.function_locals.get(item, frozenset())
            methods[item.name] = UserFunction(item, m.scope, defaults, kw_defaults, local_names)
        elif isinstance(item, ast.Assign):
            target = item.targets[0]
            assert isinstance(target, ast.Name)
            constants[target.id] = m.ev(item.value)
        elif isinstance(item, ast.AnnAssign):
            assert isinstance(item.target, ast.Name) and item.value is not None
            constants[item.target.id] = m.ev(item.value)
    m.assign(node.name, UserClass(node.name, node, base, handler, methods, constants))


def call_super(m: Machine, node: ast.Call) -> None:
    """`super().__init__(...)`: the base's __init__ on the method's instance."""
    facts = m.program.classes.supers[node]
    instance = m.scope.lookup(facts.instance, m.predefined)
    cls = class_of(instance)
    if cls is None or cls.node is not facts.owner:
        raise TypeError("super(type, obj): obj must be an instance or subtype of type")
    args = [m.ev(arg) for arg in node.args]
    kwargs = {kw.arg: m.ev(kw.value) for kw in node.keywords if kw.arg is not None}
    m.step(node)
    cls.handler.super_init(m, instance, args, kwargs, node)


# -- value kinds --------------------------------------------------------------


def _refuse(m: Machine, node: ast.AST, message: str) -> NotAllowed:
    line, column = m.position(node)
    return NotAllowed(message, line=line, column=column)


class ClassKind(ValueKind):
    """The class value: called to make an instance; its constants and methods read."""

    label = "classes"
    method_calls = False  # Net.forward(net, x) reads the function, then calls it

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if attr in value.constants:
            return value.constants[attr]
        if attr in value.methods:
            return value.methods[attr]
        return value.handler.class_attribute(m, value, attr, node)

    def set(self, m: Machine, value: Any, attr: str, new: Any, node: ast.AST) -> None:
        raise _refuse(m, node, f"assigning .{attr} of a class is not allowed; assign it on self")

    def call(
        self, m: Machine, value: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        return value.handler.instantiate(m, value, args, kwargs, node)


def member(m: Machine, cls: UserClass, instance: Any, attr: str) -> Any:
    """A method (bound) or a constant of the instance's class, or MISSING."""
    if attr in cls.methods:
        return BoundMethod(instance, attr)
    if attr in cls.constants:
        return cls.constants[attr]
    raise AttributeError(f"'{cls.name}' object has no attribute '{attr}'")


def call_member(
    m: Machine,
    cls: UserClass,
    instance: Any,
    attr: str,
    args: list[Any],
    kwargs: dict[str, Any],
    node: ast.AST,
) -> Any:
    """`instance.attr(...)` for a method or a constant of its class."""
    method = cls.methods.get(attr)
    if method is not None:
        return m.call(method, [instance, *args], kwargs, node)
    return m.call(member(m, cls, instance, attr), args, kwargs, node)


class ObjectKind(ValueKind):
    """Instances of a program's class without a base: attributes are the program's."""

    label = "objects"

    def type_name(self, value: Any) -> str:
        return str(value.cls.name)

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        attrs = value.attrs
        if attr in attrs:
            return attrs[attr]
        return member(m, value.cls, value, attr)

    def set(self, m: Machine, value: Any, attr: str, new: Any, node: ast.AST) -> None:
        value.attrs[attr] = new

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        if name in value.attrs:
            return m.call(value.attrs[name], args, kwargs, node)
        return call_member(m, value.cls, value, name, args, kwargs, node)

    def call(
        self, m: Machine, value: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        raise TypeError(f"'{value.cls.name}' object is not callable")


class ProgramModuleKind(ValueKind):
    """Instances of a program's nn.Module class: the program's attributes and
    methods first (what it assigned on self, what add_module added), then what
    every module allows."""

    label = "modules"

    def type_name(self, value: Any) -> str:
        return state_of(value).cls.name

    def own(self, value: Any, attr: str) -> bool:
        """Whether `attr` is an attribute the program gave this module."""
        if attr in state_of(value).assigned:
            return True
        children = value.__dict__.get("_modules")
        return children is not None and attr in children

    def get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        if self.own(value, attr):
            return getattr(value, attr)
        cls = state_of(value).cls
        if attr in cls.methods or attr in cls.constants:
            return member(m, cls, value, attr)
        return self.module_get(m, value, attr, node)

    def module_get(self, m: Machine, value: Any, attr: str, node: ast.AST) -> Any:
        """What every module has (app.evaluate.modules)."""
        raise AttributeError(f"'{state_of(value).cls.name}' object has no attribute '{attr}'")

    def set(self, m: Machine, value: Any, attr: str, new: Any, node: ast.AST) -> None:
        if attr in A.MODULE_RESERVED:
            raise _refuse(m, node, f".{attr} is nn.Module's own and cannot be assigned")
        setattr(value, attr, new)  # nn.Module.__setattr__ registers modules and parameters
        state_of(value).assigned.add(attr)

    def call_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        if self.own(value, name):
            return m.call(getattr(value, name), args, kwargs, node)
        cls = state_of(value).cls
        if name in cls.methods or name in cls.constants:
            return call_member(m, cls, value, name, args, kwargs, node)
        return self.module_method(m, value, name, args, kwargs, node)

    def module_method(
        self,
        m: Machine,
        value: Any,
        name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        node: ast.AST,
    ) -> Any:
        """The methods every module has (app.evaluate.modules)."""
        raise AttributeError(f"'{state_of(value).cls.name}' object has no attribute '{name}'")

    def call(
        self, m: Machine, value: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        return value(*args, **kwargs)  # nn.Module.__call__, then forward


register(UserClass, ClassKind())
register(ProgramModule, ProgramModuleKind())
register(ProgramObject, ObjectKind())


class BaseClassKind(ValueKind):
    label = "base classes"

    def call(
        self, m: Machine, value: Any, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        name = value.path.replace("torch.nn.", "nn.")
        raise _refuse(
            m, node, f"{name} is only a base class here: `class Net({name}):`, then Net()"
        )


register(BaseClass, BaseClassKind())
assert "torch.nn.Module" in A.CLASS_BASES
