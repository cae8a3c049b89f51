"""The parse stage: source text to a checked tree (SPEC.md section 1).

    parse_program(source, limits) -> Program

Three steps, each refusing with our own errors and a 1-based line and
character column: raw-text hygiene (app.parse.text: size, NUL, surrogates,
bidi controls, empty), `ast.parse` (under a lock: CPython 3.11's AST
construction is not thread-safe, gh-106905), and the allowlist walk over the
tree (app.parse.walk, .statements and .checker; then app.parse.names for
what needs the whole program; app.parse.classes for the program's own
classes), with the tables in app.parse.allowlist.
Nothing is ever evaluated here: ast.parse only builds the tree; user text
is never compiled to code, exec'd or eval'd.

Raises only SourceSyntaxError, NotAllowed and LimitExceeded.
"""

from __future__ import annotations

import ast
import threading

from app.errors import LimitExceeded, SourceSyntaxError
from app.limits import DEFAULT_LIMITS, Limits
from app.parse.checker import Checker
from app.parse.classes import check_bases, collect
from app.parse.names import Names
from app.parse.program import Program
from app.parse.text import check_text, split_lines

__all__ = ["Program", "parse_program"]

_PARSE_LOCK = threading.Lock()


def _too_deep(limits: Limits, detail: str) -> LimitExceeded:
    return LimitExceeded(
        "nesting_depth",
        limits.nesting_depth,
        f"the program is nested too deeply to parse ({detail}); "
        f"the limit is {limits.nesting_depth} levels",
    )


def _parse(source: str, lines: list[str], limits: Limits) -> ast.Module:
    try:
        with _PARSE_LOCK:
            return ast.parse(source, "<program>", "exec")
    except SyntaxError as error:
        message = error.msg or "invalid syntax"
        if "too many nested parentheses" in message or "too many levels of indentation" in message:
            raise _too_deep(limits, message) from None
        if message.startswith("Exceeds the limit"):
            raise LimitExceeded(
                "int_bits", limits.int_bits, "an integer literal is too long"
            ) from None
        line = max(1, min(error.lineno or 1, len(lines)))
        column = max(1, min(error.offset or 1, len(lines[line - 1]) + 1))
        kind = type(error).__name__
        detail = message if kind == "SyntaxError" else f"{kind}: {message}"
        raise SourceSyntaxError(detail, line=line, column=column) from None
    except (RecursionError, MemoryError, SystemError) as error:
        raise _too_deep(limits, str(error) or type(error).__name__) from None
    except (ValueError, UnicodeError) as error:
        raise SourceSyntaxError(f"the text cannot be parsed: {error}", line=1, column=1) from None


def parse_program(source: str, limits: Limits = DEFAULT_LIMITS) -> Program:
    """Check `source` and return its tree; raise SourceSyntaxError, NotAllowed
    or LimitExceeded (each with line and column where they concern a place)."""
    check_text(source, limits)
    lines = split_lines(source)
    module = _parse(source, lines, limits)
    if not module.body:
        raise SourceSyntaxError("the program has no statements, only comments", line=1, column=1)
    is_expression = len(module.body) == 1 and isinstance(module.body[0], ast.Expr)
    program = Program(source, module, tuple(lines), is_expression)
    checker = Checker(program, limits)
    checker.classes = collect(module)
    checker.visit(module)
    names = Names(checker)
    free = names.check()
    classes = check_bases(names, checker)
    return Program(
        source,
        module,
        program.lines,
        is_expression,
        tuple(free) if is_expression else (),
        checker.found.function_locals,
        names.first_reads,
        classes,
    )
