"""NumPy in programs: each program prints exactly what real Python prints.

Every program below runs twice: through the evaluator and in real Python
(tests/evaluate/numpy_programs.py), and the two outputs must be equal to the
character: NumPy's own printing, its dtypes, its scalars, and Python's rules
for arrays, tensors and numbers on either side of an operator.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.errors import VisualizerError
from app.evaluate import run_source
from tests.evaluate.numpy_programs import python_stdout

PROGRAMS = [
    # arrays, their attributes, reductions and printing
    """\
a = np.array([[1., 2.], [3., 4.]])
print(a)
print(a.shape, a.dtype, a.ndim, a.size, a.T)
print(a.sum(), a.sum(axis=0), a.mean(axis=1), a.std(), a.var(ddof=1))
print(a.min(), a.max(axis=0), a.argmin(), a.argmax(axis=1), a.prod(), a.cumsum())
print(str(a), f"{a}", f"{a!r}", a.itemsize, a.nbytes)
""",
    # creation
    """\
print(np.zeros((2, 3)), np.ones(3), np.full((2, 2), 7), np.eye(3), sep='\\n')
print(np.zeros_like(np.ones(2)), np.ones_like(np.ones(2), dtype=np.int32), np.identity(2))
print(np.arange(1, 10, 2), np.arange(0.0, 1.0, 0.25), np.arange(5))
print(np.linspace(0, 1, 3, endpoint=False), np.linspace(0, 10, 4, retstep=True))
print(np.logspace(0, 2, 3), np.geomspace(1, 8, 4), np.eye(3, k=1), np.eye(2, 3), np.tri(3))
print(np.diag(np.eye(3)), np.diagflat([1, 2]), np.full_like(np.ones(2), 7))
print(np.atleast_2d([1, 2]), np.broadcast_to(np.arange(3), (2, 3)), np.vander([1, 2, 3]))
print(np.resize(np.arange(3), 5), np.take(np.arange(5), [0, 4]), np.copy(np.ones(2)))
""",
    # elementwise math, comparisons, where, clip
    """\
x = np.linspace(-1, 1, 11)
y = np.arange(11)
print(x)
print(x + y, x * 2, 2 * x, x ** 2, y // 2, y % 3, -x, x / 0.5, x @ x, ~(y > 3))
print(x > 0.5, x == y, y != 2, 0.5 < x, np.where(x > 0.5, x, 0), np.clip(x, 0.2, 0.7))
print(np.abs(x), np.sign(x), np.floor(x * 2), np.ceil(x), np.exp(-x ** 2).round(3))
print(np.maximum(x, 0), np.minimum(x, 0.5), np.tanh(x)[:3], np.arctan2(x, 1.0)[:2])
print(np.isnan(np.array([1.0, np.nan])), np.nan_to_num(np.array([np.nan, np.inf])))
print(np.sqrt(2), np.exp(np.array([0., 1.])), np.log(10), np.sin(np.pi / 2), np.pi, np.e)
""",
    # indexing, assignment, iteration
    """\
a = np.arange(12).reshape(3, 4)
print(a[0], a[1, 2], a[:, 1], a[a > 5], a[[0, 2]], a[..., -1], a[None].shape, a[::2, ::-1])
print(a[np.array([0, 1]), np.array([1, 2])], a[1:, [True, False, True, False]])
a[0, 0] = 100
a[a > 10] = -1
a[1] = [9, 8, 7, 6]
print(a)
print(len(a), list(a[0]), [int(v) for v in a[1]])
for row in a:
    print(row)
p, q = np.array([0.5, 1.5])
print(p, q, dict(first=a[0, 1]), list(zip(a[0], a[1])))
""",
    # interop with torch
    """\
t = torch.tensor([1.0, 2.0, 3.0])
a = t.numpy()
print(a, a[0].dtype, a.dtype)
b = torch.from_numpy(np.array([1, 2, 3]))
print(b, b.dtype)
print(torch.tensor(np.array([1.5, 2.5])), torch.as_tensor(np.ones(2)))
print(t * np.ones(3), np.float64(2) * t, t * np.float32(3), np.int64(2) + t)
print(float(a[0]), int(np.int64(7)), np.float32(1.5) + 1, a == t, t == a)
a[0] = 42
print(t, torch.tensor(np.float64(1.5)).dtype, np.asarray(t).shape)
""",
    # Python's own rules decide what an operator means
    """\
a = np.ones(3)
t = torch.ones(3)
try:
    print(a * t)
except TypeError as e:
    print('TypeError', e)
try:
    print(a < t)
except TypeError as e:
    print('TypeError', e)
print(np.int64(3) * [1, 2], [0] * np.int64(2), 'ab' * np.int64(2))
print(np.float64(2) + [1, 2], [1, 2] + np.arange(2), np.float64(0.5) * 3)
""",
    # np functions of tensors: NumPy asks the tensor, as in the notebook's cell 12
    """\
theta = torch.linspace(-5, 5, 100)
y = theta * torch.cos(4 * theta)
i = np.argmin(y)
print(i, theta[i], theta[np.int64(3)], float(theta[np.argmax(y)]), np.argmax(theta.numpy()))
""",
    """\
t = torch.tensor([1.0, 2.0], requires_grad=True)
try:
    t.numpy()
except Exception as e:
    print(e)
print(t.detach().numpy(), np.sin(t.detach().numpy()))
""",
    # NumPy scalars
    """\
x = np.float32(0.1)
print(x, f'{x!r}', f'{x:.3f}', str(x), x * 3, x.item(), x.dtype, x.shape)
print(np.float32(-3.2959592), np.float64(1) / 3, np.int64(2) ** 10, np.float32(1.0) / 3)
print(np.int32(7) // 2, np.int8(100) + np.int8(100), round(np.float64(2.567), 2), abs(np.int64(-2)))
print(np.float64('1.5'), np.int64(3.9), np.bool_(1), np.float32(np.float64(1 / 3)))
""",
    # dtypes
    """\
a = np.array([1.5, 2.5, 3.5])
print(a.astype(int), a.astype(np.float32), a.astype('float32').dtype, a.tolist(), a.copy())
print(a.reshape(3, 1).flatten(), a.round(), np.round(a, 1), a.dtype == np.float64)
print(a.dtype.name, a.dtype.itemsize, a.dtype.kind, np.zeros(2, dtype=float), np.zeros(2, int))
print(np.array([1, 2], dtype=np.float32), np.array([True, False]), np.array([1+2j]))
print(np.array([[1, 2], [3, 4]], dtype=np.uint8), np.finfo(np.float32).eps, np.iinfo(np.int8).max)
print(np.issubdtype(a.dtype, np.floating), np.result_type(np.float32, np.int64), np.float64)
z = np.zeros(3, dtype=np.float32)
print((z + 1).dtype, (z * np.float64(2)).dtype, (z + 1.5).dtype)
""",
    # shapes
    """\
a = np.array([3, 1, 2])
print(np.sort(a), np.argsort(a), np.unique(np.array([1, 1, 2])), np.cumsum(a), np.diff(a))
print(np.concatenate([a, a]), np.stack([a, a]), np.vstack([a, a]), np.hstack([a, a]))
print(np.reshape(a, (3, 1)), np.transpose(np.ones((2, 3))).shape, np.squeeze(np.ones((1, 3))))
print(np.expand_dims(a, 0), np.ravel(np.eye(2)), np.dot(a, a), np.outer(a, a))
print(np.split(np.arange(6), 3), np.array_split(np.arange(6), 4), np.append(a, [7, 8]))
print(np.column_stack([a, a]).shape, np.dstack([a, a]).shape, np.flip(a), np.roll(a, 1))
b = np.arange(24).reshape(2, 3, 4)
print(b)
print(b.transpose(2, 0, 1).shape, np.moveaxis(b, 0, -1).shape, np.swapaxes(b, 0, 2).shape)
print(b.sum(axis=(0, 2)), b.max(axis=-1, keepdims=True).shape, np.median(b), np.percentile(b, 50))
""",
    """\
xs, ys = np.meshgrid(np.arange(3), np.arange(2))
print(xs, ys)
print(np.tile(np.array([1, 2]), 2), np.repeat(np.array([1, 2]), 2), np.kron(np.eye(2), np.ones(2)))
print(np.pad(np.ones(2), 1), np.diag(np.array([1, 2])), np.rot90(np.eye(2)), np.fliplr(np.eye(2)))
print(np.repeat(np.array([[1, 2]]), 2, axis=0), np.tile(np.array([1, 2]), (2, 2)))
print(np.pad(np.ones(2), (1, 2), mode='constant', constant_values=5), np.tril(np.ones((2, 2))))
""",
    # linear algebra
    """\
m = np.array([[2., 1.], [1., 3.]])
print(np.linalg.norm(m), np.linalg.det(m), np.linalg.inv(m), np.linalg.solve(m, np.array([1., 2.])))
w, v = np.linalg.eig(m)
print(w, v, np.linalg.eigh(m)[0], np.linalg.eigvalsh(m))
u, s, vt = np.linalg.svd(m)
q, r = np.linalg.qr(m)
print(s, np.linalg.matrix_rank(m), np.linalg.pinv(m).round(4), np.allclose(q @ r, m))
print(np.linalg.matrix_power(m, 3), np.linalg.cholesky(m), np.linalg.slogdet(m))
x, res, rank, sv = np.linalg.lstsq(m, np.array([1., 2.]))
print(x, rank, np.linalg.cond(m))
print(np.linalg.norm(m, ord=1), np.linalg.norm(m, 'fro'), np.allclose(m, m.T), np.isclose(m, 2.0))
""",
    """\
a = np.array([[1, 2], [3, 4]])
b = np.array([[5, 6], [7, 8]])
print(a @ b, a.dot(b), np.inner(a, b), np.vdot(a, b), np.tensordot(a, b, axes=1), np.matmul(a, b))
print(np.cross([1, 0, 0], [0, 1, 0]), np.trace(a), a.trace(), a.diagonal(), np.triu(a))
""",
    # statistics
    """\
x = np.array([1., 2., 3., 4.])
y = 2 * x + 1
p = np.polyfit(x, y, 1)
print(p.round(6), np.polyval(p, 5.0).round(6), np.interp(2.5, x, y), np.convolve(x, [1, 1]))
print(np.histogram(x, bins=2), np.cov(x, y), np.corrcoef(x, y), np.trapezoid(y, x))
print(np.gradient(y), np.diff(y, n=2), np.searchsorted(x, 2.5), np.average(x, weights=y))
print(np.mean([1, 2, 3]), np.std([1., 2., 3.]), np.nanmean(np.array([1., np.nan])), np.ptp(x))
print(np.count_nonzero(x > 2), np.all(x > 0), np.any(x > 5), np.nonzero(x > 2), np.argwhere(x > 3))
""",
    # random: seeded with 0 before the first draw, as torch is
    """\
print(np.random.rand(2), np.random.randn(3), np.random.random(2), np.random.random_sample((1, 2)))
np.random.seed(42)
print(np.random.normal(0, 1, 3), np.random.randint(0, 10, 4), np.random.uniform(size=2))
print(np.random.choice([1, 2, 3], 2), np.random.permutation(4), np.random.standard_normal(2))
b = np.arange(5)
np.random.shuffle(b)
print(b, np.random.exponential(2.0, 2), np.random.poisson(3, 2))
""",
    """\
rng = np.random.default_rng(42)
a = rng.standard_normal((2, 3))
print(a, rng.permutation(5), rng.choice([10, 20, 30], size=2, replace=False), rng.random(2))
b = np.arange(6)
rng.shuffle(b)
print(b, rng.integers(0, 10, size=5), rng.uniform(-1, 1, 2))
print(rng.exponential(2.0, 3), rng.binomial(10, 0.5, 4), rng.poisson(3, 2), rng.normal(size=2))
print(rng.multivariate_normal([0, 0], [[1, 0], [0, 1]], size=2), rng.permuted(np.arange(4)))
""",
    # in place, Python's builtins over arrays
    """\
a = np.array([1.0, 2.0])
a += 1
a *= np.array([2.0, 3.0])
b = a
b -= 1
print(a, a.sum() / len(a), sum(a), max(a), min(a), abs(np.array([-1, 2])), a is b)
c = [np.array(1.0, dtype=np.float32), np.array(2.0, dtype=np.float32)]
print(np.array(c), np.array(c).dtype, np.array([np.float32(1), np.float32(2)]).dtype)
x = np.array([0.5, 1.5])
total = 0.0
for v in x:
    total += v
print(total, [v * 2 for v in x], x.sum().item(), f'{x[0]:.2f} {x.mean():6.3f}', x.shape[0])
""",
    # empty, 0-d, wide and summarised arrays print as NumPy prints them
    """\
print(np.zeros((2, 0)), np.array([]), np.ones((0, 3)).sum(axis=0), np.arange(0))
print(np.array(5), np.array(5).shape, np.array([[1.5]]), np.float64(np.nan))
print(np.array([1e10, 1e-10]))
print(np.array([1e100, 1]), np.array([0.1, 0.25]), np.arange(1500.0))
print(np.arange(2000).reshape(20, 100), np.zeros((7, 7, 7, 7)))
""",
    # imports of numpy's names and modules; np.newaxis is None
    """\
from numpy import linspace, newaxis, pi
import numpy.linalg as la
from numpy.random import default_rng
import numpy as numpy_alias
x = linspace(0, pi, 3)
print(x, la.norm(x), default_rng(3).random(2), numpy_alias.ones(2))
a = np.arange(3)
print(a[:, np.newaxis], a[newaxis, :].shape, [np.ones(2)], {'a': np.zeros(1)})
print((np.int64(1), np.float32(2)))
print(np.ones(3).sum().item(), np.float32 == np.float32, np.ones(2).dtype == np.float64)
""",
    """\
t = torch.arange(4.0, requires_grad=True)
y = (t ** 2).sum()
y.backward()
g = t.grad.numpy()
print(g, g.dtype, t.detach().numpy() + g, np.linalg.norm(g))
w = torch.from_numpy(np.array([[1.0, 2.0]])).requires_grad_()
z = (w * 3).sum()
z.backward()
print(w.grad, w.grad.numpy().tolist())
""",
    """\
x = np.linspace(-2, 2, 5)
def f(v):
    return v ** 2 - 1
ys = [f(v) for v in x]
print(ys, np.array(ys), max(ys), np.mean(ys), np.array([f(v) for v in x]).reshape(5, 1).T)
""",
    # Python's conveniences over NumPy values: %, format, join, sorted, lambda, .data
    """\
a = np.array([3.5, 1.25, 2.0])
print('%d' % np.int64(3), '%.2f' % np.float32(1.5), '%s' % a, '%r' % np.float64(2))
print('{:.3f}'.format(np.float64(2)), '{}'.format(a), ', '.join([str(x) for x in a]))
print(f'{a[0]:>8.2f}')
print(sorted(a), sorted(a, key=lambda v: -v), sorted([np.int64(3), np.int64(1)]))
f = lambda v: np.sqrt(v) + 1
print(f(a), [f(v) for v in a])
import random
random.seed(1)
print(random.random(), np.random.rand())
t = torch.tensor([1.0, 2.0], requires_grad=True)
w = t.data.numpy()
print(w, t.data.numpy().sum())
print(torch.from_numpy(a).to('cpu'), torch.as_tensor(a, device='cpu'))
""",
    # NumPy data through an nn model and an optimizer, its weights back as arrays
    """\
import torch.nn as nn
X = np.random.rand(10, 3).astype(np.float32)
y = np.random.rand(10, 1).astype(np.float32)
model = nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for i in range(5):
    pred = model(torch.from_numpy(X))
    loss = ((pred - torch.from_numpy(y)) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item(), model.weight.detach().numpy(), model(torch.tensor(X[:2])).detach().numpy())
w = model.weight.detach().numpy()
print(w.shape, w.dtype, np.round(w, 3), [p.detach().numpy().shape for p in model.parameters()])
""",
    # errors are NumPy's own, and a program may catch them
    """\
try:
    np.array([[1], [1, 2]])
except ValueError as e:
    print('ValueError')
try:
    np.ones(2) + np.ones(3)
except ValueError as e:
    print(e)
try:
    np.linalg.inv(np.zeros((2, 2)))
except Exception as e:
    print(e)
try:
    len(np.array(1.0))
except TypeError as e:
    print(e)
try:
    np.ones(3)[5]
except IndexError as e:
    print(e)
""",
    # The Tensors tutorial's "Bridge with NumPy": an array and a tensor sharing
    # memory, written in place through out=.
    """t = torch.ones(5)
n = t.numpy()
t.add_(1)
print(f"t: {t}")
print(f"n: {n}")
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")
m = np.zeros((2, 3))
r = np.sqrt(np.ones((2, 3)) * 4, out=m)
print(m, r is m)
try:
    np.add(np.ones(3), np.ones((2, 3)), out=np.zeros(3))
except ValueError as e:
    print(e)
""",
]


@pytest.mark.parametrize("source", PROGRAMS, ids=[p.splitlines()[0][:40] for p in PROGRAMS])
def test_programs_print_what_python_prints(source: str) -> None:
    expected = python_stdout(source)
    assert "ERR" not in expected  # each program runs to its end in real Python
    assert run_source(source).stdout == expected


def test_numpy_functions_of_a_tensor_that_requires_grad_fail_as_torch_says() -> None:
    source = "t = torch.ones(2, requires_grad=True)\nnp.sin(t)"
    with pytest.raises(VisualizerError) as caught:
        run_source(source)
    assert caught.value.code == "runtime_error"
    assert "Can't call numpy() on Tensor that requires grad" in caught.value.detail
    assert (caught.value.line, caught.value.column) == (2, 1)


def test_library_deprecations_between_numpy_and_torch_are_not_the_programs_warnings() -> None:
    # np.sin of a tensor: NumPy complains about torch's __array__, not about the program.
    evaluation = run_source("t = torch.ones(2)\ny = np.sin(t)\nz = np.array(t)")
    assert evaluation.warnings == []
    assert evaluation.output.dtype == np.float32


def test_numpys_own_warnings_reach_the_answer() -> None:
    evaluation = run_source("y = np.array([1.0]) / 0")
    assert evaluation.warnings == ["divide by zero encountered in divide"]
