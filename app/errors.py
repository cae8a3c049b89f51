"""Every error the core raises on purpose, as one tree.

    VisualizerError                 code                 HTTP
     +-- SourceError                (has line, column)
     |    +-- SourceSyntaxError     syntax_error         400
     |    +-- NotAllowed            not_allowed          400
     |    +-- UserRuntimeError      runtime_error        400
     +-- LimitExceeded              limit_exceeded       422  (line, column when known)
     +-- InvalidRequest             invalid_request      422
     +-- RenderFailed               render_error         422  (Graphviz could not draw it)

User programs can never catch a VisualizerError: the interpreter's `try`
only catches exceptions raised by torch and by Python operations themselves.
The HTTP layer turns each into an RFC 9457 problem document; the CLI prints
`file:line:column: code: detail`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class VisualizerError(Exception):
    """Base of every deliberate error; `code` and `status` say what kind."""

    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal error"
    status: ClassVar[int] = 500

    def __init__(
        self,
        detail: str,
        *,
        line: int | None = None,
        column: int | None = None,
        end_line: int | None = None,
        end_column: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column

    def to_dict(self) -> dict[str, Any]:
        """The fields of the problem document, without the HTTP `type`."""
        out: dict[str, Any] = {
            "code": self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.line is not None:
            out["line"] = self.line
            out["column"] = self.column
            if self.end_line is not None:
                out["end_line"] = self.end_line
                out["end_column"] = self.end_column
        return out

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.code}: {self.detail}"
        return f"{self.line}:{self.column}: {self.code}: {self.detail}"


class SourceError(VisualizerError):
    """An error about a place in the user's source (1-based line and column)."""


class SourceSyntaxError(SourceError):
    code = "syntax_error"
    title = "Syntax error"
    status = 400


class NotAllowed(SourceError):
    code = "not_allowed"
    title = "Not allowed"
    status = 400


class UserRuntimeError(SourceError):
    code = "runtime_error"
    title = "Runtime error"
    status = 400


class LimitExceeded(VisualizerError):
    """A resource limit; `limit` names it and `value` is its configured value."""

    code = "limit_exceeded"
    title = "Limit exceeded"
    status = 422

    def __init__(
        self,
        limit: str,
        value: int | float,
        detail: str,
        *,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(detail, line=line, column=column)
        self.limit = limit
        self.value = value

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["limit"] = self.limit
        out["limit_value"] = self.value
        return out


class InvalidRequest(VisualizerError):
    code = "invalid_request"
    title = "Invalid request"
    status = 422


class RenderFailed(VisualizerError):
    """Graphviz could not lay the graph out (it crashed on it, twice): the
    numbers are still answered, the drawing is not."""

    code = "render_error"
    title = "Graph not drawn"
    status = 422
