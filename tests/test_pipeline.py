"""run_job: what an evaluate answer says about a drawing that leaves something out."""

from __future__ import annotations

import json

import pytest

from app.job import Job, RenderOptions
from app.pipeline import run_job
from app.render.style_default import MAX_LOOP_BOXES


def test_a_big_loop_is_drawn_without_its_boxes_and_the_answer_says_so() -> None:
    iterations = MAX_LOOP_BOXES + 20
    source = (
        "x = torch.tensor(0.5, requires_grad=True)\nh = x\n"
        f"for i in range({iterations}):\n    h = torch.sin(h) * 0.9\ny = h.sum()\n"
    )
    expanded = RenderOptions(loops="expanded")
    answer = json.loads(run_job(Job(source=source, options=expanded)))
    assert answer["svg"] is not None and 'class="cluster"' not in answer["svg"]
    assert any(f"{iterations:,} loop boxes" in warning for warning in answer["warnings"])
    loops = [node["loops"] for node in answer["graph"]["nodes"] if node["label"] == "SinBackward0"]
    assert len(loops) == iterations and all(len(steps) == 1 for steps in loops)

    small = json.loads(run_job(Job(source=source.replace(str(iterations), "3"), options=expanded)))
    assert 'class="cluster"' in small["svg"]
    assert not any("loop boxes" in warning for warning in small["warnings"])


def test_a_gradient_that_is_known_to_be_zero_is_answered() -> None:
    # Found by fuzzing: the ZeroTensor gradient of torch.sgn escaped as a 500.
    for fmt in (None, "svg"):
        job = Job(source="y = torch.sgn(x).sum()", inputs={"x": [1.0, 2.0]}, format=fmt)
        answer = json.loads(run_job(job))
        assert answer["gradients"]["x"]["value"] == [0.0, 0.0]
        edges = answer["graph"]["edges"]
        assert [0.0, 0.0] in [edge["grad"] for edge in edges]  # into and out of SgnBackward0


def test_an_answer_that_would_repeat_a_reference_stays_within_its_limit() -> None:
    # 24 characters of source were a 300 MB answer.
    from app.limits import Limits
    from app.pipeline import PAGE_BYTES

    source = '[["A"*100000]*1000]*3'
    for limit in (8 << 20, 1 << 20):
        body = run_job(Job(source=source), "evaluate", Limits(answer_bytes=limit))
        assert len(body) <= limit
        answer = json.loads(body)
        assert answer["truncated"] is True
        assert any("summarised" in warning for warning in answer["warnings"])
    page = run_job(Job(source=source), "page")
    assert len(page) <= PAGE_BYTES and json.loads(page)["truncated"] is True


def test_a_long_loop_target_is_cut_on_every_node() -> None:
    # `for d["<19 KB>"] in range(1400)` copied the text onto each of 1,400 nodes.
    from app.budget import LABEL_CHARS

    key = "B" * 19_000
    source = (
        "x = torch.ones(2, requires_grad=True)\ny = x\nd = {}\n"
        f'for d["{key}"] in range(300):\n    y = y * 1.0\ny.sum()'
    )
    body = run_job(Job(source=source, format="json"), "image")
    assert len(body) < 1 << 20
    targets = {s["target"] for n in json.loads(body)["nodes"] for s in n["loops"]}
    assert len(targets) == 1
    (target,) = targets
    assert target.startswith("d['BBB") and target.endswith("more characters]")
    assert len(target) < LABEL_CHARS + 40


def test_node_values_past_the_graphs_share_are_left_out_and_the_model_says_so() -> None:
    from app.limits import Limits

    source = (
        "y = torch.rand(1000, requires_grad=True)\nfor i in range(100):\n    y = y * 1.0\ny.sum()"
    )
    limits = Limits(answer_bytes=1 << 20)
    answer = json.loads(run_job(Job(source=source, format=None), "evaluate", limits))
    graph = answer["graph"]
    assert graph["truncated"] is True
    values = [node["value"] for node in graph["nodes"]]
    assert values[0] is not None or values[1] is not None  # the first nodes keep theirs
    assert None in values[-10:]
    assert len(json.dumps(answer)) <= 1 << 20
    whole = json.loads(run_job(Job(source=source.replace("100", "3"), format=None)))
    assert "truncated" not in whole["graph"]


def test_an_image_past_the_answer_limit_is_refused() -> None:
    import pytest

    from app.errors import LimitExceeded
    from app.job import RenderOptions
    from app.limits import Limits

    source = (
        "x = torch.ones(2, requires_grad=True)\ny = x\nfor i in range(60):\n    y = y * 2\ny.sum()"
    )
    limits = Limits(answer_bytes=100_000)
    whole = RenderOptions(loops="expanded")  # collapsed, the drawing is small
    for fmt in ("svg", "png"):
        with pytest.raises(LimitExceeded) as caught:
            job = Job(source=source, format=fmt, options=whole)  # type: ignore[arg-type]
            run_job(job, "image", limits)
        assert caught.value.limit == "answer_bytes"
    answer = json.loads(run_job(Job(source=source, options=whole), "evaluate", limits))
    assert answer["svg"] is None and answer["graph"]["nodes"]
    assert any("GET /api/v1/graph.svg draws it alone" in w for w in answer["warnings"])


def test_an_optimize_answer_is_bounded_too() -> None:
    from dataclasses import asdict

    import pytest

    from app.errors import LimitExceeded
    from app.limits import Limits
    from app.pipeline import handle

    job = {"source": "x**2 - 2*x", "variable": "x", "steps": 5}
    small = asdict(Limits(answer_bytes=2_000))
    for kind in ("optimize", "optimize_image"):
        with pytest.raises(LimitExceeded) as caught:
            handle({"kind": kind, "job": job, "limits": small})
        assert caught.value.limit == "answer_bytes"
    meta, body = handle({"kind": "optimize", "job": job})
    assert meta["media_type"] == "application/json" and body is not None
    assert json.loads(body)["runs"]


def test_every_answer_fits_every_limit() -> None:
    # The fields are measured as written: whatever the program and the limit,
    # the body is within it, values summarised and parts left out to fit.
    from app.limits import Limits
    from tests.evaluate.hostile_amplification import ANSWERED, HEAVY_PAGES

    many_gradients = (
        "\n".join(f"w{i} = torch.rand(1000, requires_grad=True)" for i in range(30))
        + "\nsum((w * w).sum() for w in ["
        + ", ".join(f"w{i}" for i in range(30))
        + "])"
    )
    printing = "for i in range(2000):\n    print('é' * 50)\n1"
    for source in [*ANSWERED, *HEAVY_PAGES, many_gradients, printing]:
        for limit in (200_000, 500_000, 2_000_000):
            body = run_job(Job(source=source), "evaluate", Limits(answer_bytes=limit))
            assert len(body) <= limit, (source[:40], limit, len(body))
            answer = json.loads(body)
            assert answer["key"] and isinstance(answer["warnings"], list)


def test_a_long_loop_is_drawn_collapsed_by_default_and_the_answer_says_which_nodes() -> None:
    source = (
        "x = torch.tensor(0.5, requires_grad=True)\nh = x\n"
        "for i in range(30):\n    h = torch.sin(h) * 0.9\ny = h.sum()\n"
    )
    answer = json.loads(run_job(Job(source=source)))
    [run] = answer["graph"]["collapsed"]
    assert (run["id"], run["line"], run["target"], run["first"], run["last"], run["count"]) == (
        "k0",
        3,
        "i",
        2,
        28,
        27,
    )
    assert answer["svg"].count('class="cluster"') == 3  # iterations 0, 1 and 29
    assert 'id="k0" class="node more"' in answer["svg"]
    ids = {node["id"] for node in answer["graph"]["nodes"]}  # the JSON model is whole
    assert set(run["nodes"]) < ids and len(run["nodes"]) == 27 * 2
    whole = json.loads(run_job(Job(source=source, options=RenderOptions(loops="expanded"))))
    assert whole["graph"]["collapsed"] == [] and whole["svg"].count('class="cluster"') == 30
    assert whole["graph"]["nodes"] == answer["graph"]["nodes"]


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("x = 3.5", "the output x is a float"),
        ("m = torch.nn.Linear(2, 1)", "the output m is a Linear module"),
        ("class Net(torch.nn.Module):\n    pass\nnet = Net()", "the output net is a Net module"),
        ("class A:\n    pass\na = A()", "the output a is an A object"),
        ("x = [1, 2]\nx", "the output x is a list"),
    ],
)
def test_an_output_that_is_no_tensor_is_not_drawn_and_the_answer_says_why(
    source: str, what: str
) -> None:
    answer = json.loads(run_job(Job(source=source), "evaluate"))
    assert answer["svg"] is None and answer["graph"]["nodes"] == []
    assert answer["warnings"] == [
        f"The graph is not drawn: {what}, not a tensor, and only tensors record an autograd "
        "graph (choose a tensor, such as a loss, as the output)"
    ]


@pytest.mark.parametrize(
    "source", ["x = torch.ones(2, requires_grad=True)\ny = [x * 2, 1]", "print(1)"]
)
def test_a_list_holding_a_tensor_is_drawn_and_no_output_needs_no_reason(source: str) -> None:
    answer = json.loads(run_job(Job(source=source), "evaluate"))
    assert answer["svg"].startswith("<svg") and answer["warnings"] == []
