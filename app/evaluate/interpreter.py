"""The interpreter: statements, expressions and calls over one machine state.

`Interpreter.run_module` runs the program's top-level statements and
returns the value of a final expression statement (or MISSING).
"""

from __future__ import annotations

import ast
from typing import Any

from app.errors import VisualizerError
from app.evaluate.calls import Calls
from app.evaluate.expressions import Expressions
from app.evaluate.statements import Statements
from app.evaluate.values import MISSING
from app.limits import Limits
from app.parse import Program


class Interpreter(Statements, Expressions, Calls):
    def __init__(self, program: Program, limits: Limits, predefined: dict[str, Any]) -> None:
        super().__init__(program, limits, predefined)

    def run_module(self) -> Any:
        body = self.program.module.body
        final = body[-1] if isinstance(body[-1], ast.Expr) else None
        self.exec_block(body[:-1] if final is not None else body)
        value = MISSING if final is None else self.evaluate(final.value, final)
        if self.stopped is not None:  # ended inside torch, which swallowed it
            raise self.stopped
        return value

    def evaluate(self, node: ast.expr, statement: ast.AST) -> Any:
        """One expression, with exceptions converted at `statement`."""
        try:
            return self.ev(node)
        except VisualizerError as error:
            raise self.locate(error, statement) from None
        except Exception as error:
            raise self.fail(error, statement) from None


Interpreter._expr = Interpreter.expression_handlers()
Interpreter._stmt = Interpreter.statement_handlers()
