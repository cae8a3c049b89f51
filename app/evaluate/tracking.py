"""What the interpreter remembers about tensors for the graph: names, spans, loops.

- Names: a tensor is named by the first name it is ever bound to, in any
  scope; `named_tensors[name]` is the first tensor bound to that name.
  When several leaves that require grad share a first name (`x` bound to
  a second `torch.tensor(..., requires_grad=True)`), `final_names` gives
  the name to the one it was bound to last, as `x.grad` means it at the
  end, and qualifies the others by their line: `x (line 1)`.
- Origins: each new autograd node is stamped with the span of the
  expression that made it and the loop iterations around it; internal nodes
  of a composite operation (reachable from its result and not seen before)
  get the same stamp. Tensors without a grad_fn get a tensor origin.
- Op outputs: the tensor a node's expression returned, for the op's value
  in the graph (unnamed intermediates too), with its version so a later
  in-place change is not shown as the op's value. Only small tensors, and
  at most `OP_VALUE_ELEMENTS` elements in all: keeping a loop's every
  intermediate alive must not cost the program its memory.
- Intermediate gradients: a named non-leaf tensor gets a tensor hook that
  accumulates its gradient, as `.grad` would (never `retain_grad()`, which
  would change what the program itself sees).

Everything keyed by `id()` is kept alive in `keep`, so ids are never reused.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import torch

from app.evaluate.encode import FULL_ELEMENTS
from app.evaluate.result import AutogradNode, LoopStep, ModuleStep, Origin, Span
from app.parse import Program

Tensor = torch.Tensor
ACCUMULATE_GRAD: type = type(
    (torch.ones(1, requires_grad=True) * 1).grad_fn.next_functions[0][0]  # type: ignore[union-attr]
)

# Elements of op outputs kept alive for their values, across a program.
OP_VALUE_ELEMENTS = 100_000


class _Capture:
    """What the gradient hooks need, apart from the Tracker. Autograd keeps a
    hook in C++, where Python's collector cannot see: a hook that referred
    to the Tracker, which keeps the hooked tensor alive, would close a cycle
    that is never collected, and every evaluation would stay in memory."""

    __slots__ = ("on", "grads", "live")

    def __init__(self, grads: dict[int, Tensor]) -> None:
        self.on = True
        self.grads = grads
        # Which of a tensor's hooks counts: the one on its current grad_fn.
        self.live: dict[int, int] = {}


class Tracker:
    def __init__(self, program: Program) -> None:
        self.program = program
        self.loops: tuple[LoopStep, ...] = ()
        # Module calls open now, outermost first (app.evaluate.modules).
        self.modules: tuple[ModuleStep, ...] = ()
        # Modules: the first name each was bound to, the first module bound to
        # each name, and where each was made.
        self.module_names: dict[int, str] = {}
        self.named_modules: dict[str, Any] = {}
        self.module_spans: dict[int, Span] = {}
        self.tensor_names: dict[int, str] = {}
        self.named_tensors: dict[str, Tensor] = {}
        # id(tensor) -> when it was last bound to its first name (a count of bindings).
        self._bound_last: dict[int, int] = {}
        self._bindings = 0
        self.node_origins: dict[AutogradNode, Origin] = {}
        self.tensor_origins: dict[int, Origin] = {}
        self.intermediate_grads: dict[int, Tensor] = {}
        self.op_outputs: dict[AutogradNode, tuple[Tensor, int]] = {}
        self._op_elements = OP_VALUE_ELEMENTS
        self.keep: list[Any] = []
        self._capture = _Capture(self.intermediate_grads)
        # Named tensors that may carry a hook, and the grad_fn it is on.
        self._hooked: dict[int, tuple[Tensor, AutogradNode | None]] = {}
        self._spans: dict[Any, Any] = program.memo

    def span(self, node: ast.AST) -> Span:
        span: Span | None = self._spans.get(node)
        if span is None:
            span = Span(*self.program.extent(node))
            self._spans[node] = span
        return span

    def name(self, name: str, tensor: Tensor) -> None:
        key = id(tensor)
        if key not in self.tensor_names:
            self.tensor_names[key] = name
            self.keep.append(tensor)
            self._hooked[key] = (tensor, None)
            self._follow(key, tensor)
        if name not in self.named_tensors:
            self.named_tensors[name] = tensor
        if self.tensor_names[key] == name:
            self._bindings += 1
            self._bound_last[key] = self._bindings

    def final_names(self) -> tuple[dict[int, str], dict[str, Tensor]]:
        """(tensor_names, named_tensors) as the answer names them: of the leaves
        that require grad and share a first name, the one bound to it last
        keeps the name; each other one is qualified by its line."""
        groups: dict[str, list[Tensor]] = {}
        for key, name in self.tensor_names.items():
            tensor = self._hooked[key][0]
            if tensor.is_leaf and tensor.requires_grad:
                groups.setdefault(name, []).append(tensor)
        names = dict(self.tensor_names)
        named = dict(self.named_tensors)
        for name, leaves in groups.items():
            if len(leaves) < 2:
                continue
            owner = max(leaves, key=lambda t: self._bound_last.get(id(t), 0))
            named[name] = owner
            for leaf in leaves:
                if leaf is owner:
                    continue
                origin = self.tensor_origins.get(id(leaf))
                base = f"{name} (line {origin.span.line})" if origin else f"{name} (earlier)"
                qualified, n = base, 1
                while qualified in named:
                    n += 1
                    qualified = f"{base[:-1]}, {n})"
                names[id(leaf)] = qualified
                named[qualified] = leaf
        return names, named

    def name_module(self, name: str, module: Any) -> None:
        """A module bound to a name: its parameters are named under it."""
        if id(module) not in self.module_names:
            self.module_names[id(module)] = name
            self.keep.append(module)
        self.named_modules.setdefault(name, module)

    @property
    def capturing(self) -> bool:
        """Off while torch.autograd.grad runs: it does not fill .grad either."""
        return self._capture.on

    @capturing.setter
    def capturing(self, on: bool) -> None:
        self._capture.on = on

    def _follow(self, key: int, tensor: Tensor) -> None:
        """Hook the named tensor's current grad_fn, if it has a new one.

        A hook stays on the grad_fn it was registered on, so after an
        in-place change (`v.mul_(2)`, `v[0] = 5`) it would capture the
        gradient of the tensor as it was; retain_grad() follows the tensor,
        and so do these: the old hook stops counting, a new one starts.
        """
        fn = tensor.grad_fn
        if fn is None or fn is self._hooked[key][1]:
            return
        generation = self._capture.live.get(key, -1) + 1
        self._capture.live[key] = generation
        tensor.register_hook(self._hook(key, generation))  # type: ignore[no-untyped-call]
        self._hooked[key] = (tensor, fn)

    def after_hook(self, tensor: Tensor) -> None:
        """The program hooked a named tensor: capture after its hook, as
        retain_grad() does (its gradient is what the hook returns)."""
        key = id(tensor)
        if key in self._hooked and tensor.grad_fn is not None:
            self._hooked[key] = (tensor, None)  # a new hook, on the same grad_fn
            self._follow(key, tensor)

    def follow_all(self) -> None:
        """Hook every named tensor changed in place since it was last hooked,
        including through a view, which no operation on the tensor itself shows."""
        for key, (tensor, fn) in list(self._hooked.items()):
            if tensor.grad_fn is not fn:
                self._follow(key, tensor)

    def _hook(self, key: int, generation: int) -> Callable[[Tensor], None]:
        capture = self._capture

        def accumulate(grad: Tensor | None) -> None:
            # None: no gradient reached this tensor (an unused piece of unbind).
            if grad is not None and capture.on and capture.live[key] == generation:
                previous = capture.grads.get(key)
                grad = grad.detach()
                capture.grads[key] = grad if previous is None else previous + grad

        return accumulate

    def note(self, value: Any, node: ast.AST) -> None:
        """Stamp a tensor (or the tensors of a tuple or list) made by `node`."""
        if isinstance(value, Tensor):
            self._note(value, node)
        elif isinstance(value, tuple | list):
            for item in value[:64]:
                if isinstance(item, Tensor):
                    self._note(item, node)

    def _note(self, tensor: Tensor, node: ast.AST) -> None:
        fn = tensor.grad_fn
        hooked = self._hooked.get(id(tensor))
        if hooked is not None and hooked[1] is not fn:  # a named tensor, changed in place
            self._follow(id(tensor), tensor)
        if fn is None:
            key = id(tensor)
            if key not in self.tensor_origins:
                self.tensor_origins[key] = Origin(self.span(node), self.loops, self.modules)
                self.keep.append(tensor)
            return
        origins = self.node_origins
        if fn in origins:
            return
        origin = Origin(self.span(node), self.loops, self.modules)
        size = tensor.numel()
        if tensor.output_nr == 0 and size <= min(FULL_ELEMENTS, self._op_elements):
            self._op_elements -= size
            self.op_outputs[fn] = (tensor, tensor._version)
        stack = [fn]
        while stack:
            fn = stack.pop()
            if fn in origins or type(fn) is ACCUMULATE_GRAD:
                continue
            origins[fn] = origin
            for child, _ in fn.next_functions:
                if child is not None and child not in origins:
                    stack.append(child)

    def origin_at(self, tensor: Tensor, node: ast.AST) -> None:
        """Give an input tensor the span where the program first reads it."""
        self.tensor_origins.setdefault(id(tensor), Origin(self.span(node), ()))
        self.keep.append(tensor)
