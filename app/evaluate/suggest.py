"""`did you mean` for a name that is not defined, as Python (3.10 on) words it.

Only in the error the page shows: a program's own `except NameError as e`
sees Python's message, without it, as `str(e)` is in Python.

`rnage(3)` was answered "name 'rnage' is not defined", where Python's own
traceback adds "Did you mean: 'range'?" (and `torch.ten` already got the
allowlist's suggestions). The candidates are what the program could have
meant at that point: its variables in every enclosing scope and the
predefined names (builtins, `torch`, the bare math functions).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to `name`, if one is close (difflib's 0.6 cut-off,
    about Python's own), else None."""
    names = sorted({c for c in candidates if c != name and not c.startswith("_")})
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return close[0] if close else None


def suggestion(name: str, candidates: Iterable[str]) -> str:
    """What Python's traceback adds to the NameError of `name`, or ""."""
    close = did_you_mean(name, candidates)
    return "" if close is None else f". Did you mean: {close!r}?"
