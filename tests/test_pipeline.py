"""run_job: what an evaluate answer says about a drawing that leaves something out."""

from __future__ import annotations

import json

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
