"""Raw-text hygiene: what the source must be before ast.parse sees it.

Checked here, on the characters, because the tree cannot show them: the
size limit, characters that are not valid text (NUL and other control
characters, lone surrogates) and bidirectional controls, which make the
text display differently from what it means ("Trojan Source",
CVE-2021-42574); they are refused even inside strings and comments.
Everything about meaning is checked on the tree (app.parse.checker).
"""

from __future__ import annotations

import re
import unicodedata

from app.errors import LimitExceeded, NotAllowed, SourceSyntaxError
from app.limits import Limits

LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Tab, line feed, carriage return and form feed are the only controls Python
# source uses; U+0085 (NEL) is a C1 control.
_INVALID = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def split_lines(source: str) -> list[str]:
    """The source's lines as the tokenizer counts them (\\r\\n, \\r and \\n)."""
    return LINE_BREAK.split(source)


def char_position(source: str, index: int) -> tuple[int, int]:
    """1-based line and column (in characters) of the character at `index`."""
    lines = split_lines(source[:index])
    return len(lines), len(lines[-1]) + 1


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    try:
        return f"{code} ({unicodedata.name(char)})"
    except ValueError:
        return code


def check_text(source: str, limits: Limits) -> None:
    """Raise if `source` is too long, empty, or holds characters we refuse."""
    if len(source) > limits.source_chars:
        raise LimitExceeded(
            "source_chars",
            limits.source_chars,
            f"the program is {len(source):,} characters long; "
            f"the limit is {limits.source_chars:,} characters",
        )
    bad = _INVALID.search(source)
    if bad is not None:
        line, column = char_position(source, bad.start())
        char = bad.group()
        if char == "\x00":
            what = "a NUL character (U+0000)"
        elif "\ud800" <= char <= "\udfff":
            what = f"a lone surrogate ({_describe(char)}), which is not valid text"
        else:
            what = f"the control character {_describe(char)}"
        raise SourceSyntaxError(f"the program contains {what}; remove it", line=line, column=column)
    bidi = _BIDI.search(source)
    if bidi is not None:
        line, column = char_position(source, bidi.start())
        raise NotAllowed(
            f"the bidirectional control character {_describe(bidi.group())} is not allowed, "
            "even in strings and comments: it makes the text display differently "
            "from what runs",
            line=line,
            column=column,
        )
    if not source.strip():
        raise SourceSyntaxError(
            "the program is empty: type an expression such as 3*sin(x) + x",
            line=1,
            column=1,
        )
