"""encode.py: tensors as JSON-safe numbers, the shortest text that reads back."""

from __future__ import annotations

import json

import pytest
import torch

from app.evaluate.encode import encode_tensor

SPECIAL = [float("inf"), float("-inf"), float("nan"), 0.0, -0.0]
SCALES = [1e-30, 1e-5, 1e-3, 1.0, 3.0, 1e5, 1e16, 1e30]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
def test_one_element_tensors_encode_as_they_do_inside_bigger_ones(dtype: torch.dtype) -> None:
    generator = torch.Generator().manual_seed(0)
    for _ in range(20):
        noise = torch.randn(len(SCALES), generator=generator, dtype=torch.float64)
        values = torch.cat(
            [noise * torch.tensor(SCALES, dtype=torch.float64), torch.tensor(SPECIAL)]
        )
        x = values.to(dtype)
        whole = encode_tensor(x)["value"]
        alone = [encode_tensor(element)["value"] for element in x]
        nested = [encode_tensor(element.reshape(1, 1))["value"] for element in x]
        assert json.dumps(alone) == json.dumps(whole)
        assert json.dumps(nested) == json.dumps([[[v]] for v in whole])


def test_float32_keeps_its_shortest_text_and_names_non_finite_numbers() -> None:
    y = torch.tensor(5.0, requires_grad=True) * 1.1
    encoded = encode_tensor(y)
    assert encoded == {"shape": [], "dtype": "float32", "value": 5.5}
    third = torch.tensor(1.0) / 3
    assert encode_tensor(third)["value"] == 0.33333334  # float32's, not float64's digits
    assert encode_tensor(torch.tensor(float("nan")))["value"] == "nan"
    assert encode_tensor(torch.tensor([float("-inf")]))["value"] == ["-inf"]
    assert encode_tensor(torch.tensor(0.1, dtype=torch.float64))["value"] == 0.1
    assert encode_tensor(torch.tensor(7))["value"] == 7


def test_tensors_past_a_thousand_elements_are_summarised() -> None:
    whole = encode_tensor(torch.arange(1000, dtype=torch.float32))
    assert len(whole["value"]) == 1000 and "truncated" not in whole
    t = torch.linspace(-1.0, 4.0, 5000).reshape(50, 100)
    summary = encode_tensor(t)
    assert summary["shape"] == [50, 100] and summary["truncated"] is True
    assert summary["value"] == encode_tensor(t.reshape(-1)[:100])["value"]  # flat, the first 100
    assert (summary["min"], summary["max"]) == (-1.0, 4.0)
    assert summary["mean"] == pytest.approx(1.5, rel=1e-6)
    json.dumps(summary, allow_nan=False)


def test_summaries_of_non_finite_tensors_stay_json() -> None:
    summary = encode_tensor(torch.full((2000,), float("nan")))
    assert (summary["min"], summary["max"], summary["mean"]) == ("nan", "nan", "nan")
    summary = encode_tensor(torch.full((2000,), float("inf")))
    assert (summary["min"], summary["max"], summary["mean"]) == ("inf", "inf", "inf")
    json.dumps(summary, allow_nan=False)


def test_a_zero_tensor_is_its_zeros() -> None:
    # torch.sgn's gradient is autograd's ZeroTensor, which numpy() refuses.
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    torch.sgn(x).sum().backward()
    assert x.grad is not None and x.grad._is_zerotensor()
    assert encode_tensor(x.grad) == {"shape": [2], "dtype": "float32", "value": [0.0, 0.0]}


def test_a_list_that_repeats_itself_is_answered_within_a_budget() -> None:
    # Found by fuzzing: `l = [l] * 1000` three deep made 10**9 numbers to write.
    from app.evaluate.encode import PLAIN_ITEMS, encode_plain

    row = [0] * 1000
    value = [[row] * 30] * 30  # 900,000 numbers from 1,030 items
    encoded = encode_plain(value)
    flat = json.dumps(encoded)
    assert flat.count("0") <= PLAIN_ITEMS + 10 and '"..."' in flat
    assert encode_plain([1, 2.5, "a", None]) == [1, 2.5, "a", None]
    assert encode_plain(2j) == "2j" and encode_plain([1 + 2j]) == ["(1+2j)"]


def test_a_value_that_repeats_a_long_string_is_written_within_the_budget() -> None:
    # `[["A"*100000]*1000]*3`: 24 characters of source, 300 MB of JSON unbounded.
    from app.budget import TEXT_CHARS, Budget
    from app.evaluate.encode import encode_value

    budget = Budget(1 << 20)
    encoded = encode_value([["A" * 100_000] * 1000] * 3, budget)
    assert json_size(encoded) <= (1 << 20) + 1000
    assert encoded["truncated"] is True and budget.notes
    first = encoded["value"][0][0]
    assert first.startswith("A" * TEXT_CHARS) and first.endswith("[90,000 more characters]")
    assert encoded["value"][0][-1] == "..." and encoded["value"][-1] == "..."


def test_every_occurrence_of_a_shared_item_is_paid_for() -> None:
    from app.budget import Budget
    from app.evaluate.encode import encode_value

    row = list(range(1000))
    small = Budget(10_000)
    assert encode_value([row] * 1000, small)["truncated"] is True
    assert small.left >= 0
    unbounded = encode_value([1, [2, "three"]])
    assert unbounded == {"value": [1, [2, "three"]], "shape": None, "dtype": "list"}


def test_a_tensor_that_does_not_fit_is_summarised_then_bare() -> None:
    from app.budget import Budget

    t = torch.arange(1000, dtype=torch.float32)
    roomy = Budget(100_000)
    assert encode_tensor(t, roomy) == encode_tensor(t)
    summary = encode_tensor(t, Budget(2_000))
    assert summary["truncated"] is True and summary["value"] == list(map(float, range(100)))
    assert summary["min"] == 0.0 and summary["max"] == 999.0
    bare = encode_tensor(t, Budget(100))
    assert bare == {"shape": [1000], "dtype": "float32", "value": [], "truncated": True}


def test_empty_tensors_with_huge_dimensions_are_not_written_out() -> None:
    # torch.zeros(3000, 3000, 0): 9 M empty lists, 54 MB and 18 s to write.
    huge = encode_tensor(torch.zeros(3000, 3000, 0))
    assert huge == {"shape": [3000, 3000, 0], "dtype": "float32", "value": [], "truncated": True}
    for shape in [(0,), (2, 0), (3, 0, 4), (10, 10, 0)]:
        t = torch.zeros(shape)
        assert encode_tensor(t)["value"] == t.tolist(), shape


def json_size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


@pytest.mark.parametrize(
    "value",
    [list(range(100_000)), tuple(range(1001)), [0.1234] * 100_000, [[0] * 1001]],
    ids=["range", "tuple", "floats", "nested"],
)
def test_a_sequence_past_a_thousand_items_is_cut_with_a_marker_and_says_so(value: object) -> None:
    # audit16 F7: list(range(100000)) was sent as its first 1,000 items,
    # with no "truncated" and no warning.
    from app.budget import Budget
    from app.evaluate.encode import FULL_ELEMENTS, LONG, encode_value

    budget = Budget(8 << 20)
    encoded = encode_value(value, budget)
    assert encoded["truncated"] is True and budget.notes == [LONG]
    cut = encoded["value"][0] if isinstance(encoded["value"][0], list) else encoded["value"]
    assert len(cut) == FULL_ELEMENTS + 1 and cut[-1] == "..."
    assert encode_value(value)["truncated"] is True  # without a budget too


def test_a_dict_past_a_thousand_keys_is_cut_and_a_thousand_is_whole() -> None:
    from app.budget import Budget
    from app.evaluate.encode import LONG, encode_value

    budget = Budget(8 << 20)
    encoded = encode_value({i: i for i in range(5000)}, budget)
    assert encoded["truncated"] is True and budget.notes == [LONG]
    assert list(encoded["value"])[-2:] == ["999", "..."] and len(encoded["value"]) == 1001
    whole = Budget(8 << 20)
    for value in [list(range(1000)), {i: i for i in range(1000)}, (0,) * 1000]:
        encoded = encode_value(value, whole)
        assert "truncated" not in encoded and "..." not in encoded["value"]
    assert not whole.notes
