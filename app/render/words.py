"""The words beside the numbers of a node, where they say what a student
would otherwise get wrong.

A gradient on a node is either one torch keeps (a leaf's `.grad`, or a
tensor's after `retain_grad()`: what `print(x.grad)` prints) or one only
the visualizer shows (torch computed it during backward() and let it go:
`print(a.grad)` prints None). The row says which: `.grad` for the first,
`grad, not kept` for the second; an unnamed operation's output gradient
(no variable to print) stays `grad`. SPEC.md section 1; app.evaluate.kept.
"""

from __future__ import annotations

from app.graph.model import Node

KEPT = ".grad"
NOT_KEPT = "grad, not kept"
PLAIN = "grad"


def grad_key(node: Node) -> str:
    """The label of a node's gradient row."""
    if node.kept in ("leaf", "retain_grad"):
        return KEPT
    if node.kept == "visualizer":
        return NOT_KEPT
    return PLAIN
