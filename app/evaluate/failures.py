"""What becomes of an exception raised while a program runs.

Torch and Python operations raise their own exceptions (shape mismatch,
backward twice, division by zero, a missing name). The interpreter turns
each, at the innermost call or statement that raised it, into a
`CaughtError`: a UserRuntimeError carrying the original, with torch's
message (without C++ stack noise) and the line and column. A program's
`try/except` catches only these; every other VisualizerError (refusals,
limits) passes through it. RecursionError and MemoryError (and torch's
failed allocations) become LimitExceeded, which no program can catch either.
"""

from __future__ import annotations

import re

from app.errors import LimitExceeded, UserRuntimeError, VisualizerError
from app.limits import Limits

_ADDRESS = re.compile(r"\s+at 0x[0-9a-fA-F]+|0x[0-9a-fA-F]{6,}")
_TRIGGERED = re.compile(r"\s*\(Triggered internally at [^)]*\)\.?")
_NOISE = ("\nException raised from", "\nframe #", "\nTraceback")
MAX_MESSAGE = 2_000


def clean_text(text: str) -> str:
    """Exception text without torch's C++ stacks and notes, or memory addresses."""
    for marker in _NOISE:
        cut = text.find(marker)
        if cut >= 0:
            text = text[:cut]
    text = _ADDRESS.sub("", _TRIGGERED.sub("", text))
    return text[:MAX_MESSAGE] + " ..." if len(text) > MAX_MESSAGE else text


def printed(exc: BaseException) -> str:
    """str(exc), cleaned: what `print(e)` shows in the program (may be empty)."""
    try:
        return clean_text(str(exc))
    except Exception:
        return ""


def clean_message(exc: BaseException) -> str:
    """An exception's message for a person: first paragraphs, no stacks, no
    addresses, never empty."""
    return printed(exc).strip() or type(exc).__name__


def describe(exc: BaseException) -> str:
    """torch's RuntimeError speaks for itself; other kinds keep their name."""
    message = clean_message(exc)
    if type(exc) is RuntimeError:
        return message
    return f"{type(exc).__name__}: {message}"


class CaughtError(UserRuntimeError):
    """A torch or Python exception the program may catch with try/except."""

    def __init__(self, original: Exception, line: int, column: int) -> None:
        super().__init__(describe(original), line=line, column=column)
        self.original = original


def too_deep(limits: Limits, line: int | None = None, column: int | None = None) -> LimitExceeded:
    return LimitExceeded(
        "call_depth",
        limits.call_depth,
        "the program nests calls or expressions too deeply for the interpreter's stack",
        line=line,
        column=column,
    )


def out_of_memory(limits: Limits, line: int | None, column: int | None) -> LimitExceeded:
    return LimitExceeded(
        "memory_bytes",
        limits.memory_bytes,
        "the program ran out of memory",
        line=line,
        column=column,
    )


def convert(exc: BaseException, limits: Limits, line: int, column: int) -> VisualizerError:
    """The error a raw exception becomes at (line, column)."""
    if isinstance(exc, VisualizerError):
        return exc
    if isinstance(exc, RecursionError):
        return too_deep(limits, line, column)
    if isinstance(exc, MemoryError) or allocation_failed(exc):
        return out_of_memory(limits, line, column)
    if isinstance(exc, Exception):
        return CaughtError(exc, line, column)
    raise exc


def allocation_failed(exc: BaseException) -> bool:
    # torch reports a failed CPU allocation (RLIMIT_AS reached) as a RuntimeError.
    return isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc)
