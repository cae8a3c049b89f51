"""NumPy attacks for the hostile corpus (tests/evaluate/hostile.py): each (program, code).

Memory through factories, broadcasting, products and growing functions is
refused with limit_exceeded before NumPy allocates; files, raw memory,
object, string and structured dtypes, callbacks, global settings and walks
from an array to its module or its tensor are not_allowed. `RUNTIME` lists
the refusals that depend on a value (a dtype string, a list's items), which
the interpreter makes when the call is reached, not the parser.
"""

from __future__ import annotations

NA = "not_allowed"
LIM = "limit_exceeded"
RUN = "runtime_error"

MEMORY: list[tuple[str, str]] = [
    ("np.ones((10**5,)*3)", LIM),
    ("np.zeros((10**5, 10**5))", LIM),
    ("np.zeros(np.array([10**5, 10**5]))", LIM),
    ("np.arange(10**12)", LIM),
    ("np.arange(0, 1, 1e-12)", LIM),
    ("np.arange(start=0, stop=10**10, step=1)", LIM),
    ("np.linspace(0, 1, 10**9)", LIM),
    ("np.linspace(np.zeros(1000), np.ones(1000), 10**4)", LIM),
    ("np.logspace(0, 1, num=10**8)", LIM),
    ("np.full((10**4, 10**4), 1.0)", LIM),
    ("np.eye(10**6)", LIM),
    ("np.identity(10**5)", LIM),
    ("np.ones(10**3) + np.ones((10**4, 1))", LIM),
    ("a = np.ones((10**6, 1))\nb = np.ones((1, 10**6))\na * b", LIM),
    ("a = np.ones((10**6, 1))\na == a.T", LIM),
    ("a = np.ones((10**6, 1))\na.T in a", LIM),
    ("t = torch.ones(10**6, 1)\nt * np.ones((1, 10**6))", LIM),
    ("np.ones((10**3, 1)) @ np.ones((1, 10**4))", LIM),
    ("np.dot(np.ones((10**4, 1)), np.ones((1, 10**4)))", LIM),
    ("np.repeat(np.ones(10), 10**9)", LIM),
    ("np.ones(10).repeat(np.array([10**9]))", LIM),
    ("np.tile(np.ones(1000), (1000, 1000))", LIM),
    ("np.kron(np.ones(10**4), np.ones(10**4))", LIM),
    ("np.outer(np.ones(10**4), np.ones(10**4))", LIM),
    ("np.meshgrid(np.arange(10**4), np.arange(10**4))", LIM),
    ("np.broadcast_to(np.ones(1), (10**6, 10**6))", LIM),
    ("np.pad(np.ones(10), 10**6)", LIM),
    ("np.resize(np.ones(3), (10**6, 10**6))", LIM),
    ("np.diag(np.ones(10**5))", LIM),
    ("np.vander(np.ones(10**4))", LIM),
    ("np.cov(np.ones((10**4, 2)))", LIM),
    ("np.histogram(np.ones(3), bins=10**9)", LIM),
    ("np.convolve(np.ones(10**6), np.ones(10**6))", LIM),
    ("np.polyfit(np.ones(10**5), np.ones(10**5), 10**4)", LIM),
    ("np.quantile(np.ones(10**4), np.linspace(0, 1, 10**4))", LIM),
    ("np.linalg.svd(np.ones((10**6, 1)))", LIM),
    ("np.linalg.qr(np.ones((10**6, 1)), mode='complete')", LIM),
    ("np.random.rand(10**5, 10**5)", LIM),
    ("np.random.normal(0, 1, size=(10**5, 10**5))", LIM),
    ("np.random.default_rng(0).normal(size=(10**5, 10**5))", LIM),
    ("np.random.default_rng(0).integers(0, 2, size=10**10)", LIM),
    ("np.random.choice(10**9, 3, replace=False)", LIM),
    ("np.random.permutation(10**9)", LIM),
    ("np.split(np.ones(10**6), 10**6)", LIM),
    ("a = np.ones((10**3, 10**3))\na[np.zeros(10**6, dtype=int)]", LIM),
    ("a = np.ones((10**3, 10**3))\ni = np.zeros((10**4, 1), dtype=int)\na[i, i.T] = 0", LIM),
    ("t = torch.ones(1, 10**6)\nt[np.zeros(10**6, dtype=np.int64)]", LIM),
    ("torch.tensor([np.ones(1000)] * 2000)", LIM),
    ("np.array([[0.0] * 1000] * 2000)", LIM),
    ("x = [0.0] * 1000\ny = [x] * 1000\nnp.array([y] * 1000)", LIM),
    ("xs = []\nfor i in range(30):\n    xs.append(np.ones(10**6))", LIM),
    ("print(np.zeros((7,) * 7))", LIM),
    ("s = str(np.arange(10**6).reshape((10,) * 6))", LIM),
    ("np.zeros((10**9, 0))", LIM),
    ("np.zeros(0).reshape(10**9, 0)", LIM),
    ("np.int64(3) * ('a' * 10**5)", LIM),
    ("s = np.float64(1.5)\nf'{s:>999999}'", LIM),
    ("'%100000000d' % np.int64(1)", LIM),
    ("'%s' % np.zeros((7,) * 7)", LIM),
    ("'{}'.format(np.zeros((7,) * 7))", LIM),
]

DTYPES: list[tuple[str, str]] = [
    ("np.array(['a', 'b'])", NA),
    ("np.array([1, 'a'])", NA),
    ("np.full(10**5, 'a' * 10**5)", NA),
    ("np.ones(3) + 'a' * 10**5", RUN),  # NumPy has no such loop: nothing is made
    ("np.zeros(3, dtype=object)", NA),
    ("np.zeros(3, dtype='O')", NA),
    ("np.zeros(3, dtype='U1000000')", NA),
    ("np.zeros(3, dtype=[('a', 'f4')])", NA),
    ("np.ones(2).astype('O')", NA),
    ("np.ones(2).astype(str)", NA),
    ("np.array([None])", NA),
    ("np.full(3, None)", NA),
    ("np.array([2**100])", NA),
    ("np.array(print)", NA),
    ("np.ones(3).fill(print)", NA),
    ("np.dtype('f4')", NA),
    ("np.array([1]).view(np.uint8)", NA),
    ("np.float32('x' * 10**5)", NA),
    ("np.str_('abc')", NA),
    ("np.object_", NA),
    ("np.longdouble(1)", NA),
]

FILES_AND_MEMORY: list[tuple[str, str]] = [
    ("np.load('MARKER', allow_pickle=True)", NA),
    ("np.array([1], allow_pickle=True)", NA),
    ("np.savetxt('MARKER', np.ones(2))", NA),
    ("np.loadtxt('MARKER')", NA),
    ("np.genfromtxt('MARKER')", NA),
    ("np.memmap('MARKER', mode='w+', shape=(2,))", NA),
    ("np.frombuffer(b'abcd')", NA),
    ("np.ones(2).dump('MARKER')", NA),
    ("np.ones(2).dumps()", NA),
    ("np.ones(2).tobytes()", NA),
    ("np.ones(2).ctypes", NA),
    ("np.ones(2).data", NA),
    ("np.ones(2).base", NA),
    ("torch.ones(2).numpy().base", NA),
    ("np.ones(2).flags", NA),
    ("np.lib.stride_tricks.as_strided(np.ones(1), (10**6,), (0,))", NA),
    ("np.empty(3)", NA),
    ("np.empty_like(np.ones(3))", NA),
    ("np.ndarray((2,))", NA),
    ("from numpy import load", NA),
    ("import numpy.lib", NA),
]

CALLBACKS_AND_STATE: list[tuple[str, str]] = [
    ("np.vectorize(print)", NA),
    ("np.frompyfunc(print, 1, 1)", NA),
    ("np.apply_along_axis(print, 0, np.ones(2))", NA),
    ("np.fromfunction(print, (2,))", NA),
    ("np.piecewise(np.ones(2), [True, False], [print])", NA),
    ("np.add.reduce(np.ones(2))", NA),
    ("np.einsum('i,i', np.ones(2), np.ones(2))", NA),
    ("np.bincount(np.array([10**9]))", NA),
    ("np.set_printoptions(threshold=10**9)", NA),
    ("np.seterr(all='ignore')", NA),
    ("np.errstate(all='ignore')", NA),
    ("np.random.set_state(None)", NA),
    ("np.random.get_state()", NA),
    ("np.random.RandomState(0)", NA),
    ("np.random.default_rng(0).bit_generator", NA),
    ("np.random.default_rng(0).spawn(10**6)", NA),
    ("np.random.shuffle(print)", NA),
    ("np.random.seed()", RUN),
    ("np.random.default_rng(print)", RUN),
    ("np.zeros(3, out=np.ones(3))", NA),
    ("np.add(1, 2, out=torch.ones(1))", NA),  # out= is one ndarray, never a tensor
    ("np.add(1, 2, out=(np.ones(1),))", NA),
    ("np.divmod(np.ones(2), 2, out=np.ones(2))", RUN),  # NumPy's own refusal
    ("np.add(np.ones((1, 10**4)), np.ones((10**4, 1)), out=np.ones(1))", LIM),  # bound first
    ("np.sin(np.ones(3), where=np.ones(3) > 0)", NA),
]

WALKS: list[tuple[str, str]] = [
    ("np.ones(2).__class__", NA),
    ("np.float64.__mro__", NA),
    ("np.float32.item", NA),
    ("np.float32.fromhex('1')", NA),
    ("np.ones(2).dtype.type", NA),
    ("np.finfo(np.float32).dtype.fields", NA),
    ("np.linalg.np", NA),
    ("np.random.mtrand", NA),
    ("np.core", NA),
    ("np.testing", NA),
    ("x = np.ones(2)\nx.shape = (1, 2)", NA),
    ("x = np.ones(2)\nx.shape.index(2)", NA),
    ("x = np.ones(2)\nx.sum.receiver", NA),
    ("l = [1.0]\nl.append(l)\nnp.array(l)", RUN),
    ("l = []\nfor i in range(100):\n    l = [l]\nnp.array(l)", NA),
    ("np.array([[1], [1, 2]])", RUN),
]

ATTACKS: list[tuple[str, str]] = MEMORY + DTYPES + FILES_AND_MEMORY + CALLBACKS_AND_STATE + WALKS

# not_allowed, but only when the interpreter reaches them: the refusal depends
# on a value.
RUNTIME: set[str] = {
    "np.add(1, 2, out=torch.ones(1))",
    "np.add(1, 2, out=(np.ones(1),))",
    "np.array(['a', 'b'])",
    "np.array([1, 'a'])",
    "np.full(10**5, 'a' * 10**5)",
    "np.zeros(3, dtype='O')",
    "np.zeros(3, dtype='U1000000')",
    "np.zeros(3, dtype=[('a', 'f4')])",
    "np.ones(2).astype('O')",
    "np.ones(2).astype(str)",
    "np.array([None])",
    "np.full(3, None)",
    "np.array([2**100])",
    "np.array(print)",
    "np.ones(3).fill(print)",
    "np.array([1]).view(np.uint8)",
    "np.float32('x' * 10**5)",
    "np.random.shuffle(print)",
    "np.float32.item",
    "np.ones(2).data",  # a tensor's .data is allowed: the array's is refused when reached
    "np.ones(2).dtype.type",  # tensor.type() is allowed, a dtype's .type is not
    "x = np.ones(2)\nx.shape.index(2)",
    "l = []\nfor i in range(100):\n    l = [l]\nnp.array(l)",
}
