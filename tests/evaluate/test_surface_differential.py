"""Every allowed torch callable, run by the evaluator and by torch directly.

For each callable of the survey's table (app/parse/allowlist/torch_surface.py)
whose signature can be filled with tensors and small numbers, hypothesis
draws a shape and values; the program `y = torch.name(a, ...)` (or
`a.name(...)`) runs in the evaluator, and the same call runs in torch with
the same leaves. The values must be equal, and so must the gradients of the
leaves after `y.sum().backward()` (the evaluator's automatic backward pass).
A call torch itself refuses is skipped; a call the evaluator refuses where
torch does not fails the test (a bound that cannot shape it, a keyword
wrongly dropped).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import VisualizerError
from app.evaluate import run_source
from app.parse.allowlist import survey, torch_surface

SHAPES = [(3,), (2, 3), (3, 3), (2, 2, 2)]
# Whose argument rules this synthesis does not know (they are tested elsewhere).
SKIP = frozenset(
    {
        "torch.Tensor.backward",
        "torch.Tensor.register_hook",
        "torch.Tensor.register_post_accumulate_grad_hook",
        "torch.Tensor.retain_grad",
        "torch.lobpcg",  # iterative: its tolerance decides how many steps
        "torch.Tensor.item",
        "torch.Tensor.tolist",
    }
)


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # tensor, tensors, int, float, bool, dims, size


def _aten_params(schema: Any) -> list[Param] | None:
    params = []
    for argument in schema.arguments:
        if argument.kwarg_only:
            continue
        if argument.has_default_value():
            break
        kind = str(argument.type)
        if kind == "Tensor":
            params.append(Param(argument.name, "tensor"))
        elif kind == "List[Tensor]":
            params.append(Param(argument.name, "tensors"))
        elif kind in ("int", "SymInt"):
            params.append(Param(argument.name, "int"))
        elif kind in ("float", "number", "Scalar"):
            params.append(Param(argument.name, "float"))
        elif kind == "bool":
            params.append(Param(argument.name, "bool"))
        elif kind in ("List[int]", "List[SymInt]"):
            params.append(Param(argument.name, "size" if "size" in argument.name else "dims"))
        else:
            return None
    return params


_ANNOTATIONS = {"Tensor": "tensor", "int": "int", "float": "float", "bool": "bool"}


def _python_params(function: Any) -> list[Param] | None:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    params = []
    for parameter in signature.parameters.values():
        if parameter.default is not parameter.empty or parameter.kind in (
            parameter.VAR_POSITIONAL,
            parameter.VAR_KEYWORD,
            parameter.KEYWORD_ONLY,
        ):
            break
        annotation = parameter.annotation
        name = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        kind = _ANNOTATIONS.get(name) or ("tensor" if parameter.name == "input" else None)
        if kind is None:
            return None
        params.append(Param(parameter.name, kind))
    return params


def signature_of(path: str, name: str) -> list[Param] | None:
    space = survey.SPACES[path]
    packet = survey._packet(path, name)
    if packet is not None:
        for schema in survey._schemas(packet):
            params = _aten_params(schema)
            if params is not None:
                if path == "torch.Tensor":
                    params = [p for p in params if p.name != "self"]
                    return [Param("self", "tensor"), *params]
                return params
    function = getattr(space, name)
    params = _python_params(function)
    if params is not None and path == "torch.Tensor":
        return [Param("self", "tensor"), *params[1:]]
    return params


def cases() -> list[str]:
    found = []
    for path in ("torch", "torch.Tensor", "torch.nn.functional", "torch.linalg", "torch.special",
                 "torch.fft"):  # fmt: skip
        for name, (_, _, flags) in torch_surface.ALLOWED[path].items():
            dotted = f"{path}.{name}"
            if "special:" in flags or dotted in SKIP:
                continue
            params = signature_of(path, name)
            if params and params[0].kind == "tensor":
                found.append(dotted)
    return found


CASES = cases()
RAN: set[str] = set()  # every case the run reached
COMPARED: set[str] = set()  # the cases torch accepted at least once


def _literal(value: Any) -> str:
    return repr(value)


def _draw_value(data: st.DataObject, param: Param, shape: tuple[int, ...]) -> Any:
    if param.kind == "int":
        return data.draw(st.sampled_from([0, 1] if "dim" in param.name else [1, 2]))
    if param.kind == "float":
        return data.draw(st.sampled_from([0.5, 2.0]))
    if param.kind == "bool":
        return False
    if param.kind == "dims":
        return [0]
    if param.kind == "size":
        return list(shape)
    raise AssertionError(param.kind)


def _tensor_values(data: st.DataObject, shape: tuple[int, ...]) -> list[Any]:
    flat = data.draw(
        st.lists(
            st.floats(-2, 2, allow_nan=False, width=32).map(lambda v: round(v, 2)),
            min_size=math.prod(shape),
            max_size=math.prod(shape),
        )
    )
    tensor = torch.tensor(flat, dtype=torch.float32).reshape(shape)
    values: list[Any] = tensor.tolist()
    return values


def _compare(ours: Any, theirs: Any) -> None:
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, torch.Tensor), (ours, theirs)
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        torch.testing.assert_close(ours.detach(), theirs.detach(), equal_nan=True)
    elif isinstance(theirs, list | tuple):
        assert isinstance(ours, list | tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            _compare(a, b)
    elif isinstance(theirs, float) and math.isnan(theirs):
        assert isinstance(ours, float) and math.isnan(ours)
    else:
        assert ours == theirs


SETTINGS = settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


# One test function per namespace: hypothesis chains the settings of one
# function's calls, and a thousand cases of one function pass Python's stack.
@pytest.mark.parametrize("dotted", [c for c in CASES if c.startswith("torch.Tensor.")])
@SETTINGS
@given(data=st.data())
def test_tensor_methods_are_torchs(dotted: str, data: st.DataObject) -> None:
    check(dotted, data)


@pytest.mark.parametrize(
    "dotted", [c for c in CASES if c.rpartition(".")[0] == "torch" and "Tensor" not in c]
)
@SETTINGS
@given(data=st.data())
def test_torch_functions_are_torchs(dotted: str, data: st.DataObject) -> None:
    check(dotted, data)


@pytest.mark.parametrize(
    "dotted", [c for c in CASES if c.rpartition(".")[0] not in ("torch", "torch.Tensor")]
)
@SETTINGS
@given(data=st.data())
def test_namespaces_are_torchs(dotted: str, data: st.DataObject) -> None:
    check(dotted, data)


def check(dotted: str, data: st.DataObject) -> None:
    """The value and the gradients of one call, the evaluator's against torch's."""
    RAN.add(dotted)
    path, _, name = dotted.rpartition(".")
    params = signature_of(path, name)
    assert params is not None
    shape = data.draw(st.sampled_from(SHAPES))
    inplace = name.endswith("_") and not name.endswith("__")
    lines = []
    leaves: dict[str, list[Any]] = {}
    arguments: list[str] = []
    values: list[Any] = []
    for index, param in enumerate(params):
        if param.kind in ("tensor", "tensors"):
            count = 2 if param.kind == "tensors" else 1
            names = []
            for k in range(count):
                leaf = f"t{index}_{k}"
                leaves[leaf] = _tensor_values(data, shape)
                names.append(leaf)
            arguments.append(names[0] if count == 1 else f"[{', '.join(names)}]")
        else:
            value = _draw_value(data, param, shape)
            values.append(value)
            arguments.append(_literal(value))
    grad = not inplace
    for leaf, flat in leaves.items():
        lines.append(f"{leaf} = torch.tensor({flat!r}, requires_grad={grad})")

    def made() -> dict[str, torch.Tensor]:
        return {
            leaf: torch.tensor(flat, dtype=torch.float32, requires_grad=grad)
            for leaf, flat in leaves.items()
        }

    if path == "torch.Tensor":
        call = f"{arguments[0]}.{name}({', '.join(arguments[1:])})"
    else:
        call = f"{path}.{name}({', '.join(arguments)})"
    source = "import torch\nimport torch.nn.functional\n" + "\n".join(lines) + f"\ny = {call}\n"

    # The reference: torch itself, on the same leaves, seeded as the evaluator seeds.
    reference = made()
    scope: dict[str, Any] = {"torch": torch, **reference}
    torch.manual_seed(0)
    try:
        with torch.enable_grad():
            theirs = eval(call, scope)  # this suite's own text: the reference
    except Exception:
        return  # torch refuses these arguments: nothing to compare
    COMPARED.add(dotted)
    their_grads: dict[str, torch.Tensor | None] = {}
    if isinstance(theirs, torch.Tensor) and theirs.requires_grad:
        try:
            theirs.sum().backward()
            their_grads = {leaf: t.grad for leaf, t in reference.items()}
        except RuntimeError:
            their_grads = {}
    try:
        evaluation = run_source(source)
    except VisualizerError as error:
        pytest.fail(f"{dotted}: torch runs {call}, the evaluator says {error}")
    _compare(evaluation.output, theirs)
    for leaf, expected in their_grads.items():
        if expected is None:
            continue
        got = evaluation.gradients.get(leaf)
        assert got is not None, (dotted, leaf)
        torch.testing.assert_close(got, expected, equal_nan=True)


def test_most_of_the_table_is_compared() -> None:
    # Runs last in this module: the record of the cases above.
    allowed = sum(
        len(torch_surface.ALLOWED[p])
        for p in (
            "torch",
            "torch.Tensor",
            "torch.nn.functional",
            "torch.linalg",
            "torch.special",
            "torch.fft",
        )  # fmt: skip
    )
    assert len(CASES) >= allowed * 0.6, (len(CASES), allowed)
    if len(RAN) < len(CASES):
        pytest.skip("only some cases ran")
    assert len(COMPARED) >= len(CASES) * 0.75, (len(COMPARED), len(CASES))
