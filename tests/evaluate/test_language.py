"""The language: what runs, with Python's and torch's own semantics."""

from __future__ import annotations

import contextlib
import io

import pytest
import torch

from app.errors import InvalidRequest, NotAllowed, UserRuntimeError, VisualizerError
from app.evaluate import run_source


def value(source: str, **inputs: object) -> object:
    return run_source(source, inputs or None).output


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a, (b, c) = 1, [2, 3]\nr = a + b * c", 7),
        ("x = 2\nx **= 3\nx -= 1\nr = x", 7),
        ("t = 0\nfor i in range(1, 5):\n    if i % 2:\n        continue\n    t += i\nt", 6),
        ("i = 0\nwhile True:\n    i += 1\n    if i >= 4:\n        break\ni", 4),
        ("for i in range(3):\n    pass\nelse:\n    i = 10\ni", 10),
        ("x = 5\nif x < 0:\n    r = -1\nelif x == 0:\n    r = 0\nelse:\n    r = 1\nr", 1),
        ("x = None\nr = 1 if x is None else 2\nr", 1),
        ("def f(a, b=2, *, c=3):\n    return a * b + c\nf(1, c=10)", 12),
        ("def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nfib(15)", 610),
        (
            "def outer(k):\n    def inner(v):\n        return v * k\n    return inner\nouter(3)(4)",
            12,
        ),
        ("def twice(f, v):\n    return f(f(v))\ndef inc(v):\n    return v + 1\ntwice(inc, 1)", 3),
        ("xs = [i * i for i in range(5) if i % 2 == 0]\nxs", [0, 4, 16]),
        ("sum(i for i in range(4))", 6),
        ("d = {'a': 1}\nd['b'] = 2\nsorted_keys = list(d.keys())\nsorted_keys", ["a", "b"]),
        ("d = dict(a=1, b=2)\nd.get('b')", 2),
        ("l = [3, 1]\nl.append(2)\nl.extend([5])\nl.pop()\nl", [3, 1, 2]),
        ("[v for i, v in enumerate('abc') if i != 1]", ["a", "c"]),
        ("list(zip([1, 2, 3], 'ab'))", [(1, "a"), (2, "b")]),
        ("x = 1\ndel x\ny = 2\ny", 2),
        ("abs(-3) + max(1, 2) + min([4, 5]) + round(2.567, 2) + pow(2, 10)", 1035.57),
        ("int('12') + float('0.5') + len('abc') + int(True)", 16.5),
        ("f'{3.14159:.2f}|{\"a\"!r}|{12:>4}'", "3.14|'a'|  12"),
        ("x = 3\nx = -x\n~x", 2),
        ("1 < 2 < 3 and not (3 < 2 < 1)", True),
        ("'b' in ['a', 'b'] and 3 not in range(3)", True),
        ("math.sqrt(16) + math.floor(2.5) + np.pi - math.pi", 6.0),
        ("x: float = 2.5\nx", 2.5),
        ("assert True, 'fine'\ny = 1\ny", 1),
    ],
)
def test_python_semantics(source: str, expected: object) -> None:
    assert value(source) == expected


def test_imports_are_no_ops() -> None:
    source = (
        "import torch\nimport torch.nn.functional as F\nimport numpy as np\n"
        "from torchviz import make_dot\nfrom torch import nn\n"
        "y = nn.functional.relu(torch.tensor(-1.0)) + F.relu(torch.tensor(2.0))\n"
        "make_dot(y)"
    )
    assert value(source) == 2.0


def test_bare_math_names_take_numbers() -> None:
    out = value("sin(0.5) + exp(1)")
    assert isinstance(out, torch.Tensor)
    assert abs(float(out) - (0.4794255 + 2.7182817)) < 1e-5


def test_dual_names_with_tensors_are_torch() -> None:
    source = "x = torch.tensor([1., -2., 3.])\n(abs(x), sum(x), max(x), min(x), pow(x, 2))"
    out = value(source)
    assert isinstance(out, tuple)
    assert out[0].tolist() == [1, 2, 3] and float(out[1]) == 2 and float(out[2]) == 3
    assert float(out[3]) == -2 and out[4].tolist() == [1, 4, 9]
    assert torch.equal(value("sum(torch.ones(2, 3), dim=0)"), torch.full((3,), 2.0))  # type: ignore[arg-type]


def test_tensors_print_as_torch_prints_them() -> None:
    source = "x = torch.tensor([1.5, 2.0], requires_grad=True)\nprint(x, x.dtype, x.shape)"
    out = run_source(source).stdout
    assert out == "tensor([1.5000, 2.0000], requires_grad=True) torch.float32 torch.Size([2])\n"


def test_printed_values_show_pythons_form_with_addresses_of_the_program() -> None:
    # Python's own form (issue 20), each address a stand-in that depends only
    # on the program: the same object prints the same address, the same
    # program the same bytes in any process.
    source = (
        "x = torch.tensor(1.0, requires_grad=True)\ny = x * 2\n"
        "def f():\n    return 1\n"
        "print(y.grad_fn, y.grad_fn.next_functions, torch, F.relu, print, f, x.sum,"
        " torch.no_grad(), [f])"
    )
    out = run_source(source).stdout
    assert out == (
        "<MulBackward0 object at 0x7f0000001000> ((<AccumulateGrad object at 0x7f0000001060>,"
        " 0), (None, 0)) <module 'torch'> <function relu at 0x7f00000010c0> <built-in function"
        " print> <function f at 0x7f0000001120> <built-in method sum of Tensor object at"
        " 0x7f0000001180> <torch.autograd.grad_mode.no_grad object at 0x7f00000011e0>"
        " [<function f at 0x7f0000001120>]\n"
    )
    assert run_source(source).stdout == out


def test_the_last_operand_of_and_or_is_not_tested() -> None:
    # Found by fuzzing: `1 and x` asked bool() of a tensor of many values.
    x = [1.0, 2.0, 3.0]
    for source in ("1 and x", "0 or x", "(x[0] > 0) and x", "1 and 2 and x * 1", "None or 0 or x"):
        out = value(source, x=x)
        assert isinstance(out, torch.Tensor) and out.tolist() == x, source
    assert value("0 and x", x=x) == 0 and value("2 or x", x=x) == 2
    with pytest.raises(UserRuntimeError, match="ambiguous"):
        value("x and 1", x=x)  # a tested operand still is


def test_the_programs_own_text_keeps_what_looks_like_an_address() -> None:
    # Found by fuzzing: " at 0x..." was taken out of everything printed.
    source = "print('value at 0xFF00 is', 255)\nprint(f'addr at 0x{255:x}')\nprint('<a at 0x1>')"
    assert run_source(source).stdout == "value at 0xFF00 is 255\naddr at 0xff\n<a at 0x1>\n"


CAUGHT = {
    "empty message": "assert False",
    "message": "assert 1 > 2, 'too small'",
    "key error": "{'a': 1}['b']",
    "len of 0-d": "len(torch.tensor(1.0))",
    "iteration over 0-d": "for v in torch.tensor(1.0):\n        pass",
    "torch": "torch.ones(2, 3) @ torch.ones(2, 3)",
    "division": "1 / 0",
}


@pytest.mark.parametrize("body", CAUGHT.values(), ids=CAUGHT.keys())
def test_a_caught_exception_prints_as_in_python(body: str) -> None:
    # Found by fuzzing: an empty message printed as the type's name, and the
    # repr quoted the message (KeyError("'b'") for KeyError('b')).
    source = f"try:\n    {body}\nexcept Exception as e:\n    print(e)\n    print([e])\n"
    ours = run_source(source).stdout
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        exec(source, {"torch": torch})  # the reference: Python and torch, this test's own text
    assert ours == shown.getvalue()


def test_print_sep_and_end() -> None:
    assert run_source("print(1, 2, sep='-', end='!')\nprint('a')").stdout == "1-2!a\n"


def test_try_except_catches_torch_errors() -> None:
    source = (
        "try:\n    torch.ones(2, 3) @ torch.ones(2, 3)\nexcept RuntimeError as e:\n"
        "    print('caught:', e)\n"
        "try:\n    1 / 0\nexcept (ValueError, ArithmeticError):\n    print('math')\n"
        "try:\n    [][1]\nexcept:\n    print('bare')\nelse:\n    print('no')\n"
        "try:\n    y = 1\nexcept Exception:\n    pass\nelse:\n    print('else')\n"
    )
    out = run_source(source).stdout
    assert (
        out == "caught: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)\nmath\nbare\nelse\n"
    )


def test_except_of_another_kind_does_not_catch() -> None:
    with pytest.raises(UserRuntimeError) as caught:
        run_source("try:\n    1 / 0\nexcept IndexError:\n    pass")
    assert caught.value.detail == "ZeroDivisionError: division by zero"
    assert (caught.value.line, caught.value.column) == (2, 5)


def test_the_exception_name_is_unbound_after_the_handler() -> None:
    source = "try:\n    1 / 0\nexcept Exception as e:\n    pass\nprint(e)"
    with pytest.raises(UserRuntimeError, match="name 'e' is not defined"):
        run_source(source)


@pytest.mark.parametrize(
    ("source", "line", "column", "words"),
    [
        ("x = torch.ones(2)\ny = torch.ones(3)\nz = x + y", 3, 5, "size of tensor a (2)"),
        (
            "x = torch.tensor(1.0, requires_grad=True)\ny = x * 2\ny.backward()\ny.backward()",
            4,
            1,
            "Trying to backward through the graph a second time",
        ),
        ("x = torch.tensor(1.0, requires_grad=True)\nx += 1", 2, 1, "leaf Variable"),
        ("def f(v):\n    w = v + 1\n    return w @ w\nf(torch.ones(2, 3))", 3, 12, "mat1"),
        ("x = [1, 2]\nx[5]", 2, 1, "IndexError"),
        ("def f(a):\n    return a\nf(1, 2)", 3, 1, "positional"),
        ("def f():\n    y = x\n    x = 1\nx = 5\nf()", 2, 9, "UnboundLocalError"),
        ("1 + 'a'", 1, 1, "TypeError"),
        ("torch.tensor([[1, 2], [3]])", 1, 1, "ValueError"),
        ("x = torch.ones(2)\nx.grad.zero_()", 2, 1, "'NoneType' object has no attribute"),
    ],
)
def test_runtime_errors_point_at_the_innermost_place(
    source: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(UserRuntimeError) as caught:
        run_source(source)
    error = caught.value
    assert words in error.detail
    assert (error.line, error.column) == (line, column)
    assert "Exception raised from" not in error.detail


def test_runtime_refusals() -> None:
    # An attribute Python's value has, but this one may not use, is refused.
    with pytest.raises(NotAllowed) as caught:
        run_source("x = 2.5\nx.real")
    assert (caught.value.line, caught.value.column) == (2, 1)
    with pytest.raises(NotAllowed):
        run_source("x = torch.ones(1)\nx.to(torch.device('meta'))")


def test_an_attribute_the_value_does_not_have_is_pythons_attribute_error() -> None:
    # Found by fuzzing: a refusal there could not be caught as Python's error can.
    with pytest.raises(UserRuntimeError) as caught:
        run_source("l = [1, 2]\nl.sum()")
    assert "AttributeError: 'list' object has no attribute 'sum'" in caught.value.detail
    assert (caught.value.line, caught.value.column) == (2, 1)
    source = "v = 2.5\ntry:\n    v.retain_grad()\nexcept AttributeError as e:\n    print(e)\nv * 2"
    evaluation = run_source(source)
    assert evaluation.stdout == "'float' object has no attribute 'retain_grad'\n"
    assert evaluation.output == 5.0


def test_expression_mode_binds_free_names_from_inputs() -> None:
    evaluation = run_source("x * y + y", {"x": [1, 2], "y": 3, "unused": 7})
    assert evaluation.output.tolist() == [6, 9]
    x = evaluation.named_tensors["x"]
    assert x.dtype == torch.float32 and x.requires_grad and x.is_leaf
    assert "unused" not in evaluation.named_tensors
    assert evaluation.gradients["y"].item() == 5.0


def test_expression_mode_reports_a_missing_input() -> None:
    with pytest.raises(UserRuntimeError) as caught:
        run_source("x + zeta", {"x": 1})
    assert "zeta" in caught.value.detail and "input" in caught.value.detail
    assert (caught.value.line, caught.value.column) == (1, 5)


def test_program_mode_inputs_are_globals() -> None:
    evaluation = run_source("y = x * 2\nz = y + 1", {"x": 4})
    assert evaluation.output.item() == 9.0
    assert evaluation.output_name == "z"
    assert evaluation.gradients["x"].item() == 2.0


@pytest.mark.parametrize(
    "inputs",
    [
        {"x": "text"},
        {"x": [[1, 2], [3]]},
        {"_x": 1},
        {"class": 1},
        {"x": [None]},
        {"x": 10**400},
        {"x": [10**400]},
        {1: 1},
    ],
)
def test_bad_inputs_are_invalid_requests(inputs: dict[str, object]) -> None:
    with pytest.raises(InvalidRequest):
        run_source("y = 1", inputs)  # type: ignore[arg-type]


def test_output_selection() -> None:
    assert run_source("a = 1\nb = 2", output="a").output == 1
    assert run_source("a = 1\nb = 2").output_name == "b"
    final = run_source("a = 1\na + 5")
    assert (final.output, final.output_name) == (6, None)
    # A final print() has no value: the last assigned name is the output.
    printed = run_source("a = 1\nprint(a)")
    assert (printed.output, printed.output_name) == (1, "a")
    assert run_source("x = torch.ones(1)\nmake_dot(x)").output_name == "x"
    nothing = run_source("print(1)")
    assert (nothing.output, nothing.output_name) == (None, None)
    with pytest.raises(InvalidRequest):
        run_source("a = 1", output="missing")


def test_no_grad_and_grad_mode() -> None:
    source = (
        "x = torch.tensor(1.0, requires_grad=True)\n"
        "with torch.no_grad():\n    y = x * 2\n    with torch.enable_grad():\n        z = x * 3\n"
        "print(y.requires_grad, z.requires_grad, torch.is_grad_enabled())"
    )
    assert run_source(source).stdout == "False True True\n"
    assert torch.is_grad_enabled()


def test_grad_and_requires_grad_can_be_assigned() -> None:
    source = (
        "x = torch.tensor(2.0)\nx.requires_grad = True\ny = x * x\ny.backward()\n"
        "g = x.grad.item()\nx.grad = None\nprint(g, x.grad)"
    )
    assert run_source(source).stdout == "4.0 None\n"


def test_second_derivative_and_graph_of_a_gradient() -> None:
    source = (
        "x = torch.tensor(3.0, requires_grad=True)\ny = x ** 3\n"
        "g, = torch.autograd.grad(y, x, create_graph=True)\ng"
    )
    evaluation = run_source(source)
    assert evaluation.output.item() == 27.0  # dy/dx = 3x^2
    assert evaluation.output.grad_fn is not None
    assert evaluation.gradients["x"].item() == 18.0  # d2y/dx2 = 6x


def test_autograd_grad_does_not_count_as_the_programs_backward() -> None:
    source = (
        "x = torch.tensor(2.0, requires_grad=True)\ny = x * x\n"
        "(d,) = torch.autograd.grad(y, x, retain_graph=True)\ny"
    )
    evaluation = run_source(source)
    assert evaluation.gradients["x"].item() == 4.0


def test_random_numbers_are_the_same_every_time() -> None:
    first = run_source("torch.randn(3)").output
    torch.manual_seed(123)
    torch.rand(5)
    second = run_source("torch.randn(3)").output
    assert torch.equal(first, second)
    assert torch.equal(first, torch.tensor([1.5410, -0.2934, -2.1788]).to(first) * 0 + first)
    seeded = run_source("torch.manual_seed(1)\ntorch.randn(3)").output
    torch.manual_seed(1)
    assert torch.equal(seeded, torch.randn(3))


def test_torch_warnings_become_answer_warnings_every_time() -> None:
    source = "F.mse_loss(torch.ones(3), torch.ones(3, 1))"
    for _ in range(2):
        warnings = run_source(source).warnings
        assert any("target size" in w for w in warnings), warnings


def test_non_scalar_output_is_summed_with_a_warning() -> None:
    evaluation = run_source("x ** 2", {"x": [1, 2]})
    assert evaluation.gradients["x"].tolist() == [2, 4]
    assert any("output.sum()" in w for w in evaluation.warnings)


def test_only_our_errors_leave_evaluate() -> None:
    for source in ("x = torch.ones(2)\nx.item()", "int(float('inf'))", "x = [1]\nx[None]"):
        with pytest.raises(VisualizerError):
            run_source(source)


def test_non_finite_values_survive_as_json() -> None:
    from app.evaluate.encode import encode_value

    evaluation = run_source("torch.tensor([1.0, float('inf'), -float('inf'), float('nan')])")
    assert encode_value(evaluation.output)["value"] == [1.0, "inf", "-inf", "nan"]


def test_grad_fn_wrappers_keep_identity() -> None:
    source = (
        "x = torch.tensor(1.0, requires_grad=True)\ny = x * 2\n"
        "a = y.grad_fn.next_functions[0][0]\nb = y.grad_fn.next_functions[0][0]\n"
        "print(y.grad_fn is y.grad_fn, a is b, a == b, a.name())"
    )
    assert run_source(source).stdout == "True True True torch::autograd::AccumulateGrad\n"


def test_round_of_a_tensor_takes_pythons_spelling() -> None:
    out = value("round(torch.tensor([1.2345, 2.5]), 2)")
    assert isinstance(out, torch.Tensor)
    assert out.tolist() == pytest.approx([1.23, 2.5])


def test_every_checked_node_type_can_run() -> None:
    import ast

    from app.evaluate.interpreter import Interpreter
    from app.parse.checker import VISIT, Checker

    runnable = set(Interpreter._expr) | set(Interpreter._stmt) | {ast.Module, ast.keyword}
    checked = {kind for kind, handler in VISIT.items() if handler is not Checker._nothing}
    assert checked <= runnable
