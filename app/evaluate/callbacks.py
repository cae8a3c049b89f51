"""The program's own functions as Python callables, for torch to call back.

torch calls user code in a few places: a tensor hook, a module's
`forward`, an optimizer's closure, a custom autograd Function's `backward`
run by the engine, a sort key. Each gets a `Callback`: a plain callable
that runs the function in the interpreter, under the program's own steps,
elements and call depth (wall time and memory are bounded from outside the
process, as always).

An error that must end the program (a limit, a refusal) may reach torch's
C++ engine on its way out, which re-raises it as it sees fit (wrapped in a
RuntimeError, or swallowed into another message). So the first such error
is kept on the machine (`Machine.stopped`): every later conversion of any
exception gives that error back (app.evaluate.machine), and no callback
runs again, so no user code runs after a limit error. A torch or Python
error inside a callback (CaughtError) is the program's to catch, as in
Python.
"""

from __future__ import annotations

import ast
from typing import Any

from app.errors import VisualizerError
from app.evaluate.failures import CaughtError
from app.evaluate.machine import Machine


class Callback:
    """`function` (anything the interpreter can call) as a Python callable."""

    __slots__ = ("machine", "function", "node")

    def __init__(self, machine: Machine, function: Any, node: ast.AST) -> None:
        self.machine = machine
        self.function = function
        self.node = node  # where the callback was handed to torch, for errors

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        machine = self.machine
        if machine.stopped is not None:
            raise machine.stopped
        try:
            return machine.call(self.function, list(args), kwargs, self.node)
        except CaughtError:
            raise
        except VisualizerError as error:
            machine.stopped = machine.locate(error, self.node)
            raise machine.stopped from None
        except Exception as error:
            converted = machine.fail(error, self.node)
            if not isinstance(converted, CaughtError):
                machine.stopped = converted
            raise converted from None

    def __repr__(self) -> str:
        return f"<callback {self.function!r}>"
