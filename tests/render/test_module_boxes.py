"""The default style's module boxes (app/render/module_boxes.py), through real Graphviz."""

from __future__ import annotations

import re

import pygraphviz

from app.evaluate import run_source
from app.graph import build_graph
from app.job import RenderOptions
from app.render import drawing_notes, render, svg_inline, to_dot

XOR = """
import torch
import torch.nn as nn
torch.manual_seed(0)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.fc2 = nn.Linear(3, 1)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))

net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for epoch in range(2):
    opt.zero_grad()
    loss = ((net(torch.ones(4, 2)) - 1) ** 2).mean()
    loss.backward()
    opt.step()
"""

RECURRENT = """
import torch
import torch.nn as nn
torch.manual_seed(0)
cell = nn.Linear(2, 2)
h = torch.zeros(1, 2)
for t in range(2):
    h = torch.tanh(cell(h) + 1)
out = h.sum()
"""

INNER_LOOP = """
import torch
import torch.nn as nn
torch.manual_seed(0)

class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return x

deep = Deep()
y = deep(torch.ones(1, 2)).sum()
"""


def _boxes(dot: str) -> dict[str, tuple[str, set[str]]]:
    """Each cluster of the DOT: its label and the nodes directly in it."""
    graph = pygraphviz.AGraph(string=dot)
    try:
        found = {}
        for sub in graph.subgraphs_iter():
            stack = [sub]
            while stack:
                box = stack.pop()
                inner = {str(n) for child in box.subgraphs_iter() for n in child.nodes()}
                found[box.name] = (box.graph_attr["label"], {str(n) for n in box.nodes()} - inner)
                stack.extend(box.subgraphs_iter())
        return found
    finally:
        graph.close()


def _labels(graph_nodes: dict[str, str], names: set[str]) -> list[str]:
    return sorted(graph_nodes[n] for n in names if n in graph_nodes)


def test_each_module_call_is_a_box_inside_the_loop_iteration() -> None:
    graph = build_graph(run_source(XOR))
    ops = {node.id: node.label for node in graph.nodes if node.kind == "op"}
    boxes = _boxes(to_dot(graph, RenderOptions()))
    labels = {label: (name, members) for name, (label, members) in boxes.items()}
    assert set(labels) == {"for epoch, iteration 1", "net: Net", "fc1: Linear", "fc2: Linear"}
    loop, net = labels["for epoch, iteration 1"][0], labels["net: Net"][0]
    fc1, fc2 = labels["fc1: Linear"][0], labels["fc2: Linear"][0]
    assert re.fullmatch(r"cluster_L\d+i1", loop)
    assert net.startswith(loop + "_M") and fc1.startswith(net + "_M") and fc2.startswith(net + "_M")
    assert _labels(ops, labels["fc1: Linear"][1]) == ["AddmmBackward0", "TBackward0"]
    assert _labels(ops, labels["fc2: Linear"][1]) == ["AddmmBackward0", "TBackward0"]
    assert _labels(ops, labels["net: Net"][1]) == ["TanhBackward0"]
    assert "MeanBackward0" in _labels(ops, labels["for epoch, iteration 1"][1])


def test_the_graph_model_says_which_calls_made_each_node() -> None:
    graph = build_graph(run_source(XOR))
    tanh = next(n for n in graph.nodes if n.label == "TanhBackward0").to_dict()
    assert [(m["path"], m["type"], m["loops"]) for m in tanh["modules"]] == [("net", "Net", 1)]
    addmm = [n.to_dict() for n in graph.nodes if n.label == "AddmmBackward0"]
    assert {m["modules"][-1]["path"] for m in addmm} == {"net.fc1", "net.fc2"}
    fc1 = next(m["modules"][-1] for m in addmm if m["modules"][-1]["path"] == "net.fc1")
    assert fc1["span"]["line"] == 9  # self.fc1 = nn.Linear(2, 3): where it was made
    assert tanh["modules"][0]["span"]["line"] == 6  # class Net(nn.Module):


def test_two_calls_of_one_module_are_two_boxes_in_their_iterations() -> None:
    boxes = _boxes(to_dot(build_graph(run_source(RECURRENT)), RenderOptions()))
    cells = [name for name, (label, _) in boxes.items() if label == "cell: Linear"]
    assert len(cells) == 2
    assert {name.split("_M")[0] for name in cells} == {
        name for name, (label, _) in boxes.items() if label.startswith("for t")
    }


def test_a_loop_in_forward_is_a_box_inside_the_modules() -> None:
    boxes = _boxes(to_dot(build_graph(run_source(INNER_LOOP)), RenderOptions()))
    by_label = {label: name for name, (label, _) in boxes.items()}
    deep = by_label["deep: Deep"]
    assert by_label["for layer, iteration 0"].startswith(deep + "_L")
    assert by_label["layers.0: Linear"].startswith(by_label["for layer, iteration 0"] + "_M")
    assert by_label["layers.1: Linear"].startswith(by_label["for layer, iteration 1"] + "_M")


def test_the_option_turns_the_boxes_off() -> None:
    graph = build_graph(run_source(XOR))
    without = to_dot(graph, RenderOptions(group_modules=False))
    assert "_M" not in without and "net: Net" not in without
    assert [label for label, _ in _boxes(without).values()] == ["for epoch, iteration 1"]
    no_loops = _boxes(to_dot(graph, RenderOptions(group_loops=False)))
    assert {label for label, _ in no_loops.values()} == {"net: Net", "fc1: Linear", "fc2: Linear"}
    assert all(not name.startswith("cluster_L") for name in no_loops)


def test_programs_without_modules_draw_as_before() -> None:
    source = "x = torch.ones(2, requires_grad=True)\ny = x\nfor i in range(2):\n    y = y * x\n"
    graph = build_graph(run_source(source))
    assert to_dot(graph, RenderOptions()) == to_dot(graph, RenderOptions(group_modules=False))


def test_the_svg_names_module_boxes_and_passes_the_check() -> None:
    graph = build_graph(run_source(XOR))
    svg = svg_inline(graph, RenderOptions(), id_prefix="g1")
    ids = re.findall(r'id="g1(cluster[^"]*)" class="cluster"', svg)
    assert len(ids) == 4 and sum("_M" in i for i in ids) == 3
    assert ">net: Net<" in svg and ">fc1: Linear<" in svg
    assert render(graph, RenderOptions(), "png").startswith(b"\x89PNG")
    assert svg == svg_inline(build_graph(run_source(XOR)), RenderOptions(), id_prefix="g1")


def test_a_modules_name_is_escaped() -> None:
    source = (
        "m = nn.Sequential()\nm.add_module('a\"b<c', nn.Linear(1, 1))\n"
        "y = m(torch.ones(1, 1)).sum()\n"
    )
    graph = build_graph(run_source(source))
    assert 'a\\"b<c: Linear' in to_dot(graph, RenderOptions())
    assert "a&quot;b&lt;c: Linear" in svg_inline(graph, RenderOptions())


def test_too_many_boxes_draw_the_loop_boxes_alone() -> None:
    source = (
        "m = nn.Tanh()\ny = torch.ones(1, requires_grad=True)\n"
        "for i in range(300):\n    y = m(m(y))\n"
    )
    graph = build_graph(run_source(source))
    expanded = RenderOptions(loops="expanded")
    dot = to_dot(graph, expanded)
    assert "_M" not in dot and "cluster_L3i299" in dot
    (note,) = drawing_notes(graph, expanded)
    assert "leaves out its module boxes" in note and "graph.nodes[].modules" in note
    assert drawing_notes(graph, RenderOptions(group_modules=False, loops="expanded")) == []
    # Collapsed (the default for such a loop), the iterations drawn keep their boxes.
    collapsed = to_dot(graph, RenderOptions())
    assert "cluster_L3i299_M" in collapsed and "cluster_L3i0_M" in collapsed
    assert drawing_notes(graph, RenderOptions()) == []
