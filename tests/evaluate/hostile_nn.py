"""Attacks on the program's own classes, torch.nn and torch.optim (issue 19).

Each entry is (program, expected code), added to the hostile CORPUS
(tests/evaluate/hostile.py). RUNTIME are the not_allowed ones refused while
running (what they refuse depends on a value), the rest before anything runs.
"""

from __future__ import annotations

NA = "not_allowed"
SYN = "syntax_error"
LIM = "limit_exceeded"
RUN = "runtime_error"

LIN = "m = nn.Linear(2, 2)\n"
OPT = "w = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
W = "[torch.ones(1, requires_grad=True)]"
RMSPROP = f"torch.optim.RMSprop({W}, 0.1, 0.9, 1e-8, 0, 0, False, True)"  # capturable=True

CLASSES: list[tuple[str, str]] = [
    # special methods, class-level reflection
    ("class A:\n    def __getattribute__(self, n):\n        return 1", NA),
    ("class A:\n    def __del__(self):\n        print('collected')", NA),
    ("class A:\n    def __eq__(self, other):\n        return True", NA),
    ("class A:\n    def __class_getitem__(cls, x):\n        return x", NA),
    ("class A:\n    def __set_name__(self, owner, name):\n        pass", NA),
    ("class A:\n    def __reduce__(self):\n        return (print, ('x',))", NA),
    ("class A:\n    __dict__ = {}", NA),
    ("class A:\n    __slots__ = ('x',)", NA),
    ("class A:\n    pass\na = A()\na.__dict__", NA),
    ("class A:\n    pass\na = A()\na.__class__.__bases__", NA),
    ("class A(nn.Module):\n    pass\nA.__mro__", NA),
    ("class A:\n    pass\nprint(type(A()))", NA),
    ("class A:\n    def __init__(self):\n        self.x = 1\na = A()\ngetattr(a, 'x')", NA),
    ("class A:\n    def __init__(self):\n        self.__dict__['x'] = 1", NA),
    ("class A:\n    x = 1\nA.x = print", NA),
    # bases, metaclasses, decorators
    ("class A(type):\n    pass", NA),
    ("class A(nn.Module, metaclass=type):\n    pass", NA),
    ("class A(torch.Tensor):\n    pass", NA),
    ("class A(torch.optim.SGD):\n    pass", NA),
    ("class A:\n    pass\nclass B(A):\n    pass", NA),
    ("@print\nclass A:\n    pass", NA),
    ("class A:\n    @classmethod\n    def make(cls):\n        return cls()", NA),
    ("def f():\n    class A:\n        pass\n    return A", NA),
    ("class A:\n    class B:\n        pass", NA),
    ("class A:\n    x = print('at definition')", NA),
    # super() tricks
    ("class A:\n    def f(self):\n        return super()", NA),
    ("class A:\n    def f(self):\n        return super().__getattribute__('x')", NA),
    ("class A(nn.Module):\n    def __init__(self):\n        super(nn.Module, self).__init__()", NA),
    ("class A:\n    def __init__(self):\n        super(A, A).__init__()", NA),
    (
        "class A:\n    def f(self):\n        return [super().__init__() for i in range(2)]\n"
        "    def g(self):\n        s = super\n        return s",
        NA,
    ),
    ("class A:\n    def f(self):\n        super().__init__()\nA.f(torch.ones(1))", RUN),
    ("class A:\n    def __init__(self):\n        self = 5\n        super().__init__()\nA()", RUN),
    ("class A:\n    def __init__(self):\n        del self\n        super().__init__()\nA()", RUN),
    ("class A(nn.Module):\n    def __init__(self):\n        super().__init__(5)\nA()", RUN),
    # shadowing what torch itself calls
    ("class A(nn.Module):\n    def f(self):\n        self.forward = print", NA),
    ("class A(nn.Module):\n    def f(self):\n        self.parameters = []", NA),
    ("class A(nn.Module):\n    def f(self):\n        self.training = 'yes'", NA),
    ("class A(nn.Module):\n    def register_forward_hook(self, f):\n        return f", NA),
    ("class A(nn.Module):\n    def extra_repr(self):\n        return 'printed by torch'", NA),
    ("class A(nn.Module):\n    def named_modules(self):\n        return 1", NA),
    ("class A(nn.Module):\n    state_dict = 1", NA),
    (
        "class B:\n    def __init__(self):\n        self.forward = 1\n"
        "class A(nn.Module):\n    pass\nB()\na = A()\na.forward = print",
        NA,
    ),
    (
        "class B:\n    def __init__(self):\n        self.parameters = 1\nB()\n"
        + LIN
        + "m.parameters = print",
        NA,
    ),
    # classes that recurse or multiply
    ("class R(nn.Module):\n    def forward(self, x):\n        return self(x)\nR()(1)", LIM),
    ("class R:\n    def __init__(self):\n        self.r = R()\nR()", LIM),
    ("class A:\n    pass\nfor i in range(10**6):\n    A()", LIM),
    (
        "class A(nn.Module):\n    def forward(self, x):\n        return torch.ones(10**8)\nA()(1)",
        LIM,
    ),
]

MODULES: list[tuple[str, str]] = [
    ("nn.Module()", NA),
    ("nn.Module.__subclasses__()", NA),
    (LIN + "m._modules", NA),
    (LIN + "m._parameters['weight'] = 1", NA),
    (LIN + "m.register_forward_hook(print)", NA),
    (LIN + "m.register_forward_pre_hook(print)", NA),
    (LIN + "m.register_full_backward_hook(print)", NA),
    (LIN + "m.register_buffer('b', torch.ones(1))", NA),
    (LIN + "m.state_dict()", NA),
    (LIN + "m.load_state_dict({})", NA),
    (LIN + "m.apply(print)", NA),
    (LIN + "m.to(torch.float64)", NA),
    (LIN + "m.half()", NA),
    (LIN + "m.cuda()", RUN),  # this cpu-only torch's own AssertionError, as a tensor's
    (LIN + "m.share_memory()", NA),
    (LIN + "m.extra_repr()", NA),
    (LIN + "m.__setstate__({})", NA),
    (LIN + "m.get_submodule('')", NA),
    (LIN + "m.forward = print", NA),
    (LIN + "m.in_features = 10**9", NA),
    ("nn.Embedding(4, 2, sparse=True)", NA),
    ("nn.Linear(2, 2, device='cpu')", NA),
    ("nn.Sequential(*[nn.ReLU()])", NA),
    ("nn.Linear(10**6, 10**6)", LIM),
    ("nn.Embedding(10**9, 1000)", LIM),
    ("nn.LSTM(4000, 4000)", LIM),
    ("nn.Conv2d(3000, 3000, 3)", LIM),
    ("nn.Bilinear(1000, 1000, 1000)", LIM),
    ("layers = [nn.Linear(1000, 1000) for i in range(25)]", LIM),
    ("m = nn.Linear(1, 10**6)\nm(torch.ones(10**6, 1))", LIM),
    ("m = nn.Conv1d(1, 1, 1, padding=10**7)\nm(torch.ones(1, 1, 1))", LIM),
    ("m = nn.Embedding(10, 10**5)\nm(torch.zeros(1000, dtype=torch.long))", LIM),
    (LIN + "m.weight = nn.Parameter(torch.ones(10**7))", LIM),
    ("nn.init.normal_(torch.ones(10**7))", LIM),
    ("s = nn.Sequential()\nfor i in range(5000):\n    s = nn.Sequential(s)\ns(torch.ones(1))", LIM),
    ("s = nn.Sequential()\ns.append(s)\ns(torch.ones(1))", LIM),
    ("s = nn.Sequential()\ns.append(s)\nprint(s)", LIM),
    ("m = nn.ModuleList()\nfor i in range(10**6):\n    m.append(nn.ReLU())", LIM),
    # A bound method prints its module: the module's text bound holds through it.
    (
        "m = nn.ModuleList()\nfor i in range(5000):\n    m.append(nn.Linear(1, 1 + i % 2))\n"
        "print(m.parameters)",
        LIM,
    ),
    (
        "m = nn.Sequential()\nfor i in range(2000):\n    m.append(nn.Identity())\n"
        "for i in range(100):\n    m(1)",
        LIM,
    ),
]

OPTIMIZERS: list[tuple[str, str]] = [
    (OPT + "opt.state", NA),
    (OPT + "opt.state_dict()", NA),
    (OPT + "opt.load_state_dict({})", NA),
    (OPT + "opt.register_step_pre_hook(print)", NA),
    (OPT + "opt.defaults['differentiable'] = True", NA),
    (OPT + "opt.add_param_group({'params': [w]})", NA),
    (OPT + "opt.profile_hook_step", NA),
    ("torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1, foreach=True)", NA),
    ("torch.optim.Adam([torch.ones(1, requires_grad=True)], capturable=True)", NA),
    (
        RMSPROP,
        NA,
    ),
    ("torch.optim.Optimizer", NA),
    ("torch.optim.LBFGS([torch.ones(1, requires_grad=True)])", NA),
    (OPT + "torch.optim.lr_scheduler.LambdaLR(opt, print)", NA),
    (OPT + "s = torch.optim.lr_scheduler.StepLR(opt, 1)\ns.optimizer.state", NA),
    (OPT + "s = torch.optim.lr_scheduler.StepLR(opt, 1)\ns.step(10**9)", NA),
    (OPT + "def c():\n    return opt.step(c)\nopt.step(c)", LIM),
    (OPT + "def c():\n    while True:\n        pass\nopt.step(c)", LIM),
    (
        OPT + "def c():\n    return torch.ones(10**9)\ntry:\n    opt.step(c)\nexcept Exception:\n"
        "    pass",
        LIM,
    ),
    (OPT + "opt.param_groups[0]['params'] = [torch.ones(10**7, requires_grad=True)]", LIM),
    ("torch.optim.SGD.step", RUN),
]

DS = "ds = torch.utils.data.TensorDataset(torch.ones(4, 2))\n"
DATA: list[tuple[str, str]] = [
    (DS + "torch.utils.data.DataLoader(ds, num_workers=4)", NA),
    (DS + "torch.utils.data.DataLoader(ds, collate_fn=print)", NA),
    (DS + "torch.utils.data.DataLoader(ds, worker_init_fn=print)", NA),
    (DS + "torch.utils.data.DataLoader(ds, 1, False, print)", NA),
    ("torch.utils.data.DataLoader(torch.ones(10**9))", LIM),
]

ATTACKS: list[tuple[str, str]] = CLASSES + MODULES + OPTIMIZERS + DATA

# not_allowed while running: the value decides.
RUNTIME: frozenset[str] = frozenset(
    {
        "class A:\n    x = 1\nA.x = print",
        "nn.Module()",
        LIN + "m.to(torch.float64)",
        LIN + "m.half()",
        LIN + "m.apply(print)",  # autograd.Function's apply
        "class B:\n    def __init__(self):\n        self.forward = 1\n"
        "class A(nn.Module):\n    pass\nB()\na = A()\na.forward = print",
        "class B:\n    def __init__(self):\n        self.parameters = 1\nB()\n"
        + LIN
        + "m.parameters = print",
        RMSPROP,
        OPT + "s = torch.optim.lr_scheduler.StepLR(opt, 1)\ns.step(10**9)",
        DS + "torch.utils.data.DataLoader(ds, num_workers=4)",
        DS + "torch.utils.data.DataLoader(ds, 1, False, print)",
    }
)
