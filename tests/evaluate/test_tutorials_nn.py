"""PyTorch tutorials run verbatim (with torch.manual_seed(0) added), against Python.

tests/evaluate/programs/: the "Neural Networks" tutorial's LeNet (a class with
two convolutions and three linear layers, its parameters, a backward from a
random gradient, MSELoss, the loss's grad_fn chain, conv1's bias gradient,
one SGD step), "Learning PyTorch with Examples"' custom nn Module (four
nn.Parameters, a `string()` method, 200 SGD steps), and "Build the Neural
Network" (the device idiom, `NeuralNetwork().to(device)`, `print(model)`,
its parameters printed in a loop). Printed addresses are
compared by order of first appearance.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import NotAllowed
from app.evaluate import run_source
from tests.evaluate.python import addresses_in_order, python_stdout

PROGRAMS = Path(__file__).parent / "programs"


@pytest.mark.parametrize(
    "name", ["nn_tutorial_lenet", "nn_tutorial_polynomial3", "nn_tutorial_buildmodel"]
)
def test_the_tutorial_prints_what_python_prints(name: str) -> None:
    source = (PROGRAMS / f"{name}.txt").read_text()
    ours = run_source(source).stdout
    assert addresses_in_order(ours) == addresses_in_order(python_stdout(source))


def test_lenet_draws_its_last_training_loss_with_module_boxes() -> None:
    evaluation = run_source((PROGRAMS / "nn_tutorial_lenet.txt").read_text())
    assert evaluation.output_name == "loss"
    calls = {m.path for origin in evaluation.node_origins.values() for m in origin.modules}
    assert calls == {"net", "net.conv1", "net.conv2", "net.fc1", "net.fc2", "net.fc3", "criterion"}
    names = [name for name, _ in evaluation.parameters]
    assert names[:2] == ["net.conv1.weight", "net.conv1.bias"] and len(names) == 10


@pytest.mark.parametrize("call", ["model.to(device)", "model.to('cpu')", "model.cpu()"])
def test_moving_a_model_to_the_cpu_is_the_model_itself(call: str) -> None:
    source = (
        "import torch\nfrom torch import nn\n"
        'device = torch.device("cuda" if torch.cuda.is_available() else "cpu")\n'
        f"model = nn.Linear(2, 1)\nprint({call} is model)\n"
    )
    assert run_source(source).stdout == python_stdout(source) == "True\n"


def test_a_model_cannot_go_to_cuda_or_change_its_dtype() -> None:
    cuda = (
        "import torch\nm = torch.nn.Linear(2, 1)\n"
        "try:\n    m.cuda()\nexcept AssertionError as e:\n    print(e)\n"
    )
    assert run_source(cuda).stdout == "Torch not compiled with CUDA enabled\n"
    with pytest.raises(NotAllowed, match="dtype") as refused:
        run_source("import torch\nm = torch.nn.Linear(2, 1)\nm = m.to(torch.float64)\n")
    assert (refused.value.line, refused.value.column) == (3, 5)
