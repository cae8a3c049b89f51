"""Escaping of text that reaches DOT, Graphviz HTML-like labels and SVG.

Everything user-derived (variable names, values, attribute texts, loop
variables) passes through one of these before it reaches a DOT string.
Graphviz reads label text twice: as DOT (or XML, for HTML-like labels), then
as an escString, where `\\N`, `\\G`, `\\L`... become the node's name, the
graph's name..., and where character entities (`&amp;`, `&#92;`) are decoded
even in plain quoted labels. So:

- `html_text`: text inside a Graphviz HTML-like label (`label=<...>`): that
  label is parsed as XML, so `& < > " '` become entities; backslashes are
  doubled (an escString `\\\\` is one backslash, so `\\N` stays `\\N`);
  characters XML cannot carry (controls, lone surrogates, U+FFFE/U+FFFF) are
  dropped.
- `dot_string`: a double-quoted DOT string used as a label: backslashes
  doubled, quotes escaped, `&` as `&amp;` (else `&lt;` would print `<`),
  newlines as `\\n`.

The SVG that Graphviz writes is then checked against an allowlist
(`svg.py`); `xml_text` and `xml_attr` escape what we write into SVG.
"""

from __future__ import annotations

import re

# Characters XML 1.0 cannot carry, plus DEL and the C1 controls (invisible,
# and a classic way to smuggle text past a reader).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_HTML = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#39;",
        "\\": "\\\\",
        "\t": " ",
    }
)
_DOT = str.maketrans({"\\": "\\\\", '"': '\\"', "&": "&amp;", "\n": "\\n", "\r": "", "\t": " "})


def clean(text: str) -> str:
    """`text` without the characters XML (and so SVG) cannot carry."""
    return _NOT_XML.sub("", text)


def html_text(text: str) -> str:
    """Text for a Graphviz HTML-like label. Newlines become spaces: labels
    that want lines build them with `<BR/>` themselves."""
    return clean(text).translate(_HTML).replace("\n", " ").replace("\r", " ")


def dot_string(text: str) -> str:
    """A double-quoted DOT string whose content reads back as `text`."""
    return '"' + clean(text).translate(_DOT) + '"'


# Anything xml_text or xml_attr would change; most SVG values (numbers,
# points, colours) hold none, and skip the work.
_XML_SPECIAL = re.compile('[&<>"\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]')


def xml_text(text: str) -> str:
    """Character data in the SVG we write."""
    if not _XML_SPECIAL.search(text):
        return text
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(text: str) -> str:
    """An attribute value (in double quotes) in the SVG we write."""
    if not _XML_SPECIAL.search(text):
        return text
    return (
        clean(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )
