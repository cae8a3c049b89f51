"""The checked program: the tree, its source lines, and where each node sits.

`Program` is what the parse stage hands to the evaluate stage. Its
`position` and `extent` turn the tree's UTF-8 byte offsets into the 1-based
character columns every error and span uses.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.parse.classes import ClassFacts

# One line's column conversion: None for an ASCII line (bytes are characters).
_Encoded = bytes | None


@dataclass(frozen=True, eq=False, slots=True)
class Program:
    """A program that passed every static check.

    `is_expression` is single-expression mode (the whole source is one
    expression statement); `free_names` are then the names it reads that the
    language does not predefine, in order of first use: they are bound from
    the request's inputs. `function_locals` maps each `def` and `lambda` to the names it
    binds (its parameters and assignments), so a read before assignment is an
    UnboundLocalError as in Python.
    """

    source: str
    module: ast.Module
    lines: tuple[str, ...]
    is_expression: bool
    free_names: tuple[str, ...] = ()
    function_locals: Mapping[ast.FunctionDef | ast.Lambda, frozenset[str]] = field(
        default_factory=dict
    )
    # The first node reading each name (where an input's leaf is said to be made).
    first_reads: Mapping[str, ast.Name] = field(default_factory=dict)
    # The program's own classes: their bases and super() calls (app.parse.classes).
    classes: ClassFacts = field(default_factory=ClassFacts)
    # Data derived from the tree that every evaluation of this program shares
    # (the evaluator caches spans here: a keystroke re-evaluates the same tree).
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)
    _encoded: dict[int, _Encoded] = field(default_factory=dict, repr=False)

    def column(self, line: int, byte_offset: int) -> int:
        """1-based character column of a 0-based UTF-8 byte offset on a 1-based line."""
        encoded = self._encoded.get(line, b"")
        if encoded == b"":
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            encoded = None if text.isascii() else text.encode("utf-8", "surrogatepass")
            self._encoded[line] = encoded
        if encoded is None:
            return byte_offset + 1
        return len(encoded[:byte_offset].decode("utf-8", "replace")) + 1

    def position(self, node: ast.AST) -> tuple[int, int]:
        """1-based line and character column where `node` starts."""
        line: int = getattr(node, "lineno", 1) or 1
        return line, self.column(line, getattr(node, "col_offset", 0) or 0)

    def extent(self, node: ast.AST) -> tuple[int, int, int, int]:
        """(line, column, end_line, end_column), columns in characters, end exclusive."""
        line, column = self.position(node)
        end_line: int = getattr(node, "end_lineno", None) or line
        end_offset = getattr(node, "end_col_offset", None)
        end_column = column if end_offset is None else self.column(end_line, end_offset)
        return line, column, end_line, end_column
