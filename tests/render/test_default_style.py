"""The default style: names, values, gradients, edge gradients, themes, options."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pygraphviz

from app.graph import Graph, build_graph
from app.job import RenderOptions
from app.render import render, to_dot
from tests.graph import programs
from tests.graph.evaluations import evaluation_of

SVG = "{http://www.w3.org/2000/svg}"


def texts_by_group(graph: Graph, options: RenderOptions) -> dict[str, list[str]]:
    """The text lines of each node and edge group of the SVG, by our id."""
    root = ET.fromstring(render(graph, options, "svg"))
    found: dict[str, list[str]] = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class", "").startswith(("node", "edge")):
            found[group.get("id", "")] = [t.text or "" for t in group.iter(f"{SVG}text")]
    return found


def sin_graph() -> Graph:
    return build_graph(evaluation_of(programs.sin))


def test_tensor_nodes_show_name_shape_value_and_grad() -> None:
    texts = texts_by_group(sin_graph(), RenderOptions())
    # x's gradient is x.grad (torch keeps a leaf's); y's is only ours: y.grad is None.
    assert texts["n5"] == ["x", "()", "data", "5.0", ".grad", "1.85099"]
    assert texts["n0"] == ["y", "()", "data", "5.12323", "grad, not kept", "1.0"]


def test_op_nodes_show_class_step_and_gradient() -> None:
    texts = texts_by_group(sin_graph(), RenderOptions())
    assert texts["n4"] == ["SinBackward0", "#4", "grad", "3.0"]
    # The op that made the output: the output node below shows its tensor.
    assert texts["n1"] == ["AddBackward0", "#1"]
    named = texts_by_group(build_graph(evaluation_of(programs.retain_grad)), RenderOptions())
    # No retain_grad(): torch does not keep a's gradient (a.grad is None).
    row = ["PowBackward0", "#3", "a", "()", "data", "4.0", "grad, not kept", "3.0"]
    assert row in named.values()


def test_edges_carry_small_gradients() -> None:
    texts = texts_by_group(sin_graph(), RenderOptions())
    assert texts["e2"] == [" 3.0"]  # SinBackward0 -> MulBackward0
    assert texts["e3"] == [" 0.850987"]  # 3*cos(5)
    assert texts["e4"] == [" 1.85099"]  # x -> AccumulateGrad
    plain = texts_by_group(sin_graph(), RenderOptions(show_edge_grads=False))
    assert all(plain[e] == [] for e in plain if e.startswith("e"))
    # Gradients of more than 3 elements are not written on edges.
    vectors = build_graph(evaluation_of(programs.sum_squares))
    shown = texts_by_group(vectors, RenderOptions())
    assert {e.id: shown[e.id] for e in vectors.edges} == {
        e.id: ([" 1.0"] if e.grad == 1.0 else []) for e in vectors.edges
    }
    assert sum(isinstance(e.grad, list) for e in vectors.edges) == 3


def test_toggles_hide_values_and_gradients() -> None:
    texts = texts_by_group(sin_graph(), RenderOptions(show_values=False, show_grads=False))
    assert texts["n5"] == ["x", "()"]
    assert texts["n4"] == ["SinBackward0"]
    only_values = texts_by_group(sin_graph(), RenderOptions(show_grads=False))
    assert only_values["n5"] == ["x", "()", "data", "5.0"]


def test_show_attrs_and_saved_in_the_default_style() -> None:
    graph = build_graph(evaluation_of(programs.exp_result), show_saved=True, show_attrs=True)
    texts = texts_by_group(graph, RenderOptions(show_attrs=True))
    [exp] = [t for t in texts.values() if t and t[0] == "ExpBackward0"]
    assert "result" in exp and "[saved tensor]" in exp
    saved_edges = [t for k, t in texts.items() if k[0] == "e" and t == ["result"]]
    assert len(saved_edges) == 1
    dot = to_dot(graph, RenderOptions())
    assert "dir=none style=dashed" in dot


def test_dark_theme_and_rankdir() -> None:
    graph = sin_graph()
    for options, bgcolor in (
        (RenderOptions(), "#ffffff"),
        (RenderOptions(theme="dark"), "#0d1117"),
    ):
        parsed = pygraphviz.AGraph(string=to_dot(graph, options))
        assert parsed.graph_attr["bgcolor"] == bgcolor
        parsed.close()
    root = ET.fromstring(render(graph, RenderOptions(theme="dark"), "svg"))
    text_colours = {t.get("fill") for t in root.iter(f"{SVG}text")}
    assert text_colours <= {"#e6edf3", "#9198a1", "#ffa657"}  # light on dark
    tall = ET.fromstring(render(graph, RenderOptions(), "svg"))
    wide = ET.fromstring(render(graph, RenderOptions(rankdir="LR"), "svg"))

    def size(root: ET.Element) -> tuple[float, float]:
        return float(root.get("width", "")[:-2]), float(root.get("height", "")[:-2])

    assert size(tall)[1] > size(tall)[0] and size(wide)[0] > size(wide)[1]


def test_big_values_are_abbreviated() -> None:
    graph = build_graph(evaluation_of(programs.mlp))
    texts = texts_by_group(graph, RenderOptions())
    [w1] = [t for t in texts.values() if t and t[0] == "W1"]
    assert w1[1] == "(3, 5)" and w1[3].startswith("[[") and w1[3].endswith(", …]]")


def loop_graph(iterations: int, body: str = "y = torch.sin(y) * 0.9") -> Graph:
    """`y = x`, then `body` in a loop (line 3) of `iterations`, then `y`."""
    from app.evaluate import run_source

    source = (
        "x = torch.tensor(0.5, requires_grad=True)\ny = x\n"
        f"for i in range({iterations}):\n    {body}\ny\n"
    )
    return build_graph(run_source(source))


# Long loops drawn whole (by default they are collapsed: tests/graph/test_collapse.py).
EXPANDED = RenderOptions(loops="expanded")

# Each iteration also uses x, from outside the loop.
OUTER = "y = torch.sin(y) * 1.01 + x"


def test_a_graph_with_too_many_loop_boxes_is_drawn_without_them() -> None:
    from app.render import drawing_notes
    from app.render.style_default import MAX_LOOP_BOXES, loop_boxes

    small, big = loop_graph(3), loop_graph(MAX_LOOP_BOXES + 1)
    assert loop_boxes(small) == 3 and loop_boxes(big) == MAX_LOOP_BOXES + 1
    assert "subgraph cluster_" in to_dot(small, EXPANDED)
    assert drawing_notes(small, EXPANDED) == []
    assert "subgraph cluster_" not in to_dot(big, EXPANDED)
    [note] = drawing_notes(big, EXPANDED)
    assert f"{MAX_LOOP_BOXES + 1:,} loop boxes" in note and "graph.nodes[].loops" in note
    # The model keeps every node's iterations, and other styles are not concerned.
    assert all(node.loops for node in big.nodes if node.label in ("SinBackward0", "MulBackward0"))
    assert drawing_notes(big, RenderOptions(style="torchviz", loops="expanded")) == []
    assert drawing_notes(big, RenderOptions(group_loops=False, loops="expanded")) == []


def test_a_tensor_used_in_every_iteration_is_drawn_again_in_each_box() -> None:
    # Found by exploratory testing: with one node feeding every iteration,
    # Graphviz set the loop boxes side by side (20 iterations: 3,428 x 2,930
    # pt; 200: 37,738 pt wide). Drawn again in each box, they stack.
    import re

    from app.render.style_default import REPEAT_AFTER_BOXES

    graph = loop_graph(20, OUTER)
    dot = to_dot(graph, EXPANDED)
    by_id = {node.id: node for node in graph.nodes}
    [accumulate] = [n for n in graph.nodes if n.label == "AccumulateGrad"]
    fed = [e for e in graph.edges if e.source == accumulate.id]
    assert len(fed) == 21  # x's Sin in the first box, then the Add of every box
    copies = [e for e in fed if re.search(rf"^{e.source}r{e.id[1:]} -> {e.target}\b", dot, re.M)]
    assert len(copies) == 19  # every box but the first
    assert {by_id[e.target].loops[0].iteration for e in copies} == set(range(1, 20))
    for edge in copies:  # each copy sits in its edge's box, and reads "x again"
        box = by_id[edge.target].loops[0].iteration
        cluster = dot.split(f"subgraph cluster_L3i{box} {{\n", 1)[1].split("}", 1)[0]
        assert f"\n{edge.source}r{edge.id[1:]}\n" in cluster
    assert re.search(rf"{accumulate.id}r\d+ \[label=<.*<B>x</B>.*again", dot)
    # The SVG: the copies are ours, every edge is there once, and the boxes stack.
    svg = render(graph, EXPANDED, "svg").decode()
    assert svg.count('class="node copy op"') == 19
    assert sorted(re.findall(r'id="(e\d+)" class="edge"', svg)) == sorted(e.id for e in graph.edges)
    root = ET.fromstring(svg)
    width, height = (float(root.get(side, "0").removesuffix("pt")) for side in ("width", "height"))
    assert height > 3 * width
    # Fewer boxes than REPEAT_AFTER_BOXES: no copy.
    assert "again" not in to_dot(loop_graph(REPEAT_AFTER_BOXES - 1, OUTER), EXPANDED)


def test_without_loop_boxes_the_copies_keep_a_long_loop_drawable() -> None:
    # Without boxes, one node's labelled edges into 50 iterations took Graphviz
    # past 10 s (the graph was left undrawn at the render time-out); drawn
    # again at each iteration, it lays out at once.
    import time

    from app.limits import Limits

    graph = loop_graph(50, OUTER)
    options = RenderOptions(group_loops=False, loops="expanded")
    assert "subgraph cluster_" not in to_dot(graph, options)
    assert to_dot(graph, options).count(">again<") == 49
    started = time.monotonic()
    svg = render(graph, options, "svg", Limits(render_time_s=10)).decode()
    assert svg.count('class="node copy op"') == 49
    assert time.monotonic() - started < 5


def test_an_unnamed_output_is_headed_output() -> None:
    # Found by issue 21: `3*sin(x) + x + 3` drew its output with a blank header.
    from app.evaluate import run_source

    graph = build_graph(run_source("3*sin(x) + x + 3", {"x": 5}))
    [output] = [node for node in graph.nodes if node.kind == "output"]
    assert output.name is None
    assert texts_by_group(graph, RenderOptions())[output.id][0] == "output"
