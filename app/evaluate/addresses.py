"""Memory addresses in printed text, made the same on every run.

Python prints an object without a repr of its own as `<__main__.Point object
at 0x7f3a5c2e1d90>`: the address is the object's id, different in every
process. A program may print one (its own class's instances, a module's
hooks), and the same request must give the same bytes, so the address is
replaced by one that depends only on the program: the first address a run
prints becomes FIRST, the next new one FIRST + STRIDE, and so on. An object
printed twice prints the same address both times; two live objects never
share one. The text is the object's real repr otherwise.
"""

from __future__ import annotations

import re

# `<... at 0x...>` as object.__repr__ writes it (lowercase hex, then `>`).
ADDRESS = re.compile(r" at 0x([0-9a-f]+)(?=>)")
FIRST = 0x7F0000001000
STRIDE = 0x60  # a small object's size on the heap, as CPython spaces them


class Addresses:
    """One run's map from real addresses to the ones printed."""

    __slots__ = ("printed",)

    def __init__(self) -> None:
        self.printed: dict[int, int] = {}

    def address(self, real: int) -> int:
        shown = self.printed.get(real)
        if shown is None:
            shown = self.printed[real] = FIRST + STRIDE * len(self.printed)
        return shown

    def sub(self, text: str) -> str:
        """`text` with every `at 0x...>` address replaced by its stand-in."""
        if " at 0x" not in text:
            return text
        return ADDRESS.sub(lambda match: f" at {self.address(int(match[1], 16)):#x}", text)
