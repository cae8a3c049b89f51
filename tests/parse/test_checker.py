"""The allowlist walk: what is refused, where, and what a checked Program holds."""

from __future__ import annotations

import ast
import threading

import pytest

from app.errors import LimitExceeded, NotAllowed, SourceSyntaxError, VisualizerError
from app.limits import Limits
from app.parse import parse_program


def refusal(source: str) -> VisualizerError:
    with pytest.raises(VisualizerError) as caught:
        parse_program(source)
    return caught.value


def test_expression_mode_and_free_names() -> None:
    program = parse_program("3*sin(x) + y**2 + x + torch.pi + pi")
    assert program.is_expression
    assert program.free_names == ("x", "y")


def test_comprehension_targets_are_not_free() -> None:
    program = parse_program("sum([i * x for i in range(3)])")
    assert program.free_names == ("x",)


def test_program_mode_has_no_free_names() -> None:
    program = parse_program("y = x + 1\ny")
    assert not program.is_expression
    assert program.free_names == ()


def test_function_locals() -> None:
    program = parse_program("def f(a, b=1):\n    c = a + b\n    for i in range(2):\n        pass\n")
    (node,) = [n for n in ast.walk(program.module) if isinstance(n, ast.FunctionDef)]
    assert program.function_locals[node] == frozenset({"a", "b", "c", "i"})


def test_columns_are_characters_not_bytes() -> None:
    error = refusal("é = 1\nπ = é + é.__class__")
    assert (error.line, error.column) == (2, 11)
    program = parse_program("é = torch.ones(1)\ny = é + sin(é)")
    call = program.module.body[1].value.right  # type: ignore[attr-defined]
    assert program.extent(call) == (2, 9, 2, 15)


@pytest.mark.parametrize(
    ("source", "column", "words"),
    [
        ("y = torch.load('f')", 11, "torch.load is not available"),
        ("y = np.load('f')", 8, "cannot read or write files"),
        ("y = np.vectorize(f)", 8, "list comprehension"),
        ("y = torch.zeros(3, out=None)", 20, "out="),
        ("y = x.sum(dim=0, out=x)", 18, "out="),
        ("y = eval('1')", 5, "'eval' is not available"),
        ("y = type(x)", 5, "x.dtype"),
        ("y = x.numpy().tofile('f')", 15, "the attribute .tofile is not available"),
        ("y = f(*a)", 7, "star"),
        ("y = lambda *a: a", 13, "*args"),
        ("y = torch.nn.Transformer(2, 2)", 14, "torch.nn.Transformer"),
        ("import os", 1, "torch"),
        ("y = x.data_ptr()", 7, "memory addresses"),
    ],
)
def test_refusals_name_what_and_where(source: str, column: int, words: str) -> None:
    error = refusal(source)
    assert isinstance(error, NotAllowed)
    assert (error.line, error.column) == (1, column)
    assert words in error.detail


def test_underscore_may_be_assigned_but_never_read() -> None:
    parse_program("for _ in range(3):\n    pass\na, _ = 1, 2")
    assert isinstance(refusal("_ = 1\ny = _"), NotAllowed)
    assert isinstance(refusal("_ = 1\n_ += 1"), NotAllowed)


def test_rebinding_a_module_name_makes_its_attributes_checked_generically() -> None:
    # `torch` is the program's own variable here: .load is still no attribute of anything.
    assert isinstance(refusal("torch = 1\ny = torch.load"), NotAllowed)
    parse_program("F = torch.ones(2)\ny = F.sum()")


def test_imports_are_checked_against_the_tables() -> None:
    parse_program(
        "import torch\nimport torch.nn.functional as F\nimport numpy as np\nimport math\n"
        "from torchviz import make_dot\nfrom torch import nn\nfrom math import pi, sqrt\n"
        "y = F.relu(torch.ones(1)) + sqrt(pi)"
    )
    assert "torch.load" in refusal("from torch import load").detail


def test_keywords_of_user_functions_are_free() -> None:
    parse_program("def f(a, step_size=1):\n    return a\ny = f(1, step_size=2)")


def test_syntax_errors_have_positions() -> None:
    error = refusal("x = (1,\n  2")
    assert isinstance(error, SourceSyntaxError)
    assert error.line == 1
    error = refusal("é = 1 +* 2")
    assert (error.line, error.column) == (1, 8)


def test_nesting_depth_is_a_limit() -> None:
    with pytest.raises(LimitExceeded) as caught:
        parse_program("y = " + "-" * 60 + "1")
    assert caught.value.limit == "nesting_depth"
    parse_program("y = " + "-" * 40 + "1")
    with pytest.raises(LimitExceeded):
        parse_program("y = " + "-" * 10 + "1", Limits(nesting_depth=8))


def test_an_elif_chain_is_one_level() -> None:
    source = "x = 1\nif x == 0:\n    y = 0\n" + "".join(
        f"elif x == {i}:\n    y = {i}\n" for i in range(1, 200)
    )
    parse_program(source)


def test_big_integer_literals_are_a_limit() -> None:
    with pytest.raises(LimitExceeded) as caught:
        parse_program("y = 1" + "0" * 1300)
    assert caught.value.limit == "int_bits"


def test_parse_is_safe_from_many_threads() -> None:
    # CPython 3.11's AST construction keeps its recursion depth in shared
    # state (gh-106905): concurrent deep parses used to fail with SystemError.
    deep = "y = " + "(" * 150 + "1" + ")" * 150
    wide = "y = a" + " + a" * 4000
    errors: list[BaseException] = []

    def work() -> None:
        for _ in range(20):
            for source in (deep, wide, "y = 3*sin(x) + x"):
                try:
                    parse_program(source)
                except (LimitExceeded, NotAllowed):
                    pass
                except BaseException as error:  # noqa: BLE001
                    errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
