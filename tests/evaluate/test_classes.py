"""The program's own classes, run by the interpreter and by real Python alike."""

from __future__ import annotations

import pytest

from app.errors import LimitExceeded, NotAllowed, UserRuntimeError, VisualizerError
from app.evaluate import run_source
from app.evaluate.addresses import FIRST, STRIDE
from app.limits import Limits
from tests.evaluate.python import addresses_in_order, python_stdout

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

POINT = (
    HEAD
    + '''
class Point:
    """A point in the plane."""
    dims = 2
    origin_name: str = "O"

    def __init__(self, x, y=0):
        self.x = x
        self.y = y

    def norm(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5

    def moved(self, dx, dy=0):
        return Point(self.x + dx, self.y + dy)

    def describe(self):
        return f"({self.x}, {self.y}) at {self.norm():.2f}"


def total(points):
    return sum(p.x for p in points)


p = Point(3, 4)
q = p.moved(1, dy=2)
points = [p, q, Point(-1)]
print(p.norm(), q.x, q.y, q.dims, Point.dims, Point.origin_name, points[2].y)
print(total(points), q.describe(), len(points))
norm = Point.norm
print(norm(q), p is points[0], p == q)
p.x = 6
print(p.describe())
print(Point)
'''
)

PRINTED = (
    HEAD
    + """
class Point:
    def __init__(self, x):
        self.x = x

class Empty:
    pass

p = Point(1)
e = Empty()
print(p)
print([p, e, p])
print(f"{e} and {p!r}")
print(str(Empty()))
"""
)

SUPER_PLAIN = (
    HEAD
    + """
class Base:
    def __init__(self):
        super().__init__()
        self.ready = True

b = Base()
print(b.ready)
"""
)

SHADOWING = (
    HEAD
    + """
class Counter:
    step = 1

    def __init__(self):
        self.count = 0

    def tick(self):
        self.count += self.step
        return self

c = Counter()
c.tick().tick()
c.step = 10
c.tick()
print(c.count, Counter.step)
"""
)

MODULE = (
    HEAD
    + """
class Scale(nn.Module):
    def __init__(self, n, bias=0.5):
        super().__init__()
        self.w = torch.linspace(0.5, 1.5, n, requires_grad=True)
        self.bias = bias

    def forward(self, x):
        return self.combine(x * self.w) + self.bias

    def combine(self, v):
        return v.sum()

def apply_all(models, x):
    return [m(x) for m in models]

net = Scale(3)
other = Scale(3, bias=1.0)
x = torch.arange(3.0)
ys = apply_all([net, other], x)
print(ys[0], ys[1])
ys[0].backward()
print(net.w.grad, net.bias)
print(net)
print(Scale)
print(net.forward(x).item())
"""
)

OLD_SUPER = (
    HEAD
    + """
class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.k = 3

    def forward(self, x):
        return x * self.k

print(Net()(torch.ones(2)))
"""
)

CAUGHT = (
    HEAD
    + """
class A:
    def __init__(self):
        self.v = 1

class Bad:
    def __init__(self):
        self.missing = 0
        return 1

class NoInit:
    pass

class NoForward(nn.Module):
    pass

class Other:
    def f(self):
        super().__init__()

a = A()
for attempt in range(6):
    try:
        if attempt == 0:
            a.missing
        elif attempt == 1:
            a()
        elif attempt == 2:
            Bad()
        elif attempt == 3:
            NoInit(1)
        elif attempt == 4:
            NoForward()(torch.ones(1))
        else:
            Other.f(5)
    except Exception as e:
        print(e)
"""
)

PROGRAMS = {
    "point": POINT,
    "printed": PRINTED,
    "super_plain": SUPER_PLAIN,
    "shadowing": SHADOWING,
    "module": MODULE,
    "old_super": OLD_SUPER,
    "caught": CAUGHT,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_prints_what_python_prints(name: str) -> None:
    source = PROGRAMS[name]
    ours = run_source(source).stdout
    assert addresses_in_order(ours) == addresses_in_order(python_stdout(source))


def test_addresses_are_the_same_on_every_run() -> None:
    first = run_source(PRINTED).stdout
    assert first == run_source(PRINTED).stdout
    p, e = f"{FIRST:#x}", f"{FIRST + STRIDE:#x}"
    assert first.splitlines()[:2] == [
        f"<__main__.Point object at {p}>",
        f"[<__main__.Point object at {p}>, <__main__.Empty object at {e}>, "
        f"<__main__.Point object at {p}>]",
    ]


def test_a_module_class_is_a_real_module_with_the_programs_forward() -> None:
    evaluation = run_source(MODULE)
    assert evaluation.stdout.splitlines()[-3:-1] == ["Scale()", "<class '__main__.Scale'>"]


def test_a_class_attribute_cannot_be_assigned() -> None:
    with pytest.raises(NotAllowed) as caught:
        run_source("class A:\n    x = 1\nA.x = 2")
    assert (caught.value.line, caught.value.column) == (3, 1)


def test_a_modules_own_names_cannot_be_assigned_at_run_time() -> None:
    # `training` is a fine attribute of a plain class, so the parser allows
    # `.training =`; on a module the interpreter refuses it.
    source = (
        "class B:\n    def __init__(self):\n        self.training = 1\n"
        "class A(nn.Module):\n    pass\nB()\na = A()\na.training = 0"
    )
    with pytest.raises(NotAllowed) as caught:
        run_source(source)
    assert caught.value.line == 8


def test_forgetting_super_init_is_torchs_error() -> None:
    source = (
        "class A(nn.Module):\n    def __init__(self):\n        self.w = torch.ones(1)\n"
        "a = A()\nprint(a)"
    )
    with pytest.raises(UserRuntimeError) as caught:
        run_source(source)
    assert caught.value.line == 5
    assert "_modules" in caught.value.detail


@pytest.mark.parametrize(
    "source",
    [
        "class R:\n    def __init__(self):\n        self.child = R()\nR()",
        "class R(nn.Module):\n    def forward(self, x):\n        return self(x)\nR()(1)",
        "class R(nn.Module):\n    def forward(self, x):\n        return self.forward(x)\nR()(1)",
    ],
)
def test_classes_that_recurse_reach_the_call_depth(source: str) -> None:
    with pytest.raises(LimitExceeded) as caught:
        run_source(source)
    assert caught.value.limit == "call_depth"


def test_instances_made_in_a_loop_count_as_steps() -> None:
    source = "class A:\n    def __init__(self):\n        self.v = 1\nfor i in range(5000):\n    A()"
    with pytest.raises(LimitExceeded) as caught:
        run_source(source, limits=Limits(steps=1000))
    assert caught.value.limit == "steps"


def test_a_limit_inside_forward_ends_the_program_through_torch() -> None:
    source = (
        "class Big(nn.Module):\n    def forward(self, x):\n        return torch.ones(10**9)\n"
        "try:\n    Big()(1)\nexcept Exception:\n    print('caught')"
    )
    with pytest.raises(LimitExceeded) as caught:
        run_source(source)
    assert (caught.value.limit, caught.value.line) == ("tensor_elements", 3)


def test_a_class_value_and_instances_hold_no_real_class() -> None:
    # What a program holds is our record; printing it is all it shows.
    evaluation = run_source("class A:\n    pass\nB = A\nb = B()\nb")
    assert type(evaluation.output).__name__ == "ProgramObject"
    with pytest.raises(VisualizerError):
        run_source("class A:\n    pass\nA.node")
