"""The SVG we serve: valid XML, our ids and classes, nothing that runs or fetches."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from app.evaluate import run_source
from app.graph import Graph, build_graph
from app.job import RenderOptions
from app.render import render, svg_inline
from app.render.svg import SvgError, sanitise
from tests.conftest import lessons
from tests.graph import programs
from tests.graph.evaluations import evaluation_of

SVG = "{http://www.w3.org/2000/svg}"
ALLOWED = {"svg", "g", "polygon", "polyline", "path", "ellipse", "text", "tspan"}
OPTIONS = [
    RenderOptions(),
    RenderOptions(theme="dark", rankdir="LR"),
    RenderOptions(show_attrs=True, show_saved=True),
    RenderOptions(style="torchviz"),
    RenderOptions(style="torchviz", show_attrs=True, show_saved=True),
]


def graph_for(name: str, options: RenderOptions) -> Graph:
    evaluation = evaluation_of(programs.PROGRAMS[name], backward=name not in programs.OWN_BACKWARD)
    return build_graph(evaluation, show_saved=options.show_saved, show_attrs=options.show_attrs)


def check_svg(text: str, graph: Graph, prefix: str = "") -> ET.Element:
    assert text.startswith("<svg ") and "<?xml" not in text and "<!" not in text
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    groups: dict[str, str] = {}
    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        assert tag in ALLOWED, tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert "href" not in name.lower(), name
            assert "url(" not in value.lower() and "javascript" not in value.lower()
        if "id" in element.attrib:
            assert tag == "g"
            groups[element.attrib["id"]] = element.attrib["class"]
    expected = {prefix + "graph": "graph"}
    expected.update({prefix + n.id: f"node {n.kind}" for n in graph.nodes})
    expected.update({prefix + e.id: "edge" for e in graph.edges})
    # A node drawn again in a loop box (style_default): n<k>r<m> copies n<k>
    # for edge e<m>, whose source it is.
    kinds = {n.id: n.kind for n in graph.nodes}
    sources = {e.id: e.source for e in graph.edges}
    for name in groups:
        copy = re.fullmatch(re.escape(prefix) + r"(n\d+)r(\d+)", name)
        if copy:
            assert sources[f"e{copy.group(2)}"] == copy.group(1), name
            expected[name] = f"node copy {kinds[copy.group(1)]}"
    clusters = {k: v for k, v in groups.items() if v == "cluster"}
    assert {k: v for k, v in groups.items() if v != "cluster"} == expected
    assert all(re.fullmatch(re.escape(prefix) + r"cluster(_L\d+i\d+)+", k) for k in clusters)
    return root


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: f"{o.style}-{o.theme}-{o.show_saved}")
@pytest.mark.parametrize("name", sorted(programs.PROGRAMS))
def test_every_svg_is_clean_xml_with_our_ids(name: str, options: RenderOptions) -> None:
    graph = graph_for(name, options)
    check_svg(render(graph, options, "svg").decode(), graph)


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: f"{o.style}-{o.theme}-{o.show_saved}")
def test_every_seed_lesson_svg_is_clean_xml(options: RenderOptions) -> None:
    for lesson in lessons():
        evaluation = run_source(lesson["source"], lesson.get("inputs"), lesson.get("output"))
        flags = {"show_saved": options.show_saved, "show_attrs": options.show_attrs}
        graph = build_graph(evaluation, **flags)
        check_svg(render(graph, options, "svg").decode(), graph)


def test_id_prefix_for_pages_with_several_graphs() -> None:
    graph = graph_for("loop", RenderOptions())
    text = svg_inline(graph, RenderOptions(), id_prefix="g2-")
    check_svg(text, graph, prefix="g2-")
    with pytest.raises(ValueError):
        svg_inline(graph, RenderOptions(), id_prefix='x" onload="alert(1)')


def test_loop_iterations_are_labelled_boxes() -> None:
    graph = graph_for("loop", RenderOptions())
    root = ET.fromstring(render(graph, RenderOptions(), "svg"))
    clusters = [g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert [c.get("id") for c in clusters] == ["cluster_L2i0", "cluster_L2i1", "cluster_L2i2"]
    labels = ["".join(t.itertext()) for c in clusters for t in c.iter(f"{SVG}text")]
    assert labels == [f"loop at line 2, iteration {i}" for i in range(3)]
    flat = render(graph, RenderOptions(group_loops=False), "svg")
    assert b'class="cluster"' not in flat


def test_nested_loops_nest() -> None:
    graph = graph_for("nested_loops", RenderOptions())
    dot = render(graph, RenderOptions(), "dot").decode()
    outer = dot.index("subgraph cluster_L3i0 {")
    inner = dot.index("subgraph cluster_L3i0_L4i1 {")
    assert outer < inner < dot.index("subgraph cluster_L3i1 {")
    check_svg(render(graph, RenderOptions(), "svg").decode(), graph)


def graphviz_like(body: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<svg width="10pt" height="10pt" viewBox="0 0 10 10"'
        ' xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        '<g id="graph0" class="graph" transform="scale(1 1)">\n' + body + "</g>\n</svg>\n"
    ).encode()


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>\n",
        '<polygon onload="alert(1)" points="0,0"/>\n',
        '<image href="http://example.com/x.png"/>\n',
        '<polygon fill="url(http://example.com/#x)" points="0,0"/>\n',
        '<polygon style="fill:red" points="0,0"/>\n',
        "<foreignObject><div/></foreignObject>\n",
        '<g id="node9" class="other">\n</g>\n',
        "<text>&#0;</text>\n".replace("&#0;", "\x01"),
    ],
)
def test_anything_outside_the_allowlist_is_refused(body: str) -> None:
    graph = Graph()
    assert sanitise(graphviz_like(""), graph).startswith("<svg")
    with pytest.raises(SvgError):
        sanitise(graphviz_like(body), graph)


def test_groups_must_match_the_model() -> None:
    graph = graph_for("sin", RenderOptions())
    node = '<g id="node1" class="node">\n<title>n99</title>\n</g>\n'
    with pytest.raises(SvgError, match="unknown node"):
        sanitise(graphviz_like(node), graph)
    edge = '<g id="edge1" class="edge">\n<title>n0&#45;&gt;n1</title>\n</g>\n'
    with pytest.raises(SvgError, match="not e0"):
        sanitise(graphviz_like(edge), graph)
    # A copy is known only as its edge's source, for that edge.
    first = graph.edges[0]
    copy = f'<g id="node1" class="node">\n<title>{first.source}r0</title>\n</g>\n'
    assert 'class="node copy' in sanitise(graphviz_like(copy), graph)
    for wrong in (f"{first.target}r0", f"{first.source}r999"):
        stranger = f'<g id="node1" class="node">\n<title>{wrong}</title>\n</g>\n'
        with pytest.raises(SvgError, match="unknown node"):
            sanitise(graphviz_like(stranger), graph)
