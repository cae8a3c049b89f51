"""The Python around tutorials' torch (issue 20), each program against real Python.

Every program here runs twice: in the evaluator, and as this suite's own
text in real Python with real torch (tests/evaluate/python.py); both must
print the same bytes (addresses compared by order of first appearance).
"""

from __future__ import annotations

import random

import pytest

from app.errors import NotAllowed, UserRuntimeError
from app.evaluate import run_source
from tests.evaluate.python import addresses_in_order, python_stdout

HEADER = "import torch\nimport torch.nn.functional as F\nimport math\n"

PROGRAMS = {
    "dict comprehensions": """
chars = ['a', 'b', 'c', 'e', 'm', 'o', 'v']
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
print(stoi)
print(itos)
squares = {k: k * k for k in range(10) if k % 2}
print(squares, len(squares), [k for k in squares])
named = {name: torch.tensor(float(i)) for i, name in enumerate(['w', 'b'])}
print(named)
try:
    {[k]: 1 for k in range(2)}
except TypeError as e:
    print(e)
""",
    "type errors name Python's types": """
class A:
    pass

def g():
    return 1

for bad in [lambda: -print, lambda: A() + 1, lambda: 1 - A(), lambda: g + 1, lambda: -g,
            lambda: torch.ones(1).sum + 1, lambda: len(g), lambda: len(A()), lambda: A()(),
            lambda: A()[0], lambda: list(A()), lambda: [x for x in g],
            lambda: list(torch.nn.Linear(2, 2)), lambda: len(torch.nn.Linear(2, 2))]:
    try:
        bad()
    except TypeError as e:
        print(e)
""",
    "bound methods": """
class A:
    def go(self):
        return 1

class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(2, 1)

    def forward(self, x):
        return self.fc(x)

a, net, x = A(), Net(), torch.ones(2)
print(a.go, a.go())
print(net.forward)
print(net.parameters)
print(x.sum, [1].append, 's'.upper)
print(torch.optim.SGD(net.parameters(), lr=0.1).zero_grad)
""",
    "dict views": """
d = {'a': 1, 'b': torch.tensor(2.0)}
print(d.keys())
print(d.values(), d.items())
print(f"{d.keys()}", str(d.items()), [d.keys()])
for k, v in d.items():
    print(k, v)
print(len(d.values()), 'a' in d.keys(), list(d.keys()), sorted(d.keys()), tuple(d.keys()))
""",
    "str.format": """
x = torch.tensor(3.14159)
loss = 0.000123456
print("{:.4f}".format(x), "{} and {}".format(1, 'a'), "{0}{1}{0}".format('a', 'b'))
print("epoch {epoch:3d}: loss {loss:.2e}".format(epoch=7, loss=loss))
print("{:>8}|{:<6}|{:^7}|".format('r', 'l', 'c'), "{:,}".format(1234567), "{!r}".format('q'))
print("{:{w}.{p}f}".format(math.pi, w=10, p=3), "{{literal}}".format())
print("{:.2%}".format(0.256), "{:08.3f}".format(-3.5), "{:+d}".format(5))
""",
    "percent": """
i = 7
t = torch.tensor([1.5, 2.5])
print("%d" % i, "%.3f" % t.sum().item(), "%s" % [1, 2], "%5.1f%%" % 12.34)
print("%(a)s-%(b)04d" % {'a': 'x', 'b': 42}, "%*d|" % (5, 3), "%-6s|" % 'ab', "%r" % 'x')
print("step %d of %d: %s" % (1, 10, t), "%x %o %e %g %c" % (255, 8, 12345.678, 0.5, 65))
""",
    "str methods": """
words = ['alpha', 'beta', 'gamma']
print(', '.join(words), '-'.join(str(i) for i in range(3)), ''.join([]))
s = '  Hello, World  '
print(s.strip(), s.lstrip(), s.rstrip() + '|', s.upper(), s.lower(), s.title())
print('a,b,,c'.split(','), 'a b  c'.split(), 'x=1'.partition('='), 'l1\\nl2'.splitlines())
print('abc'.replace('b', 'BB'), 'abc'.startswith('ab'), 'abc'.endswith('x'), 'banana'.count('a'))
print('7'.zfill(3), 'ab'.ljust(4, '.'), 'ab'.center(6, '*'), 'ab'.rjust(3), 'abc'.find('c'))
print('3'.isdigit(), 'x'.isalpha(), 'Hi'.swapcase(), 'hello world'.capitalize())
name = 'loss'
print(f"{name.upper()}: {0.5:.2f}", name.removeprefix('lo'), 'a.b.c'.rsplit('.', 1))
""",
    "sorted and sort": """
scores = {'b': 2, 'a': 3, 'c': 1}
print(sorted(scores), sorted(scores.items(), key=lambda kv: kv[1]))
print(sorted([3, 1, 2], reverse=True), sorted(['bb', 'a', 'ccc'], key=len))
xs = [torch.tensor(2.0), torch.tensor(-1.0), torch.tensor(0.5)]
print(sorted(xs), sorted(xs, key=lambda t: -t.item()))
l = [5, 2, 9]
l.sort()
print(l)
l.sort(key=lambda v: (v % 3, v), reverse=True)
print(l)
""",
    "lambda": """
square = lambda v: v * v
add = lambda a, b=10: a + b
print(square(3), add(1), add(1, 2), (lambda: 'no args')())
fs = [lambda v, k=k: v * k for k in range(3)]
print([f(2) for f in fs])
def make(scale):
    return lambda t: t * scale
double = make(2)
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = double(x).sum()
y.backward()
print(y, x.grad)
""",
    "__name__ and version": """
def main():
    print('main ran', __name__)

if __name__ == "__main__":
    main()
print(torch.__version__.split('+')[0] >= '2.0', torch.__version__ == torch.__version__)
""",
    "no_grad decorator": """
w = torch.tensor([1.0, 2.0], requires_grad=True)

@torch.no_grad()
def update(p, lr):
    p -= lr * p.grad
    return p.requires_grad, torch.is_grad_enabled()

loss = (w ** 2).sum()
loss.backward()
print(update(w, 0.1), torch.is_grad_enabled(), w)

@torch.enable_grad()
def inner(t):
    return (t * 2).requires_grad

@torch.no_grad
def bare(t):
    return (t * 2).requires_grad

print(bare(w))

with torch.no_grad():
    print(inner(w))
""",
    "devices": """
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(device, device.type, torch.cuda.is_available(), torch.cuda.device_count())
torch.cuda.manual_seed_all(0)
x = torch.ones(3, device=device)
w = torch.randn(3, 2, device=device, dtype=torch.float64, requires_grad=True)
y = torch.tensor([1.0, 2.0], device=device).to(device)
print(x.device, x.is_cuda, x.to(device).cpu(), y.to('cpu'), w.dtype, w.requires_grad)
print(x.to(torch.float64), x.to(device, torch.int32), x.to(y).dtype, x.type())
""",
    "data": """
w = torch.tensor([1.0, -2.0], requires_grad=True)
lr = 0.1
for step in range(3):
    loss = (w ** 2).sum()
    loss.backward()
    w.data -= lr * w.grad
    w.grad.zero_()
print(w, w.data, w.data.requires_grad)
w.data = w.data * 2
print(w, w.is_leaf)
""",
    "next_functions": """
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(3.0, requires_grad=True)
y = a * b + a.sin()
print(y.grad_fn)
print(y.grad_fn.next_functions)
print(y.grad_fn.next_functions[0][0].next_functions)
print(y.grad_fn.name(), y.grad_fn.next_functions[0][0] is y.grad_fn.next_functions[0][0])
""",
    "micrograd's constructor": """
a = torch.Tensor([-4.0]).double()
b = torch.Tensor([2.0]).double()
a.requires_grad = True
b.requires_grad = True
c = a + b
d = a * b + b ** 3
e = (c - d).relu() + F.gelu(c)
e.backward()
print(e.data.item(), a.grad.item(), b.grad.item(), torch.Tensor(), torch.Tensor([[1, 2]]))
""",
    "einsum and matrix_power": """
A = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
v = torch.tensor([1.0, -1.0])
print(torch.einsum('ij,j->i', A, v), torch.einsum('ii', A), torch.einsum('ij,kj->ik', A, A))
print(torch.matrix_power(A, 3), torch.linalg.matrix_power(A, -1))
s = torch.einsum('ij,ij->', A, A) + torch.matrix_power(A, 2).trace()
s.backward()
print(A.grad)
print(torch.autograd.grad((A ** 2).sum(), A, only_inputs=True))
""",
    "torch's breadth": """
x = torch.linspace(-1, 1, 5, requires_grad=True)
print(torch.special.erf(x), torch.special.expit(x), torch.fft.rfft(x).abs())
print(torch.linalg.norm(x), torch.linalg.vector_norm(x, 1))
print(torch.cdist(x[None, :, None], x[None, :, None]).shape, torch.nonzero(x > 0))
print(torch.bincount(torch.tensor([0, 2, 2])), torch.combinations(torch.arange(3)))
print(torch.repeat_interleave(torch.tensor([1, 2]), 2), x.tensor_split(2))
print(torch.atleast_2d(x).shape)
print(F.interpolate(x.detach()[None, None], scale_factor=2).shape, torch.finfo(torch.float32).eps)
y = (torch.logsumexp(x, 0) + torch.cumsum(x, 0).sum() + torch.kron(x, x).mean()).exp()
y.backward()
print(y, x.grad)
""",
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_prints_what_python_prints(name: str) -> None:
    source = HEADER + PROGRAMS[name]
    expected = addresses_in_order(python_stdout(source))
    assert addresses_in_order(run_source(source).stdout) == expected


def test_random_is_pythons_seeded_per_program() -> None:
    source = (
        "import random\nrandom.seed(7)\nprint(random.random(), random.randint(1, 6),"
        " random.choice('abc'), random.sample(range(100), 3), random.uniform(0, 1),"
        " random.gauss(0, 1), random.choices([1, 2, 3], k=4))\nl = list(range(5))\n"
        "random.shuffle(l)\nprint(l, random.randrange(0, 10, 2))"
    )
    state = random.getstate()
    try:
        assert run_source(source).stdout == python_stdout(source)
    finally:
        random.setstate(state)
    # Without a seed: the program's own generator, seeded with 0 (never the
    # module's, never the clock), the same in every run.
    unseeded = "import random\nprint(random.random(), random.randint(0, 100))"
    reference = random.Random(0)
    expected = f"{reference.random()} {reference.randint(0, 100)}\n"
    assert run_source(unseeded).stdout == run_source(unseeded).stdout == expected
    before = random.getstate()
    run_source("import random\nrandom.seed(1)\nrandom.random()")
    assert random.getstate() == before  # the module's own state is untouched


def test_make_dot_from_trace_imports_and_refuses_when_called() -> None:
    source = (
        "from torchviz import make_dot, make_dot_from_trace\n"
        "x = torch.ones(2, requires_grad=True)\n"
    )
    evaluation = run_source(source + "y = (x * 2).sum()\nmake_dot(y)")
    assert evaluation.output_name == "y"
    with pytest.raises(NotAllowed, match="torch.jit") as caught:
        run_source(source + "make_dot_from_trace(x)")
    assert (caught.value.line, caught.value.column) == (3, 1)


def test_other_devices_are_torchs_refusals_or_ours() -> None:
    with pytest.raises(UserRuntimeError, match="not compiled with CUDA") as caught:
        run_source(
            "x = torch.ones(2)\ntry:\n    x.cuda()\nexcept AssertionError as e:\n"
            "    pass\nx.to('cuda')"
        )
    assert caught.value.line == 6
    caught_text = run_source(
        "x = torch.ones(2)\ntry:\n    x.cuda()\nexcept AssertionError as e:\n    print(e)"
    ).stdout
    assert caught_text == "Torch not compiled with CUDA enabled\n"
    for source in (
        "torch.zeros(2, device='meta')",
        "torch.ones(2).to(torch.device('meta'))",
        "torch.ones(2).to('mps')",
        "torch.ones(2).type(torch.cuda.FloatTensor)",
    ):
        with pytest.raises((NotAllowed, UserRuntimeError)):
            run_source(source)


def test_format_fields_may_not_look_up_attributes_or_items() -> None:
    for source in (
        "'{0.__class__}'.format(1)",
        "'{0[0]}'.format([1])",
        "'{x.real}'.format(x=1)",
        "fmt = '{0.dtype}'\nfmt.format(torch.ones(1))",
        "'{:{0.real}}'.format(1)",
    ):
        with pytest.raises(NotAllowed, match="attribute and item lookups"):
            run_source(source)


def test_a_name_bound_to_a_second_leaf_means_the_last_as_x_grad_does() -> None:
    source = (
        "x = torch.tensor(1.0, requires_grad=True)\n"
        "y = x * 2\n"
        "x = torch.tensor(3.0, requires_grad=True)\n"
        "z = y + x ** 2\n"
        "z.backward()\n"
        "print(x.grad)\n"
    )
    evaluation = run_source(source)
    assert evaluation.stdout == "tensor(6.)\n"
    gradients = {k: None if v is None else v.item() for k, v in evaluation.gradients.items()}
    assert gradients["x"] == 6.0 and gradients["x (line 1)"] == 2.0
    from app.graph.build import build_graph

    leaves = sorted(n.name or "" for n in build_graph(evaluation).nodes if n.kind == "leaf")
    assert leaves == ["x", "x (line 1)"]
    # The loop lesson: x rebound to products still names the leaf.
    looped = run_source(
        "x = torch.tensor(2.0, requires_grad=True)\nfor i in range(3):\n    x = x * 2\nx"
    )
    assert list(looped.gradients) == ["x"]
