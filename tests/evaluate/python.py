"""The reference for differential tests: a program run by real Python and torch.

`python_stdout(source)` runs this test suite's own program text with `exec`
(never a user's) in a fresh namespace, with torch seeded as the evaluator
seeds it, and returns what it printed. `addresses_in_order` makes printed
memory addresses comparable: each distinct address becomes its order of
first appearance, as the evaluator numbers them (app.evaluate.addresses).
"""

from __future__ import annotations

import contextlib
import io
import re

import torch

_ADDRESS = re.compile(r" at 0x([0-9a-f]+)>")


def python_stdout(source: str) -> str:
    torch.manual_seed(0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(source, {"__name__": "__main__"})  # the reference: this suite's own text
    return out.getvalue()


def addresses_in_order(text: str) -> str:
    seen: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f" at #{seen.setdefault(match[1], len(seen))}>"

    return _ADDRESS.sub(number, text)
