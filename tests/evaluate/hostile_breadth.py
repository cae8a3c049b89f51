"""Attacks on issue 20's surface: callbacks, formats, random, the surveyed torch.

Each entry is (program, expected code), as in tests/evaluate/hostile.py,
which adds ATTACKS to its CORPUS.
"""

from __future__ import annotations

NA = "not_allowed"
LIM = "limit_exceeded"
RUN = "runtime_error"

X = "x = torch.ones(3, requires_grad=True)\n"
BACKWARD = "(x * 2).sum().backward()"
APPLY = "Exp.apply(torch.ones(2, requires_grad=True)).sum().backward()"
F = "class F(torch.autograd.Function):\n"
STATIC_FORWARD = "    @staticmethod\n    def forward(ctx, x):\n"
EXP = (
    "class Exp(torch.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, i):\n"
    "        ctx.save_for_backward(i)\n"
    "        return i.exp()\n"
    "    @staticmethod\n"
    "    def backward(ctx, g):\n"
)

HOOKS: list[tuple[str, str]] = [
    (X + "x.register_hook(lambda g: g.expand(10**6, 3))\n" + BACKWARD, LIM),
    (X + "x.register_hook(lambda g: torch.ones(10**9))\n" + BACKWARD, LIM),
    (X + "x.register_hook(lambda g: torch.ones(5, 5))\n" + BACKWARD, RUN),
    (
        X + "def h(g):\n    while True:\n        pass\nx.register_hook(h)\n" + BACKWARD,
        LIM,
    ),
    (
        X + "def h(g):\n    try:\n        torch.ones(10**10)\n    except Exception:\n"
        "        return g\nx.register_hook(h)\n" + BACKWARD,
        LIM,
    ),
    (
        X + "def h(g):\n    with torch.enable_grad():\n        (x * 2).sum().backward()\n"
        "x.register_hook(h)\n" + BACKWARD,
        LIM,
    ),
    (
        X + "kept = []\nx.register_hook(lambda g: kept.extend(range(10**6)))\n" + BACKWARD,
        LIM,
    ),
    (
        X
        + "y = (x * 2).sum()\ndef h(g):\n    x.register_hook(h)\n    return g\nx.register_hook(h)\n"
        "for i in range(40):\n    y.backward(retain_graph=True)",
        LIM,
    ),
    (
        X + "x.register_hook(lambda g: torch.ones(10**9))\ntry:\n    (x * 2).sum().backward()\n"
        "except RuntimeError:\n    print('caught')",
        LIM,
    ),
    (X + "x.register_hook(torch)", NA),
    (X + "x.register_hook(3)", NA),
    (X + "h = x.register_hook(print)\nh.id", NA),
    (X + "h = x.register_hook(print)\nh.hooks_dict_ref()", NA),
]

LAMBDAS: list[tuple[str, str]] = [
    ("f = lambda x=().__class__: x", NA),
    ("f = lambda x=eval: x", NA),
    ("f = lambda **k: k", NA),
    ("f = lambda _x: 1", NA),
    ("(lambda f: f(f))(lambda f: f(f))", LIM),
    ("acc = []\nf = lambda: acc.append(acc) or f()\nf()", LIM),
    ("f = lambda: [0] * 10**9\nf()", LIM),
    ("g = (lambda: 1).__code__", NA),
    ("@(lambda f: f)\ndef g():\n    return 1", NA),
    ("@torch.manual_seed\ndef g():\n    return 1", NA),
    ("__name__ = 'x'", NA),
    ("from torch import __version__", NA),
    ("torch.__version__.__class__", NA),
]

FORMATS: list[tuple[str, str]] = [
    ("'{:>{w}}'.format(1, w=10**8)", LIM),
    ("'{0:{1}}'.format(1, '9' * 10)", LIM),
    ("'{:.1000000000f}'.format(1.0)", LIM),
    ("'{:{:{}}}'.format(1, 2, 3)", RUN),
    ("'{0.real}'.format(1)", NA),
    ("'{0[0]}'.format([1])", NA),
    ("'{x.__class__}'.format(x=1)", NA),
    ("'%*d' % (10**8, 1)", LIM),
    ("'%.100000000f' % 1.0", LIM),
    ("'%(a)1000000000s' % {'a': 1}", LIM),
    ("'%s' % ([[0] * 1000] * 1000,)", LIM),
    ("s = 'x' * 50000\n','.join([s, s, s])", LIM),
    ("'ab'.join(['x'] * 100000)", LIM),
    ("('a' * 1000).replace('', 'b' * 1000)", LIM),
    ("'a'.ljust(10**9)", LIM),
    ("'a'.zfill(10**8)", LIM),
    ("'a'.center(10**7, '*')", LIM),
    ("('{}' * 3).format(1)", RUN),
    ("'a'.encode()", NA),
    ("'{}'.format_map({})", NA),
]

RANDOM: list[tuple[str, str]] = [
    ("import random\nrandom.sample(range(10**9), 10**6)", LIM),
    ("import random\nrandom.choices([1], k=10**9)", LIM),
    ("import random\nrandom.getrandbits(10**8)", LIM),
    ("import random\nrandom.getstate()", NA),
    ("import random\nrandom.setstate(None)", NA),
    ("import random\nrandom.Random(0)", NA),
    ("import random\nrandom.SystemRandom()", NA),
    ("import random\nrandom.seed(print)", RUN),
    ("import random\nrandom.shuffle(range(10))", RUN),
    ("import random\nrandom.choice(range(10**9)).bit_length()", NA),
    ("import random as r\nr.__dict__", NA),
]

SORTS: list[tuple[str, str]] = [
    ("sorted(range(10), key=lambda v: torch.ones(10**9))", LIM),
    ("sorted([torch.ones(20000, 1), torch.ones(1, 20000)])", LIM),
    ("def k(v):\n    return sorted([1], key=k)\nsorted([1], key=k)", LIM),
    ("sorted(range(10**9))", LIM),
    ("l = [3, 1]\nl.sort(key=eval)", NA),
]

TRANSFORMS: list[tuple[str, str]] = [
    ("torch.func.vmap(lambda r: r.expand(1000, 1000))(torch.ones(1000, 1))", LIM),
    ("torch.func.jacrev(lambda t: t.repeat(1000))(torch.ones(2000))", LIM),
    ("torch.func.hessian(lambda t: t.sum())(torch.ones(10**4))", LIM),
    ("torch.autograd.functional.jacobian(lambda t: t.repeat(200000), torch.ones(1))", LIM),
    ("torch.autograd.functional.hessian(lambda t: t.sum(), torch.ones(10**4))", LIM),
    ("torch.func.grad(torch)", NA),
    ("torch.func.grad(lambda t: t.sum())(torch.ones(2)).__class__", NA),
    ("f = torch.func.grad(lambda t: t.sum())\nf.target", NA),
    ("torch.func.functional_call", NA),
    ("torch.func.vmap(lambda t: t, randomness='different')(torch.ones(10**7, 1))", LIM),
]

FUNCTIONS: list[tuple[str, str]] = [
    (
        EXP + "        while True:\n            pass\n" + APPLY,
        LIM,
    ),
    (
        EXP + "        with torch.enable_grad():\n"
        "            Exp.apply(ctx.saved_tensors[0]).sum().backward()\n"
        "        return g\n" + APPLY,
        LIM,
    ),
    (
        EXP + "        return g.expand(10**6, 2)\n" + APPLY,
        LIM,
    ),
    (EXP + "        return g\nExp()", NA),
    (EXP + "        return g\nExp.apply(torch.ones(2))._program_attrs", NA),
    (F + "    def apply(ctx):\n        return 1", NA),
    (
        F + STATIC_FORWARD + "        ctx.saved_tensors = 1\n        return x",
        NA,
    ),
    (
        F + "    @classmethod\n    def forward(cls, x):\n        return x",
        NA,
    ),
    (
        F + STATIC_FORWARD + "        return x\nF.apply(torch.ones(1)).grad_fn.__class__",
        NA,
    ),
    (
        F
        + STATIC_FORWARD
        + "        return ctx.register_hook(print)\nF.apply(torch.ones(1, requires_grad=True))",
        NA,
    ),
]

SURFACE: list[tuple[str, str]] = [
    ("torch.ones(3, device=torch.device('meta'))", NA),
    ("torch.zeros(10**9, device='meta')", NA),
    ("torch.ones(2).to('meta')", NA),
    ("torch.as_tensor([1.0], None, 'meta')", NA),
    ("torch.zeros(2, torch.device('meta'))", NA),
    ("torch.Tensor(10**9)", NA),
    ("torch.Tensor(torch.ones(2).shape)", NA),
    ("torch.ones(2).new(5)", NA),
    ("torch.ones(2).new_empty(5)", NA),
    ("torch.ones(2).resize_(10**6)", NA),
    ("torch.ones(2).set_(torch.ones(5))", NA),
    ("torch.as_strided(torch.ones(2), (10**4, 10**4), (0, 0))", NA),
    ("torch.nonzero(torch.ones(1000, 1000))", LIM),
    ("torch.combinations(torch.arange(200.), r=4)", LIM),
    ("torch.repeat_interleave(torch.tensor([10**7]))", LIM),
    ("torch.bincount(torch.tensor([10**7]))", LIM),
    ("x = torch.ones(1000)\ntorch.einsum('i,j,k->ijk', x, x, x)", LIM),
    ("F.interpolate(torch.ones(1, 1, 1000), scale_factor=10000.0)", LIM),
    ("torch.ones(10**6).unfold(0, 500000, 1)", LIM),
    ("torch.ones(10).tensor_split(10**6)", LIM),
    ("torch.linalg.vander(torch.ones(10000), N=10000)", LIM),
    ("torch.cdist(torch.ones(2000, 1), torch.ones(2000, 1))", LIM),
    ("torch.tril_indices(10**5, 10**5)", LIM),
    ("torch.kaiser_window(10**8)", LIM),
    ("torch.ones(2).new_zeros(10**4, 10**4)", LIM),
    ("torch.unique_consecutive(torch.ones(3))", NA),
    ("torch.histc(torch.ones(3), bins=10**8)", LIM),
    ("torch.ones(2).apply_(print)", NA),
    ("torch.set_default_device('meta')", NA),
    ("torch.autograd.set_detect_anomaly(True)", NA),
    ("torch.cuda.synchronize()", NA),
    ("torch.finfo(torch.float32).__class__", NA),
    ("torch.device('cpu').__reduce__()", NA),
    ("torch.ones(2).type('torch.cuda.FloatTensor')", NA),
    # gelsy reads memory the call never wrote: another program's data could show.
    ("torch.linalg.lstsq(torch.ones(2, 3), torch.ones(2, 3))", NA),
]

# Refused while running (what they refuse depends on a value), not by the parse
# stage: tests/evaluate/test_hostile.py adds them to its RUNTIME_REFUSALS.
RUNTIME = {
    X + "x.register_hook(torch)",
    X + "x.register_hook(3)",
    "@(lambda f: f)\ndef g():\n    return 1",
    "@torch.manual_seed\ndef g():\n    return 1",
    "'{0.real}'.format(1)",
    "'{0[0]}'.format([1])",
    "'{x.__class__}'.format(x=1)",
    "torch.func.grad(torch)",
    EXP + "        return g\nExp()",
    F
    + STATIC_FORWARD
    + "        return ctx.register_hook(print)\nF.apply(torch.ones(1, requires_grad=True))",
    "torch.ones(3, device=torch.device('meta'))",
    "torch.zeros(10**9, device='meta')",
    "torch.ones(2).to('meta')",
    "torch.as_tensor([1.0], None, 'meta')",
    "torch.zeros(2, torch.device('meta'))",
    "torch.Tensor(10**9)",
    "torch.Tensor(torch.ones(2).shape)",
    "torch.ones(2).type('torch.cuda.FloatTensor')",
}

ATTACKS: list[tuple[str, str]] = (
    HOOKS + LAMBDAS + FORMATS + RANDOM + SORTS + TRANSFORMS + FUNCTIONS + SURFACE
)
