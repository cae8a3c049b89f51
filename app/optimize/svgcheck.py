"""matplotlib's SVG, checked against an allowlist before it is served.

The plots are served as images and inlined in pages, so, as for the graph
SVG (app.render.svg): only drawing elements, no script, no event handler
attributes, no link leaving the document (`xlink:href` and `url(...)` point
at `#id`s inside it; an `<image>`'s at its own PNG, as a `data:` URL: an
`imshow` heatmap, or markers drawn as pixels), no style sheet, no entity
declarations. User text reaches a plot only as glyph paths; this check is
the net under that, and under a matplotlib upgrade that changes its output.
Anything else is an SvgError: a bug, never served.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

ELEMENTS = frozenset(
    f"{SVG}{name}"
    for name in (
        "svg",
        "defs",
        "g",
        "path",
        "use",
        "clipPath",
        "rect",
        "polyline",
        "polygon",
        "image",
    )
)
IMAGE = f"{SVG}image"
ATTRIBUTES = frozenset(
    {
        "width",
        "height",
        "viewBox",
        "version",
        "id",
        "d",
        "x",
        "y",
        "style",
        "transform",
        "clip-path",
        "stroke-linejoin",
        "stroke-linecap",
        "points",
        XLINK_HREF,
    }
)
_URL = re.compile(r"url\(([^)]*)\)")
_LOCAL = re.compile(r"#[A-Za-z_][A-Za-z0-9_.-]*")
_PNG = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=\s]*")


class SvgError(RuntimeError):
    """The drawing holds something the allowlist does not: never served."""


def check_svg(text: str) -> None:
    if "<!" in text or "<?" in text:
        raise SvgError("a declaration, DOCTYPE or processing instruction in the SVG")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise SvgError(f"the SVG is not well-formed XML: {exc}") from None
    if root.tag != f"{SVG}svg":
        raise SvgError(f"the root element is {root.tag}, not svg")
    for element in root.iter():
        if element.tag not in ELEMENTS:
            raise SvgError(f"element {element.tag} is not allowed")
        if (element.text or "").strip() or (element.tail or "").strip():
            raise SvgError(f"text inside {element.tag}")
        for name, value in element.attrib.items():
            if name not in ATTRIBUTES:
                raise SvgError(f"attribute {name} of {element.tag} is not allowed")
            if name == XLINK_HREF and not (
                _LOCAL.fullmatch(value) or (element.tag == IMAGE and _PNG.fullmatch(value))
            ):
                raise SvgError(f"link {value[:40]!r} leaves the document")
            for target in _URL.findall(value):
                if not _LOCAL.fullmatch(target.strip()):
                    raise SvgError(f"url({target[:40]}) leaves the document")
            if name == "style" and ("@" in value or "\\" in value or "expression" in value):
                raise SvgError("a style that is more than properties")
