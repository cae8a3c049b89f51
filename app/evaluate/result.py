"""What the evaluate stage hands to the graph stage.

The interpreter records, while it runs the program, everything the graph
needs that autograd itself does not keep: the first name each tensor was
bound to, the source span and loop iteration that created each autograd node,
the gradients of named intermediates, and what flowed through the backward
pass (edge gradients and the order the engine ran the nodes).

Tensors and autograd nodes are keyed by identity. PyTorch keeps one Python
object per tensor and per autograd node, so `id()` is stable while the object
lives; `Evaluation.keep` holds a reference to every keyed object for that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

# An autograd node (`tensor.grad_fn`, an entry of `next_functions`). torch has
# no public Python type for it, hence Any.
AutogradNode = Any


@dataclass(frozen=True, slots=True)
class Span:
    """A source region: 1-based lines, 1-based columns counted in characters,
    `end_column` exclusive (the column just after the last character)."""

    line: int
    column: int
    end_line: int
    end_column: int

    def to_dict(self) -> dict[str, int]:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }


@dataclass(frozen=True, slots=True)
class LoopStep:
    """One level of loop: the loop's line, the 0-based iteration and, for a
    `for` loop, its target as written (`i`, `i, x`)."""

    line: int
    iteration: int
    target: str | None = None


@dataclass(frozen=True, slots=True)
class ModuleStep:
    """One module call around an operation (app.evaluate.modules).

    `path` names the module under the variable that holds the model
    (`net.fc1`; "" when no variable holds it), `kind` is its class name
    (`Linear`, or the program's own `Net`), `call` numbers the module calls
    of the run from 0 (two calls of one module are two boxes), `loops` is
    how many of the operation's loop steps were open when the call began
    (the loop boxes outside it; the others are inside it), `span` where the
    module was made (its class statement for a program's class)."""

    path: str
    kind: str
    call: int
    loops: int = 0
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a tensor or autograd node was made: the span of the expression,
    the enclosing loop iterations, outermost first (empty outside loops),
    and the module calls it was made in, outermost first."""

    span: Span
    loops: tuple[LoopStep, ...] = ()
    modules: tuple[ModuleStep, ...] = ()


@dataclass(frozen=True)
class MakeDotCall:
    """The program's last `make_dot(out, params=...)` call: the tensor it was
    given, the name it was given by (`make_dot(y)`; None for `y.mean()`), the
    names its `params` give the parameters (None without params), and whether
    it asked for saved tensors and attributes (`show_saved=`, `show_attrs=`)."""

    output: Any
    name: str | None
    params: dict[str, torch.Tensor] | None
    show_saved: bool = False
    show_attrs: bool = False


@dataclass
class BackwardTrace:
    """What one backward pass did, recorded by hooks our engine installed.

    `grad_inputs[node][i]` is the gradient `node` sent to
    `node.next_functions[i]` (the edge next_functions[i] -> node in make_dot's
    direction); for an AccumulateGrad node `grad_outputs[node][0]` is the
    gradient that reached its leaf. `order` lists the nodes in the order the
    engine ran them. `seed` is the gradient the pass started from.
    """

    root: AutogradNode
    seed: torch.Tensor | None = None
    order: list[AutogradNode] = field(default_factory=list)
    grad_inputs: dict[AutogradNode, tuple[torch.Tensor | None, ...]] = field(default_factory=dict)
    grad_outputs: dict[AutogradNode, tuple[torch.Tensor | None, ...]] = field(default_factory=dict)


@dataclass
class Evaluation:
    """The outcome of running one program."""

    # The selected output (SPEC.md: the request's `output`, else the tensor
    # the program's last make_dot call was given, else the final expression
    # statement, else the last assigned name) and the name it was selected
    # by, if any. A tensor, a Python value, or None.
    output: Any
    output_name: str | None
    stdout: str = ""
    warnings: list[str] = field(default_factory=list)
    # id(tensor) -> the first name the tensor was bound to, in any scope.
    tensor_names: dict[int, str] = field(default_factory=dict)
    # name -> the first tensor bound to that name (a leaf keeps its name after
    # the name is rebound: SPEC.md's loop lesson).
    named_tensors: dict[str, torch.Tensor] = field(default_factory=dict)
    # grad_fn -> where it was created.
    node_origins: dict[AutogradNode, Origin] = field(default_factory=dict)
    # grad_fn -> the (small) tensor its expression returned, and that tensor's
    # version then: the op's value, unless changed in place since.
    op_outputs: dict[AutogradNode, tuple[torch.Tensor, int]] = field(default_factory=dict)
    # id(tensor) -> where it was created (leaves and other tensors without grad_fn).
    tensor_origins: dict[int, Origin] = field(default_factory=dict)
    # id(tensor) -> accumulated gradient of a non-leaf tensor, captured by
    # hooks the engine installs on named intermediates (never `retain_grad()`,
    # which would change what the program itself sees in `.grad`).
    intermediate_grads: dict[int, torch.Tensor] = field(default_factory=dict)
    # The backward pass that produced the output's gradients: the engine's
    # automatic one, or the program's own last `backward()` through the output.
    backward: BackwardTrace | None = None
    # The "gradients" of the answer: every named leaf that requires grad and
    # every named intermediate in the output's graph, name -> gradient or None.
    gradients: dict[str, torch.Tensor | None] = field(default_factory=dict)
    # The parameters of the modules the program's variables hold, named by
    # their path under the variable (`net.fc1.weight`), in model order.
    parameters: list[tuple[str, torch.Tensor]] = field(default_factory=list)
    # The program's last make_dot(out, params=...) call, when `output` is its
    # `out`: the names that call gives the parameters (the torchviz style
    # draws exactly what that call draws).
    make_dot_params: dict[str, torch.Tensor] | None = None
    # That call's show_saved= and show_attrs=: the drawing shows them as it would.
    make_dot_shows: tuple[bool, bool] = (False, False)
    # The figures the program drew (app.evaluate.figures), in the order it
    # made them: matplotlib Figures, drawn by app.render.figures.
    figures: list[Any] = field(default_factory=list)
    # For each of `gradients`: whether torch keeps it or only we show it, and
    # whether the name means another value at the end (app.evaluate.kept).
    keeping: dict[str, Any] = field(default_factory=dict)
    # References that keep id()-keyed objects alive while this record lives.
    keep: list[Any] = field(default_factory=list)
