"""Hostile names and texts: escaped for DOT, for Graphviz HTML labels and for SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pygraphviz
import pytest
import torch

from app.evaluate import run_source
from app.evaluate.result import Evaluation
from app.graph import build_graph
from app.job import RenderOptions
from app.render import render, to_dot
from app.render.escape import clean, dot_string, html_text, xml_attr, xml_text

HOSTILE = [
    "node",
    "edge",
    "graph",
    "strict",
    "subgraph",
    "digraph",
    "</script><script>alert(1)</script>",
    "<b>bold</b>",
    '"; n0 -> n1 [label="x',
    "a]; b [",
    "} digraph { x",
    "back\\slash\\",
    "\\N\\G\\L",
    "&amp; &lt; &#60; &",
    "<!-- comment -->",
    "é 漢字 \u202e",
    "new\nline\ttab",
    "nul\x00bell\x07",
    "\x00\x01",  # nothing left once cleaned: no empty <B></B> for Graphviz to refuse
]


def hostile_evaluation(name: str) -> Evaluation:
    """A real graph whose leaf and output carry `name` (names the evaluate
    stage would never make: the renderer must not rely on that)."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    return Evaluation(
        output=y,
        output_name=name + "!",
        tensor_names={id(x): name},
        named_tensors={name: x},
        keep=[x, y],
    )


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("style", ["default", "torchviz"])
def test_hostile_names_stay_text(name: str, style: str, capfd: pytest.CaptureFixture[str]) -> None:
    options = RenderOptions(style=style, show_attrs=True)  # type: ignore[arg-type]
    graph = build_graph(hostile_evaluation(name), show_attrs=True)
    dot = to_dot(graph, options)
    parsed = pygraphviz.AGraph(string=dot)  # Graphviz reads exactly our nodes and edges
    assert sorted(parsed.nodes()) == sorted(n.id for n in graph.nodes)
    assert len(parsed.edges()) == len(graph.edges)
    parsed.close()
    svg = render(graph, options, "svg")
    # Graphviz complains on stderr when it refuses a label (and then draws it raw).
    complaints = [line for line in capfd.readouterr().err.splitlines() if "Fontconfig" not in line]
    assert complaints == []
    assert b"<script" not in svg and b"<b>" not in svg and b"<!--" not in svg
    shown = " ".join(svg_texts(svg))
    visible = clean(name).replace("\n", " ").replace("\t", " ")
    if style == "default":
        assert visible in shown
        assert visible + "!" in shown
    else:
        # make_dot's labels: the name (a param) over the shape, one line each.
        for line in clean(name).split("\n"):
            assert line.strip() in shown


def test_loop_variable_names_in_cluster_labels_are_escaped() -> None:
    # The cluster label reads LoopStep.target when the evaluate stage gives one.
    from app.render.style_default import _cluster_label

    class Step:
        line, iteration, target = 2, 0, '"]; x [label=<b>'

    label = _cluster_label(Step())  # type: ignore[arg-type]
    assert dot_string(label).startswith('"for \\"]; x')


def test_program_text_never_reaches_the_drawing() -> None:
    source = (
        "# </script><script>alert(1)</script>\n"
        'note = "</script><img src=x onerror=alert(1)>"\n'
        "x = torch.tensor(2.0, requires_grad=True)\n"
        "y = x * 3\n"
    )
    evaluation = run_source(source)
    for options in (RenderOptions(), RenderOptions(style="torchviz", show_attrs=True)):
        graph = build_graph(evaluation, show_attrs=options.show_attrs)
        for fmt in ("svg", "dot", "json"):
            body = render(graph, options, fmt)  # type: ignore[arg-type]
            assert b"script" not in body and b"onerror" not in body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&#39;"),
        ("line\nbreak", "line break"),
        ("nul\x00", "nul"),
        ("\\N", "\\\\N"),
    ],
)
def test_html_text(text: str, expected: str) -> None:
    assert html_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('say "hi"', '"say \\"hi\\""'),
        ("\\N", '"\\\\N"'),
        ("ends\\", '"ends\\\\"'),
        ("a &lt; b", '"a &amp;lt; b"'),
        ("two\nlines", '"two\\nlines"'),
    ],
)
def test_dot_string(text: str, expected: str) -> None:
    assert dot_string(text) == expected
    # What Graphviz prints for it is the text itself.
    graph = pygraphviz.AGraph(string=f"digraph {{ a [shape=plain label={expected}] }}")
    svg = graph.draw(format="svg", prog="dot")
    graph.close()
    assert svg_texts(svg) == text.split("\n")


@pytest.mark.parametrize("text", ["\\N \\G \\L \\", "a &lt; b &amp; c", "<b>x</b>", "q'\"q"])
def test_html_text_prints_as_itself(text: str) -> None:
    label = f"<<TABLE><TR><TD>{html_text(text)}</TD></TR></TABLE>>"
    graph = pygraphviz.AGraph(string=f"digraph {{ a [shape=plain label={label}] }}")
    svg = graph.draw(format="svg", prog="dot")
    graph.close()
    assert svg_texts(svg) == [text]


def test_xml_escapes() -> None:
    assert xml_text("1 < 2 & 3 > 2") == "1 &lt; 2 &amp; 3 &gt; 2"
    assert xml_attr('a"b\nc') == "a&quot;b&#10;c"
    assert xml_attr("plain 1.5,2") == "plain 1.5,2"
    assert xml_text("bad\x01\udcff") == "bad"


def test_attribute_texts_are_escaped_too() -> None:
    x = torch.tensor([4.0, 9.0], requires_grad=True)
    y = torch.div(x, 2.0, rounding_mode="floor").sum()
    evaluation = Evaluation(output=y, output_name="y", tensor_names={id(x): "x"})
    graph = build_graph(evaluation, show_attrs=True)
    texts = {k: v for n in graph.nodes for k, v in n.attrs}
    assert texts.get("rounding_mode") == "floor"
    for style in ("default", "torchviz"):
        options = RenderOptions(style=style, show_attrs=True)  # type: ignore[arg-type]
        assert "floor" in " ".join(svg_texts(render(graph, options, "svg")))
