"""The default style's module boxes: each module call around the operations it made.

`net(x)` is drawn as a box labelled `net: Net` around the autograd nodes its
forward made, with a box `fc1: Linear` inside it for each layer it called,
nested as the calls nested (app.evaluate.modules records them: Node.modules).
Loops and module calls nest in one tree: a training loop's iteration box
holds the model's box; a loop inside `forward` is a box inside the model's.
Each ModuleStep knows how many of the node's loop steps were open when the
call began (`loops`), which fixes where it sits among them.

Boxes are Graphviz clusters, like the loop boxes (style_default), named
`cluster_L<line>i<iteration>` for a loop step and `..._M<call>` for a
module call (the SVG check, svg.py, knows both); a module box is drawn with
a solid border, a loop box dashed. The page finds a module box's module by
its call number in the graph model, to light up the line that made it.

Loop steps are left out when the loop boxes are (group_loops off, or past
MAX_LOOP_BOXES); module boxes too, past MAX_LOOP_BOXES boxes in all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.evaluate.result import LoopStep, ModuleStep
from app.graph.model import Graph
from app.job import RenderOptions
from app.render.escape import dot_string
from app.render.theme import Palette

# Past this many boxes in all, module boxes are left out (style_default's
# MAX_LOOP_BOXES, for the same reason: Graphviz's clusters).
MAX_BOXES = 500

# A box: a loop step (line, iteration) or a module call (its number).
Key = tuple[str, int, int]
Member = tuple[str, tuple[LoopStep, ...], tuple[ModuleStep, ...]]


def draws_module_boxes(graph: Graph, options: RenderOptions) -> bool:
    return options.group_modules and any(node.modules for node in graph.nodes)


def _path(
    loops: tuple[LoopStep, ...], modules: tuple[ModuleStep, ...], with_loops: bool
) -> list[LoopStep | ModuleStep]:
    """The boxes around one node, outermost first: loop steps and module calls
    in the order they were entered."""
    path: list[LoopStep | ModuleStep] = []
    done = 0
    for module in modules:
        while done < min(module.loops, len(loops)):
            if with_loops:
                path.append(loops[done])
            done += 1
        path.append(module)
    if with_loops:
        path.extend(loops[done:])
    return path


def _key(step: LoopStep | ModuleStep) -> Key:
    if isinstance(step, ModuleStep):
        return ("M", step.call, 0)
    return ("L", step.line, step.iteration)


def _part(step: LoopStep | ModuleStep) -> str:
    if isinstance(step, ModuleStep):
        return f"M{step.call}"
    return f"L{step.line}i{step.iteration}"


def module_label(step: ModuleStep, outer: ModuleStep | None) -> str:
    """`fc1: Linear` inside `net: Net`; the full path outside any module box."""
    path = step.path
    if outer is not None and outer.path and path.startswith(outer.path + "."):
        path = path[len(outer.path) + 1 :]
    return f"{path}: {step.kind}" if path else step.kind


def _loop_label(step: LoopStep) -> str:
    if step.target:
        return f"for {step.target}, iteration {step.iteration}"
    return f"loop at line {step.line}, iteration {step.iteration}"


@dataclass
class _Box:
    step: LoopStep | ModuleStep | None
    nodes: list[str] = field(default_factory=list)
    boxes: dict[Key, _Box] = field(default_factory=dict)


def box_count(members: list[Member], with_loops: bool) -> int:
    boxes: set[tuple[Key, ...]] = set()
    for _, loops, modules in members:
        path = tuple(_key(step) for step in _path(loops, modules, with_loops))
        boxes.update(path[:depth] for depth in range(1, len(path) + 1))
    return len(boxes)


def _members(graph: Graph) -> list[Member]:
    return [(node.id, node.loops, node.modules) for node in graph.nodes]


def module_box_notes(graph: Graph, options: RenderOptions, with_loops: bool) -> list[str]:
    """What the drawing leaves out of the module calls, for the answer's warnings."""
    if not draws_module_boxes(graph, options):
        return []
    boxes = box_count(_members(graph), with_loops)
    if boxes <= MAX_BOXES:
        return []
    return [
        f"The drawing leaves out its module boxes: with the loop boxes they are {boxes:,} "
        f"(more than {MAX_BOXES} take Graphviz too long to lay out); each node's module "
        "calls are still in the graph model (graph.nodes[].modules)."
    ]


def module_box_lines(
    graph: Graph,
    members: list[tuple[str, tuple[LoopStep, ...]]],
    colours: Palette,
    with_loops: bool,
) -> list[str]:
    """The clusters for style_default's DOT nodes (`members`: each with its
    loops; a node drawn again in a loop box is in no module box)."""
    modules = {node.id: node.modules for node in graph.nodes}
    boxed: list[Member] = [(name, loops, modules.get(name, ())) for name, loops in members]
    if box_count(boxed, with_loops) > MAX_BOXES:
        boxed = [(name, loops, ()) for name, loops in members]  # the loop boxes alone
    if not with_loops and not any(m for _, _, m in boxed):
        return []
    return module_clusters(boxed, colours, with_loops)


def module_clusters(members: list[Member], colours: Palette, with_loops: bool) -> list[str]:
    """Subgraph clusters for loop steps and module calls, nested as they ran."""
    top = _Box(None)
    for name, loops, modules in members:
        box = top
        for step in _path(loops, modules, with_loops):
            box = box.boxes.setdefault(_key(step), _Box(step))
        if box is not top:
            box.nodes.append(name)
    lines: list[str] = []
    # Depth-first with an explicit stack; boxes in source order (loop line and
    # iteration, then module calls in the order they were made).
    Frame = tuple[_Box, str, ModuleStep | None]
    stack: list[Frame | None] = [
        (box, "cluster", None) for _, box in sorted(top.boxes.items(), reverse=True)
    ]
    while stack:
        item = stack.pop()
        if item is None:
            lines.append("}")
            continue
        box, parent, outer = item
        current = box.step
        assert current is not None
        name = f"{parent}_{_part(current)}"
        lines.append(f"subgraph {name} {{")
        if isinstance(current, ModuleStep):
            # Solid, on the page's own background: it stands out of a loop box.
            label = module_label(current, outer)
            style, fill = '"rounded,filled"', colours.background
            outer = current
        else:
            label = _loop_label(current)
            style, fill = '"rounded,dashed,filled"', colours.cluster_fill
        lines.append(
            f"graph [label={dot_string(label)} labeljust=l style={style}"
            f" fillcolor={dot_string(fill)} color={dot_string(colours.cluster_border)}]"
        )
        lines.extend(box.nodes)
        stack.append(None)
        stack.extend((child, name, outer) for _, child in sorted(box.boxes.items(), reverse=True))
    return lines
