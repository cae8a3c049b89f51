"""Graphviz's SVG with our ids, checked against an allowlist: safe to inline.

Graphviz writes an XML prolog, a DOCTYPE, comments (node names), `<title>`
elements and ids of its own (`node3`, `edge7`, `clust1`). The SVG we serve is
inlined in HTML pages too, so:

1. everything before `<svg`, comments, `<title>`s, `<a>` wrappers and the
   unused xlink namespace are removed;
2. ids become ours: a node's group is `id="n0" class="node op"` (its kind),
   a node drawn again in a loop box `id="n0r5" class="node copy op"` (n0,
   for edge e5: style_default),
   an edge's `id="e0" class="edge"`, a loop box `id="cluster_L2i0"
   class="cluster"` (a module call's box inside it `cluster_L2i0_M3`:
   app.render.module_boxes), the root group `id="graph"`, each with an optional
   prefix for pages that inline several graphs. A group's identity comes
   from its `<title>`: the node name for nodes, `cluster_...` for clusters.
   Graphviz names edges `edge<k>` in creation order and both styles create
   edges in Graph.edges order, so `edge<k>` is our `e<k-1>`; the edge's title
   (`n1->n0`) is checked against the model;
3. the result must match, as a whole, a grammar of what we allow: the
   elements `svg g polygon polyline path ellipse text tspan`, presentation
   attributes only (no `on*`, no `href`, no `style`, no parentheses but in
   `transform`, so no `url(...)`),
   our ids only, attribute values and text with no markup and only the
   predefined or numeric character references. Anything else (a script,
   an image, a link, an entity, a Graphviz id we did not rename) is an
   SvgError, never served.

Regular expressions, not an XML parser, because the check runs on every
render: the whole grammar is one compiled pattern, linear (possessive
quantifiers), about 20 µs for a 7-node graph where an expat rewrite with
Python callbacks cost 300 µs. Tests parse every SVG we produce as XML.
"""

from __future__ import annotations

import html
import re

from app.graph.model import Graph
from app.render.style_default import copy_name

SVG_NS = "http://www.w3.org/2000/svg"

ELEMENTS = ("svg", "g", "polygon", "polyline", "path", "ellipse", "text", "tspan")
ATTRIBUTES = (
    "width",
    "height",
    "viewBox",
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "points",
    "d",
    "cx",
    "cy",
    "rx",
    "ry",
    "x",
    "y",
    "text-anchor",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-decoration",
    "baseline-shift",
    "xml:space",
    "class",
)

_PREFIX = re.compile(r"(?:[A-Za-z][A-Za-z0-9_-]*)?")
_COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)
_GROUP = re.compile(
    r'<g id="(node|edge|clust)(\d+)" class="(?:node|edge|cluster)">\n'
    r"<title>([^<]*)</title>\n"
)
_GRAPH = re.compile(r'<g id="graph0" class="graph"')
_ID_START = re.compile(r'(<[a-z]+) id="')
_TITLE = re.compile(r"<title>[^<]*</title>\n?")
_ANCHOR = re.compile(r"<a(?: [^<>]*)?>\n?|</a>\n?")
_XLINK_NS = re.compile(r' xmlns:xlink="http://www\.w3\.org/1999/xlink"')

# The grammar of what we serve.
_REF = r"&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});"
# Attribute values are all ours (colours, fonts, coordinates): no markup, no
# references, no parentheses (so no `url(...)`), except transform's own syntax.
_VALUE = r'"[^"<>&()]*+"'
_TRANSFORM = r'transform="(?:[a-z]++\([-0-9.e, ]*+\)\s*+)*+"'
_ID = (
    r'id="(?:n[0-9]+(?:r[0-9]+)?|k[0-9]+|e[0-9]+|'
    r'cluster(?:_(?:L[0-9]+i[0-9]+|M[0-9]+))++|graph)"'
)
_ATTR = rf"\s++(?:(?:{'|'.join(re.escape(a) for a in ATTRIBUTES)})={_VALUE}|{_TRANSFORM}|{_ID})"
_NAMES = "|".join(ELEMENTS)
_ROOT = rf'<svg xmlns="{re.escape(SVG_NS)}"(?:{_ATTR})*+>'
# Text: no markup, and no character XML 1.0 cannot carry.
_CHARS = "[^<&\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
_TOKEN = rf"<(?:{_NAMES})\b(?:{_ATTR})*+\s*+/?>|</(?:{_NAMES})>|(?:{_CHARS}++|{_REF})++"
_DOCUMENT = re.compile(rf"{_ROOT}(?:{_TOKEN})*+\s*")


class SvgError(RuntimeError):
    """Graphviz's SVG did not match the graph or the allowlist (a bug of ours)."""


def sanitise(svg: bytes, graph: Graph, id_prefix: str = "") -> str:
    """Graphviz's SVG as the inline-ready SVG text described above."""
    if not _PREFIX.fullmatch(id_prefix):
        raise ValueError("an id prefix is a letter, then letters, digits, '_' or '-'")
    text = svg.decode("utf-8")
    start = text.find("<svg")
    if start < 0:
        raise SvgError("no <svg> element in Graphviz's output")
    text = _COMMENT.sub("", text[start:])
    kinds = {node.id: node.kind for node in graph.nodes}
    # The copies an edge may start from, by name, and the node each copies:
    # worked out at the first node that is not the model's (most graphs have none).
    copies: dict[str, str] = {}

    def group(match: re.Match[str]) -> str:
        what, number, title = match.group(1), int(match.group(2)), match.group(3)
        if "&" in title:  # our node names never need it; cluster names neither
            title = html.unescape(title)
        if what == "node":
            if title in kinds:
                return f'<g id="{title}" class="node {kinds[title]}">\n'
            if not copies:
                copies.update((copy_name(edge), edge.source) for edge in graph.edges)
            if title in copies:  # a node drawn again in a loop box (style_default)
                return f'<g id="{title}" class="node copy {kinds[copies[title]]}">\n'
            raise SvgError(f"unknown node {title!r} in Graphviz's SVG")
        if what == "edge":
            if not 0 < number <= len(graph.edges):
                raise SvgError(f"unknown edge {number} in Graphviz's SVG")
            edge = graph.edges[number - 1]
            if title not in (f"{edge.source}->{edge.target}", f"{copy_name(edge)}->{edge.target}"):
                raise SvgError(f"Graphviz's edge {number} is {title!r}, not {edge.id}")
            return f'<g id="{edge.id}" class="edge">\n'
        if not re.fullmatch(r"cluster(?:_(?:L\d+i\d+|M\d+))+", title):
            raise SvgError(f"unknown cluster {title!r} in Graphviz's SVG")
        return f'<g id="{title}" class="cluster">\n'

    text = _GROUP.sub(group, text)
    text = _GRAPH.sub('<g id="graph" class="graph"', text, count=1)
    text = _TITLE.sub("", text)
    text = _ANCHOR.sub("", text)
    text = _XLINK_NS.sub("", text, count=1)
    text = text.replace("<svg ", f'<svg xmlns="{SVG_NS}" ', 1).replace(
        f' xmlns="{SVG_NS}">', ">", 1
    )
    if not _DOCUMENT.fullmatch(text):
        raise SvgError("Graphviz's SVG holds something outside the allowlist")
    if id_prefix:
        # Checked: every id in the text is one of ours.
        text = _ID_START.sub(rf'\1 id="{id_prefix}', text)
    return text
