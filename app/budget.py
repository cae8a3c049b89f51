"""Bytes an answer may take: one budget, spent where the answer is made.

A worker answers with one body (app.pipeline): the JSON of /evaluate, the
page's summary of it, or an image alone (SVG, PNG, DOT, graph JSON). Every
body is bounded by `Limits.answer_bytes` (AUTOGRAD_VIZ_ANSWER_MB, 8 MiB by
default) in the worker, part by part, as it is made, so nothing larger is
built, sent to the server process or cached there:

- text is cut with a marker (`cut`): strings in values at TEXT_CHARS,
  names, labels, loop targets and attribute texts at LABEL_CHARS;
- every part of an answer takes its bytes from one `Budget`; a part that
  does not fit is summarised (a value as a large tensor is: its first
  items, `"truncated": true`) or left out, and `Budget.notes` says which,
  for the answer's `warnings`;
- sizes count every occurrence: a list that holds one list a thousand times
  is written a thousand times, so it costs a thousand times (never a body
  that grows with the repetition of a reference);
- an image that is larger than the limit is refused: `check_bytes` raises
  LimitExceeded("answer_bytes") (422), since an image has no `warnings`.

How a new part of an answer is bounded (the libraries being added bring
ndarray values, figure SVGs, parameter tables):
- a value: `encode_value(value, budget)` (app.evaluate.encode) writes any
  value a program holds within the budget; a library whose values are
  written in their own way registers a writer there
  (`app.evaluate.encode.WRITERS[cls] = writer`), and the writer takes every
  byte it writes from the budget (`budget.take(n)`, `json_size(x)`), as
  `encode_tensor` does;
- a new field of the /evaluate answer: one `Part` in `app.pipeline.PARTS`,
  a function `(run, budget) -> JSON value`, with the value the answer holds
  when the part does not fit (`fallback`) and the words for the warning.
  The pipeline measures what the part made and leaves it out, with the
  warning, if it is larger than what is left;
- a new kind of image answer (GET figure.svg): `check_bytes(body, limit)`
  before it is returned.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, overload

from app.errors import LimitExceeded

TEXT_CHARS = 10_000  # a string in a value
LABEL_CHARS = 200  # a name, a label, a loop's target, an attribute's text


def cut(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and a marker saying how many went."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters]"


@overload
def name_label(name: str) -> str: ...
@overload
def name_label(name: None) -> None: ...
def name_label(name: str | None) -> str | None:
    """A name (a variable's, the output's) as answers and drawings show it: cut
    at LABEL_CHARS, with a digest of the whole so two long names stay two."""
    if name is None or len(name) <= LABEL_CHARS:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:LABEL_CHARS]}… [{len(name) - LABEL_CHARS:,} more characters, {digest}]"


def json_size(value: Any) -> int:
    """The bytes `value` takes in an answer's JSON (UTF-8, compact)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def megabytes(n: int | float) -> str:
    return f"{n / (1 << 20):,.1f} MiB" if n >= 1 << 20 else f"{n / 1024:,.0f} KiB"


class Budget:
    """The bytes an answer may still take, and what was left out to keep to them."""

    __slots__ = ("limit", "whole", "left", "notes", "short")

    def __init__(self, limit: int, whole: int | None = None) -> None:
        self.limit = limit
        self.whole = limit if whole is None else whole  # the answer's limit, for the warnings
        self.left = limit
        self.notes: list[str] = []
        self.short = False  # something was cut or left out

    def take(self, n: int) -> bool:
        """Spend `n` bytes if they are left; False (nothing spent) if not."""
        if n > self.left:
            self.short = True
            return False
        self.left -= n
        return True

    def share(self, fraction: float) -> Budget:
        """A budget of at most `fraction` of what is left, to be `settle`d after."""
        return Budget(int(self.left * fraction), self.whole)

    def settle(self, part: Budget) -> None:
        """Spend what a `share` spent, and keep its notes."""
        self.left -= part.limit - part.left
        self.keep_notes(part)

    def keep_notes(self, part: Budget) -> None:
        """Keep what a `share` noted (and whether it fell short), not what it spent."""
        self.short = self.short or part.short
        for note in part.notes:
            self.note(note)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def _over(size: int, limit: int) -> str:
    """`size`, written so that it reads as more than `limit` (1.0 MiB would not)."""
    text = megabytes(size)
    if text == megabytes(limit):
        return f"{size:,} bytes"
    return text


def check_bytes(body: bytes, limit: int, what: str = "the answer") -> bytes:
    """`body`, if it is within `limit` bytes; else LimitExceeded("answer_bytes")."""
    if len(body) > limit:
        raise LimitExceeded(
            "answer_bytes",
            limit,
            f"{what} would be {_over(len(body), limit)}, more than the limit of "
            f"{megabytes(limit)} for one answer",
        )
    return body
