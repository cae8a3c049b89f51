"""The default style: micrograd-like records a student reads at a glance.

Tensor nodes are small tables, `name (shape)` over `data` and `grad` rows;
operation nodes show their autograd class, their step in the backward pass
(`#1` ran first) and, when the tensor they made has a name, its name, value
and gradient. Edges carry the gradient that flowed along them. Nodes made in
a loop iteration sit in a labelled box per iteration (nested loops nest);
the operations of a module call in a box of their own, nested with the
loops (app.render.module_boxes).

A tensor made outside the loops and used in many iterations (`y = y*w + b`
in a loop of 20) is drawn once, where it was made, with its edge into the
first iteration, and again as a small dashed copy ("w again") at each later
iteration, inside its box, its edge starting there. Long edges from one
node into every box made Graphviz set the boxes side by side (200
iterations: 37,738 pt wide, 2,930 pt tall) and route around each; the
copies let them stack down the page (3,927 x 57,473 pt, in half the time).
Without boxes (group_loops off, or past MAX_LOOP_BOXES) the same long
edges, labelled, took Graphviz past 10 s at 50 iterations; with the copies,
0.1 s. The copy is named `<node>r<edge number>` (`n11r5`: n11 again, for
e5), so the SVG check knows it (svg.py); the JSON model has one node.

Labels are Graphviz HTML-like labels; every text in them goes through
`escape.html_text`, every quoted DOT string through `escape.dot_string`.
Node and cluster names in the DOT are ours (`n0`, `cluster_L2i0`), never a
user's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.evaluate.result import LoopStep
from app.graph.model import Edge, Graph, Node
from app.job import RenderOptions
from app.render.collapsed import more_label
from app.render.escape import dot_string, html_text
from app.render.module_boxes import draws_module_boxes, module_box_lines
from app.render.numbers import count, shape_text, short
from app.render.theme import Palette, palette
from app.render.words import grad_key

FONT = "Helvetica"
ATTR_CHARS = 30  # show_attrs values in a node, truncated
EDGE_GRAD_ELEMENTS = 3  # gradients of at most this many elements are written on edges
# Past this many loop boxes the drawing leaves them out: Graphviz lays clusters
# out superlinearly (a 5,000-node loop: 17 s with its 2,498 boxes, 1.1 s
# without; BENCHMARKS.md), past the render time, so the graph would not be
# drawn at all. The answer says so (drawing_notes); the model keeps the loops.
MAX_LOOP_BOXES = 500
# How a loop box opens in the DOT (app.render lays such graphs out in the layout process).
_CLUSTER_PREFIX = "cluster_"  # Graphviz draws a subgraph as a box only under this name
CLUSTER = f"subgraph {_CLUSTER_PREFIX}"
# A node outside the loops that feeds this many loop iterations or more is
# drawn again at each iteration after the first (see the module docstring).
REPEAT_AFTER_BOXES = 3


def to_dot(graph: Graph, options: RenderOptions) -> str:
    colours = palette(options.theme)
    lines = [
        "digraph autograd {",
        f"graph [rankdir={options.rankdir} bgcolor={dot_string(colours.background)}"
        f' pad="0.2" nodesep="0.3" ranksep="0.35" fontname="{FONT}" fontsize="10"'
        f" fontcolor={dot_string(colours.muted)}]",
        f'node [shape=plain fontname="{FONT}" fontsize="10" fontcolor={dot_string(colours.text)}]',
        f'edge [fontname="{FONT}" fontsize="9" arrowsize="0.7"'
        f" color={dot_string(colours.edge)} fontcolor={dot_string(colours.edge_grad)}]",
    ]
    # An op that made the output: the output node just below shows its tensor.
    kinds = {node.id: node.kind for node in graph.nodes}
    made_output = {e.source for e in graph.edges if kinds[e.target] == "output"}
    for node in graph.nodes:
        if node.kind == "more":  # a collapsed loop's box (app/render/collapsed.py)
            label = more_label(graph, node, colours)
        else:
            label = _node_label(node, options, colours, brief=node.id in made_output)
        lines.append(f"{node.id} [label=<{label}>]")
    # Edge id -> the copy of its source it starts from (see the module docstring).
    copies = repeated_sources(graph) if any(node.loops for node in graph.nodes) else {}
    members = [(node.id, node.loops) for node in graph.nodes]
    if copies:
        by_id = {node.id: node for node in graph.nodes}
        # An AccumulateGrad is copied under its leaf's name: "x again".
        leaf_of = {e.target: by_id[e.source] for e in graph.edges if by_id[e.source].kind == "leaf"}
        for edge in graph.edges:
            copy = copies.get(edge.id)
            if copy is not None:
                copied = by_id[edge.source]
                named = copied.name or getattr(leaf_of.get(copied.id), "name", None)
                label = _copy_label(copied, named or copied.label or copied.kind, colours)
                lines.append(f"{copy} [label=<{label}>]")
                members.append((copy, by_id[edge.target].loops))
    if draws_module_boxes(graph, options):
        loops = draws_loop_boxes(graph, options)
        lines.extend(module_box_lines(graph, members, colours, loops))
    elif draws_loop_boxes(graph, options):
        lines.extend(_clusters(members, colours))
    for edge in graph.edges:
        start = copies.get(edge.id, edge.source)
        lines.append(f"{start} -> {edge.target}{_edge_attrs(edge, options, colours)}")
    lines.append("}")
    return "\n".join(lines) + "\n"


# Node labels ---------------------------------------------------------------


def _font(text: str, colour: str, size: int | None = None) -> str:
    if not text:
        return ""  # Graphviz refuses an empty <FONT></FONT> (the label falls back to raw text)
    size_attr = f' POINT-SIZE="{size}"' if size else ""
    return f'<FONT COLOR="{colour}"{size_attr}>{text}</FONT>'


def _bold(text: str) -> str:
    return f"<B>{text}</B>" if text else ""  # an empty <B></B> is refused too


def _row(left: str, right: str) -> str:
    return f'<TR><TD ALIGN="LEFT">{left}</TD><TD ALIGN="RIGHT">{right}</TD></TR>'


def _table(rows: list[str], fill: str, colours: Palette) -> str:
    return (
        # No STYLE="rounded": it triples the SVG render time of a small graph.
        f'<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"'
        f' BGCOLOR="{fill}" COLOR="{colours.border}">' + "".join(rows) + "</TABLE>"
    )


def _shape_note(node: Node) -> str:
    text = shape_text(node.shape)
    if node.dtype and node.dtype != "float32":
        text = f"{text} {node.dtype}".strip()
    return text


def _value_rows(node: Node, options: RenderOptions, colours: Palette) -> list[str]:
    rows = []
    value = short(node.value) if options.show_values else None
    if value is not None:
        rows.append(_row(_font("data", colours.muted), html_text(value)))
    grad = short(node.grad) if options.show_grads else None
    if grad is not None:
        rows.append(_row(_font(grad_key(node), colours.muted), html_text(grad)))
    return rows


def _node_label(node: Node, options: RenderOptions, colours: Palette, brief: bool) -> str:
    fill = colours.fills[node.kind]
    if node.kind == "op":
        return _table(_op_rows(node, options, colours, brief), fill, colours)
    # An unnamed output (`3*sin(x) + x + 3`) is still the output: its header says so.
    header = _bold(
        html_text(node.name or node.saved_as or ("output" if node.kind == "output" else ""))
    )
    rows = [_row(header, _font(html_text(_shape_note(node)), colours.muted, 9))]
    rows.extend(_value_rows(node, options, colours))
    return _table(rows, fill, colours)


def _op_rows(node: Node, options: RenderOptions, colours: Palette, brief: bool) -> list[str]:
    step = ""
    if options.show_grads and node.step is not None:
        step = _font(f"#{node.step + 1}", colours.muted, 9)  # 1 ran first
    rows = [_row(_bold(html_text(node.label)), step)]
    if brief:
        pass
    elif node.name:
        note = _font(html_text(_shape_note(node)), colours.muted, 9)
        rows.append(_row(html_text(node.name), note))
        rows.extend(_value_rows(node, options, colours))
    else:
        # No tensor we know by name: the gradient of the op's output still is.
        grad = short(node.grad) if options.show_grads else None
        if grad is not None:
            rows.append(_row(_font("grad", colours.muted), html_text(grad)))
    if options.show_attrs:
        for key, text in node.attrs:
            shown = text if len(text) <= ATTR_CHARS else text[: ATTR_CHARS - 1] + "…"
            rows.append(
                _row(
                    _font(html_text(key), colours.muted, 9),
                    _font(html_text(shown), colours.muted, 9),
                )
            )
    return rows


def _copy_label(node: Node, name: str, colours: Palette) -> str:
    """A node drawn again inside a loop box: its name, dashed, "again"."""
    return (
        f'<TABLE BORDER="1" STYLE="dashed" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3"'
        f' BGCOLOR="{colours.fills[node.kind]}" COLOR="{colours.border}">'
        f"{_row(_bold(html_text(name)), _font('again', colours.muted, 9))}</TABLE>"
    )


def copy_name(edge: Edge) -> str:
    """The copy of the edge's source that the edge starts from: `n11r5` for e5."""
    return f"{edge.source}r{edge.id.removeprefix('e')}"


def repeated_sources(graph: Graph) -> dict[str, str]:
    """Edge id -> copy name, for the edges that start from a copy of their source:
    a source outside every loop that feeds REPEAT_AFTER_BOXES boxes or more,
    into every box but the first (in source order: loop line, iteration)."""
    loops = {node.id: node.loops for node in graph.nodes}
    fed: dict[str, list[tuple[str, tuple[tuple[int, int], ...]]]] = {}
    for edge in graph.edges:
        if not loops[edge.source] and loops[edge.target]:
            box = tuple((step.line, step.iteration) for step in loops[edge.target])
            fed.setdefault(edge.source, []).append((edge.id, box))
    copies: dict[str, str] = {}
    by_id = {edge.id: edge for edge in graph.edges}
    for uses in fed.values():
        boxes = {box for _, box in uses}
        if len(boxes) < REPEAT_AFTER_BOXES:
            continue
        first = min(boxes)
        for edge_id, box in uses:
            if box != first:
                copies[edge_id] = copy_name(by_id[edge_id])
    return copies


# Edges ---------------------------------------------------------------------


def _edge_attrs(edge: Edge, options: RenderOptions, colours: Palette) -> str:
    attrs: list[str] = []
    if edge.style == "none":  # a saved tensor: no direction, the attribute's name
        attrs.append(f"dir=none style=dashed color={dot_string(colours.saved_edge)}")
        if edge.saved_as:
            attrs.append(f"label={dot_string(edge.saved_as)} fontcolor={dot_string(colours.muted)}")
    elif edge.style == "dotted":  # a view's base
        attrs.append("style=dotted")
    elif options.show_edge_grads and edge.grad is not None:
        if count(edge.grad) <= EDGE_GRAD_ELEMENTS:
            text = short(edge.grad, whole=EDGE_GRAD_ELEMENTS)
            if text is not None:
                attrs.append(f"label={dot_string(' ' + text)}")
    return f" [{' '.join(attrs)}]" if attrs else ""


# Loop clusters --------------------------------------------------------------


def loop_boxes(graph: Graph) -> int:
    """How many loop boxes the graph's nodes fall in (nested ones included)."""
    boxes = {node.loops[:depth] for node in graph.nodes for depth in range(1, len(node.loops) + 1)}
    return len(boxes)


def draws_loop_boxes(graph: Graph, options: RenderOptions) -> bool:
    if not options.group_loops or not any(node.loops for node in graph.nodes):
        return False
    return loop_boxes(graph) <= MAX_LOOP_BOXES


@dataclass
class _Box:
    step: LoopStep | None
    nodes: list[str] = field(default_factory=list)
    boxes: dict[tuple[int, int], _Box] = field(default_factory=dict)


def _cluster_name(path: tuple[LoopStep, ...]) -> str:
    return _CLUSTER_PREFIX + "_".join(f"L{s.line}i{s.iteration}" for s in path)


def _cluster_label(step: LoopStep) -> str:
    if step.target:  # a `for` loop
        return f"for {step.target}, iteration {step.iteration}"
    return f"loop at line {step.line}, iteration {step.iteration}"


def _clusters(members: list[tuple[str, tuple[LoopStep, ...]]], colours: Palette) -> list[str]:
    """Subgraph clusters per (loop line, iteration), nested like the loops;
    `members` are the DOT nodes (copies included) with their loops."""
    top = _Box(None)
    for name, loops in members:
        box = top
        for step in loops:
            box = box.boxes.setdefault((step.line, step.iteration), _Box(step))
        if box is not top:
            box.nodes.append(name)
    lines: list[str] = []
    # Depth-first with an explicit stack: ("open", box, path) / ("close",).
    # Boxes in source order: by loop line, then iteration.
    stack: list[tuple[_Box, tuple[LoopStep, ...]] | None] = [
        (box, ()) for _, box in sorted(top.boxes.items(), reverse=True)
    ]
    while stack:
        item = stack.pop()
        if item is None:
            lines.append("}")
            continue
        box, parent = item
        assert box.step is not None
        path = (*parent, box.step)
        lines.append(f"subgraph {_cluster_name(path)} {{")
        lines.append(
            f"graph [label={dot_string(_cluster_label(box.step))} labeljust=l"
            f' style="rounded,dashed,filled" fillcolor={dot_string(colours.cluster_fill)}'
            f" color={dot_string(colours.cluster_border)}]"
        )
        lines.extend(box.nodes)
        stack.append(None)
        stack.extend((child, path) for _, child in sorted(box.boxes.items(), reverse=True))
    return lines
