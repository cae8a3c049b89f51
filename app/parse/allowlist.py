"""The tables of everything a program may name: functions, methods, attributes, keywords.

Both stages read these tables: the checker (app.parse.checker) refuses, before
anything runs, every name, attribute and keyword argument that no table
lists, and the interpreter (app.evaluate) looks each call up again at run
time, on the actual value, so the two checks never have to agree on types.

Each function carries its allowed keyword arguments (anything else, notably
`device`, `out`, `layout`, `pin_memory`, `memory_format`, `generator`, is
refused) and a `bound`: how the evaluator bounds the size of its result
BEFORE running it (app.evaluate.guards):

    shrink      no result is larger than its largest tensor argument
                (elementwise with one tensor, reductions, views, sorts)
    broadcast   elementwise over several tensors: the broadcast shape
    matmul      at most the product of the arguments' sizes; above the
                limit the exact shape comes from a run on "meta" tensors
    grow        may be larger than its inputs (repeat, expand, pad,
                one_hot, diag, ...): always shaped on "meta" tensors first
    create      a factory (zeros, arange, randn, ...): always shaped on
                "meta" first
    data        torch.tensor / as_tensor: the nested lengths of the data
    concat      cat / stack: the sum of the inputs' sizes
    pieces      split, chunk, unbind: views of the input, but one tensor
                object per piece: the number of pieces, read from the
                arguments, is counted as steps (x.split(1) of a million
                elements would make a million tensors)

An operation whose result size depends on the VALUES in a tensor
(nonzero, repeat_interleave, bincount) is deliberately absent: no cheap
bound exists for it.

Decisions where the language could have gone either way:
- `zero_()` and the other in-place methods work on any tensor (torch itself
  refuses an in-place change of a leaf that requires grad).
- `F.dropout` is allowed with its default `training=True`: the evaluator
  seeds the generator, so its mask is the same on every run.
- `while` loops are allowed; each iteration is a step, like a `for` one.
- `del name` is allowed (names only), `assert` is allowed, `raise` is not;
  `try/except/else` is allowed, `finally` is not (a limit error must end the
  program, not run more code).
- `_` may be assigned (`for _ in range(3)`) but never read; every other
  name or attribute starting with `_` is refused.
- A generator expression (`sum(x*x for x in xs)`) is a list comprehension
  evaluated at once; one `for` only, any number of `if`s.
- Annotations are allowed and never evaluated; they may only spell names.
- `torch`, `F`, `nn`, `np` and `math` are predefined: their imports are
  no-ops, and `np` offers only its constants (any other np.X is refused with
  the torch name to use).
- `list.append/extend/pop/insert/index/count/copy/reverse/clear` and
  `dict.items/keys/values/get/copy/pop` are the only methods of Python
  values; `items()`, `keys()`, `values()` return lists.
"""

from __future__ import annotations

from dataclasses import dataclass

SHRINK = "shrink"
BROADCAST = "broadcast"
MATMUL = "matmul"
GROW = "grow"
CREATE = "create"
DATA = "data"
CONCAT = "concat"
PIECES = "pieces"


@dataclass(frozen=True, slots=True)
class Fn:
    """A callable entry. `kwargs` is None only where any keyword is fine (dict)."""

    kwargs: frozenset[str] | None = frozenset()
    bound: str = SHRINK
    random: bool = False  # draws from the RNG: the evaluator seeds it first
    special: str | None = None  # handled by name in the evaluator (backward, tensor, ...)


@dataclass(frozen=True, slots=True)
class Const:
    """A constant member of a namespace (torch.float32, torch.pi, math.e)."""


@dataclass(frozen=True, slots=True)
class Ns:
    """A sub-namespace (torch.nn, torch.autograd)."""

    path: str


Entry = Fn | Const | Ns


def fn(
    kwargs: str = "",
    bound: str = SHRINK,
    random: bool = False,
    special: str | None = None,
) -> Fn:
    return Fn(frozenset(kwargs.split()), bound, random, special)


# -- keyword sets shared by many entries -----------------------------------
_CREATE = "dtype requires_grad"
_REDUCE = "dim keepdim dtype"
_MINMAX = "dim keepdim"
_SOFTMAX = "dim dtype"

DTYPES = (
    "float32 float float64 double float16 half bfloat16 complex64 cfloat complex128 cdouble "
    "int64 long int32 int int16 short int8 uint8 bool"
).split()

# Elementwise functions of one tensor (torch.X and tensor.X alike).
_UNARY = (
    "abs absolute acos arccos acosh arccosh asin arcsin asinh arcsinh atan arctan atanh "
    "arctanh ceil floor trunc fix frac cos cosh sin sinh tan tanh exp exp2 expm1 log log2 "
    "log10 log1p sqrt rsqrt square sigmoid relu sign sgn signbit neg negative reciprocal "
    "erf erfc erfinv lgamma digamma deg2rad rad2deg isnan isinf isfinite isposinf "
    "isneginf isreal logical_not bitwise_not sinc angle conj positive"
).split()

# Elementwise functions of two (or three) tensors or numbers.
_BINARY = (
    "atan2 arctan2 maximum minimum fmax fmin fmod remainder hypot logaddexp logaddexp2 "
    "heaviside copysign xlogy mul multiply true_divide floor_divide eq ne lt le gt ge "
    "greater greater_equal less less_equal not_equal logical_and logical_or logical_xor "
    "bitwise_and bitwise_or bitwise_xor isclose float_power nextafter"
).split()

TORCH: dict[str, Entry] = {
    # factories
    "tensor": fn(_CREATE, DATA, special="tensor"),
    "as_tensor": fn("dtype", DATA, special="tensor"),
    "linspace": fn("steps " + _CREATE, CREATE),
    "logspace": fn("steps base " + _CREATE, CREATE),
    "arange": fn("start end step " + _CREATE, CREATE),
    "zeros": fn("size " + _CREATE, CREATE),
    "ones": fn("size " + _CREATE, CREATE),
    "full": fn("size fill_value " + _CREATE, CREATE),
    "eye": fn("n m " + _CREATE, CREATE),
    "rand": fn("size " + _CREATE, CREATE, random=True),
    "randn": fn("size " + _CREATE, CREATE, random=True),
    "randint": fn("low high size " + _CREATE, CREATE, random=True),
    "randperm": fn("n " + _CREATE, CREATE, random=True),
    "zeros_like": fn(_CREATE),
    "ones_like": fn(_CREATE),
    "full_like": fn("fill_value " + _CREATE),
    "rand_like": fn(_CREATE, random=True),
    "randn_like": fn(_CREATE, random=True),
    "randint_like": fn("low high " + _CREATE, random=True),
    "bernoulli": fn("p", random=True),
    "normal": fn("mean std size " + _CREATE, CREATE, random=True),
    "manual_seed": fn("seed", special="manual_seed"),
    # arithmetic with keywords of their own
    "add": fn("alpha", BROADCAST),
    "sub": fn("alpha", BROADCAST),
    "subtract": fn("alpha", BROADCAST),
    "div": fn("rounding_mode", BROADCAST),
    "divide": fn("rounding_mode", BROADCAST),
    "pow": fn("exponent", BROADCAST),
    "clamp": fn("min max", BROADCAST),
    "clip": fn("min max", BROADCAST),
    "where": fn("condition input other", BROADCAST),
    "lerp": fn("weight", BROADCAST),
    "addcmul": fn("value", BROADCAST),
    "addcdiv": fn("value", BROADCAST),
    "round": fn("decimals"),
    "nan_to_num": fn("nan posinf neginf"),
    "logit": fn("eps"),
    "allclose": fn("rtol atol equal_nan", BROADCAST),
    "equal": fn("", BROADCAST),
    # reductions
    "sum": fn(_REDUCE),
    "nansum": fn(_REDUCE),
    "mean": fn(_REDUCE),
    "nanmean": fn(_REDUCE),
    "prod": fn(_REDUCE),
    "max": fn(_MINMAX, BROADCAST),
    "min": fn(_MINMAX, BROADCAST),
    "amax": fn(_MINMAX),
    "amin": fn(_MINMAX),
    "aminmax": fn(_MINMAX),
    "argmax": fn(_MINMAX),
    "argmin": fn(_MINMAX),
    "norm": fn("p dim keepdim dtype"),
    "dist": fn("p", BROADCAST),
    "std": fn("dim keepdim correction unbiased"),
    "var": fn("dim keepdim correction unbiased"),
    "std_mean": fn("dim keepdim correction unbiased"),
    "var_mean": fn("dim keepdim correction unbiased"),
    "median": fn(_MINMAX),
    "mode": fn(_MINMAX),
    "logsumexp": fn(_MINMAX),
    "cumsum": fn("dim dtype"),
    "cumprod": fn("dim dtype"),
    "cummax": fn("dim"),
    "cummin": fn("dim"),
    "all": fn(_MINMAX),
    "any": fn(_MINMAX),
    "count_nonzero": fn("dim"),
    "softmax": fn(_SOFTMAX),
    "log_softmax": fn(_SOFTMAX),
    "sort": fn("dim descending stable"),
    "argsort": fn("dim descending stable"),
    "topk": fn("k dim largest sorted"),
    "kthvalue": fn("k dim keepdim"),
    "unique": fn("sorted return_inverse return_counts dim"),
    "trace": fn(),
    "diff": fn("n dim"),
    "numel": fn(),
    # linear algebra
    "matmul": fn("", MATMUL),
    "mm": fn("", MATMUL),
    "bmm": fn("", MATMUL),
    "mv": fn("", MATMUL),
    "dot": fn("", MATMUL),
    "vdot": fn("", MATMUL),
    "inner": fn("", MATMUL),
    "outer": fn("", MATMUL),
    "ger": fn("", MATMUL),
    "cross": fn("dim", BROADCAST),
    "kron": fn("", MATMUL),
    "tensordot": fn("dims", MATMUL),
    "cdist": fn("p", MATMUL),
    "det": fn(),
    "inverse": fn(),
    # shapes and views
    "reshape": fn("shape"),
    "flatten": fn("start_dim end_dim"),
    "squeeze": fn("dim"),
    "unsqueeze": fn("dim"),
    "transpose": fn("dim0 dim1"),
    "swapaxes": fn(),
    "permute": fn("dims"),
    "t": fn(),
    "movedim": fn("source destination"),
    "flip": fn("dims"),
    "roll": fn("shifts dims"),
    "narrow": fn("dim start length"),
    "select": fn("dim index"),
    "index_select": fn("dim index", GROW),
    "gather": fn("dim index"),
    "masked_select": fn("mask", BROADCAST),
    "masked_fill": fn("mask value", BROADCAST),
    "take": fn("index"),
    "diagonal": fn("offset dim1 dim2"),
    "tril": fn("diagonal"),
    "triu": fn("diagonal"),
    "split": fn("split_size_or_sections dim", PIECES),
    "chunk": fn("chunks dim", PIECES),
    "unbind": fn("dim", PIECES),
    "clone": fn(),
    "detach": fn(),
    "cat": fn("dim", CONCAT),
    "concat": fn("dim", CONCAT),
    "concatenate": fn("dim", CONCAT),
    "stack": fn("dim", CONCAT),
    "hstack": fn("", CONCAT),
    "vstack": fn("", CONCAT),
    "broadcast_to": fn("size", GROW),
    "broadcast_tensors": fn("", BROADCAST),
    "broadcast_shapes": fn(),
    "meshgrid": fn("indexing", GROW),
    "cartesian_prod": fn("", GROW),
    "tile": fn("dims", GROW),
    "diag": fn("diagonal", GROW),
    "diag_embed": fn("offset dim1 dim2", GROW),
    # autograd and grad mode
    "no_grad": fn(special="no_grad"),
    "enable_grad": fn(special="enable_grad"),
    "is_grad_enabled": fn(special="is_grad_enabled"),
    "is_tensor": fn(),
    "is_floating_point": fn(),
    "autograd": Ns("torch.autograd"),
    "nn": Ns("torch.nn"),
    "linalg": Ns("torch.linalg"),
    # constants
    "pi": Const(),
    "e": Const(),
    "inf": Const(),
    "nan": Const(),
}
for _name in _UNARY:
    TORCH.setdefault(_name, fn())
for _name in _BINARY:
    TORCH.setdefault(_name, fn("", BROADCAST))
for _name in DTYPES:
    TORCH[_name] = Const()

AUTOGRAD: dict[str, Entry] = {
    "grad": fn(
        "outputs inputs grad_outputs retain_graph create_graph allow_unused", special="grad"
    ),
    "backward": fn("tensors grad_tensors retain_graph create_graph", special="backward"),
}

NN: dict[str, Entry] = {"functional": Ns("torch.nn.functional")}

LINALG: dict[str, Entry] = {
    "norm": fn("ord dim keepdim dtype"),
    "vector_norm": fn("ord dim keepdim dtype"),
    "matrix_norm": fn("ord dim keepdim dtype"),
    "det": fn(),
    "inv": fn(),
    "solve": fn("left", MATMUL),
    "cross": fn("dim", BROADCAST),
}

_LOSS = "reduction"
FUNCTIONAL: dict[str, Entry] = {
    "relu": fn(),
    "relu6": fn(),
    "leaky_relu": fn("negative_slope"),
    "elu": fn("alpha"),
    "selu": fn(),
    "celu": fn("alpha"),
    "gelu": fn("approximate"),
    "silu": fn(),
    "mish": fn(),
    "softplus": fn("beta threshold"),
    "softsign": fn(),
    "sigmoid": fn(),
    "tanh": fn(),
    "hardtanh": fn("min_val max_val"),
    "hardsigmoid": fn(),
    "hardswish": fn(),
    "logsigmoid": fn(),
    "tanhshrink": fn(),
    "softmax": fn(_SOFTMAX),
    "softmin": fn(_SOFTMAX),
    "log_softmax": fn(_SOFTMAX),
    "normalize": fn("p dim eps"),
    "linear": fn("bias", MATMUL),
    "dropout": fn("p training", random=True),
    "one_hot": fn("num_classes", GROW),
    "pad": fn("pad mode value", GROW),
    "mse_loss": fn(_LOSS, BROADCAST),
    "l1_loss": fn(_LOSS, BROADCAST),
    "smooth_l1_loss": fn(_LOSS + " beta", BROADCAST),
    "huber_loss": fn(_LOSS + " delta", BROADCAST),
    "cross_entropy": fn(_LOSS + " weight ignore_index label_smoothing", BROADCAST),
    "nll_loss": fn(_LOSS + " weight ignore_index", BROADCAST),
    "binary_cross_entropy": fn(_LOSS + " weight", BROADCAST),
    "binary_cross_entropy_with_logits": fn(_LOSS + " weight pos_weight", BROADCAST),
    "kl_div": fn(_LOSS + " log_target", BROADCAST),
    "cosine_similarity": fn("dim eps", BROADCAST),
    "pairwise_distance": fn("p eps keepdim", BROADCAST),
    "conv1d": fn("bias stride padding dilation groups", GROW),
    "conv2d": fn("bias stride padding dilation groups", GROW),
    "max_pool1d": fn("kernel_size stride padding dilation ceil_mode"),
    "max_pool2d": fn("kernel_size stride padding dilation ceil_mode"),
    "avg_pool1d": fn("kernel_size stride padding ceil_mode count_include_pad"),
    "avg_pool2d": fn("kernel_size stride padding ceil_mode count_include_pad"),
}

# numpy is importable (notebook cells start with `import numpy as np`) but only
# its constants are usable; any other np.X is refused with a torch hint.
NUMPY: dict[str, Entry] = {"pi": Const(), "e": Const(), "inf": Const(), "nan": Const()}

MATH: dict[str, Entry] = {
    **{name: Const() for name in ("pi", "e", "tau", "inf", "nan")},
    **{
        name: fn()
        for name in (
            "sqrt exp log log2 log10 log1p expm1 sin cos tan asin acos atan atan2 sinh cosh "
            "tanh floor ceil trunc fabs isnan isinf isfinite hypot degrees radians copysign "
            "erf erfc gamma lgamma"
        ).split()
    },
}

MAKE_DOT = fn("params show_attrs show_saved max_attr_chars", special="make_dot")
TORCHVIZ: dict[str, Entry] = {"make_dot": MAKE_DOT}

NAMESPACES: dict[str, dict[str, Entry]] = {
    "torch": TORCH,
    "torch.autograd": AUTOGRAD,
    "torch.nn": NN,
    "torch.nn.functional": FUNCTIONAL,
    "torch.linalg": LINALG,
    "numpy": NUMPY,
    "math": MATH,
    "torchviz": TORCHVIZ,
}

# Names every program starts with, and the namespace each one means.
PREDEFINED_MODULES: dict[str, str] = {
    "torch": "torch",
    "F": "torch.nn.functional",
    "nn": "torch.nn",
    "np": "numpy",
    "math": "math",
}

# -- tensors ---------------------------------------------------------------
TENSOR_ATTRIBUTES = frozenset(
    "grad shape dtype T mT H mH requires_grad is_leaf grad_fn ndim real imag".split()
)
# Attributes a program may assign: `x.grad = None`, `x.requires_grad = True`.
TENSOR_SETTABLE = frozenset({"grad", "requires_grad"})

TENSOR_METHODS: dict[str, Fn] = {
    name: entry
    for name, entry in TORCH.items()
    if isinstance(entry, Fn)
    and entry.bound not in (CREATE, DATA, CONCAT)
    and entry.special is None
    and name
    not in (
        "zeros_like ones_like full_like rand_like randn_like randint_like bernoulli "
        "broadcast_tensors broadcast_shapes meshgrid cartesian_prod is_tensor vdot ger "
        "hstack vstack std_mean var_mean tensordot cdist"
    ).split()
}
TENSOR_METHODS.update(
    {
        # conversions and Python values
        "item": fn(),
        "tolist": fn(),
        "float": fn(),
        "double": fn(),
        "half": fn(),
        "long": fn(),
        "int": fn(),
        "bool": fn(),
        "cpu": fn(),
        "contiguous": fn(),
        "to": fn("dtype", special="to"),
        "type_as": fn(),
        "size": fn("dim"),
        "dim": fn(),
        "nelement": fn(),
        "element_size": fn(),
        "is_contiguous": fn(),
        # shapes
        "view": fn(),
        "view_as": fn(),
        "reshape_as": fn(),
        "expand": fn("", GROW),
        "expand_as": fn("", BROADCAST),
        "repeat": fn("", GROW),
        "masked_fill": fn("mask value", BROADCAST),
        "scatter": fn("dim index src value reduce"),
        "scatter_add": fn("dim index src"),
        "index_add": fn("dim index source alpha"),
        # autograd
        "backward": fn("gradient retain_graph create_graph", special="backward_method"),
        "requires_grad_": fn("requires_grad"),
        "retain_grad": fn(),
        # in place
        "zero_": fn(),
        "fill_": fn("value"),
        "copy_": fn("src", BROADCAST),
        "add_": fn("alpha", BROADCAST),
        "sub_": fn("alpha", BROADCAST),
        "mul_": fn("", BROADCAST),
        "div_": fn("rounding_mode", BROADCAST),
        "pow_": fn("", BROADCAST),
        "clamp_": fn("min max", BROADCAST),
        "clip_": fn("min max", BROADCAST),
        "neg_": fn(),
        "abs_": fn(),
        "exp_": fn(),
        "log_": fn(),
        "sqrt_": fn(),
        "relu_": fn(),
        "sigmoid_": fn(),
        "tanh_": fn(),
        "masked_fill_": fn("mask value", BROADCAST),
        "uniform_": fn("from to", random=True),
        "normal_": fn("mean std", random=True),
        "detach_": fn(),
    }
)

# The wrapper of an autograd node (`tensor.grad_fn`): only these.
GRAD_FN_ATTRIBUTES = frozenset({"next_functions"})
GRAD_FN_METHODS = frozenset({"name"})
# Fields of torch.return_types (torch.max(x, dim) and friends).
RETURN_FIELDS = frozenset({"values", "indices"})
LIST_METHODS = frozenset("append extend pop insert index count copy reverse clear".split())
DICT_METHODS = frozenset("items keys values get copy pop".split())

# Every attribute name that is allowed on SOME value: the checker refuses any
# other `.name` before the program runs.
ATTRIBUTE_NAMES: frozenset[str] = (
    TENSOR_ATTRIBUTES
    | frozenset(TENSOR_METHODS)
    | GRAD_FN_ATTRIBUTES
    | GRAD_FN_METHODS
    | RETURN_FIELDS
    | LIST_METHODS
    | DICT_METHODS
)

# For a call `something.name(...)` whose receiver is not known before the
# run: the keywords `name` accepts on any receiver type.
METHOD_KWARGS: dict[str, frozenset[str]] = {
    name: frozenset() for name in LIST_METHODS | DICT_METHODS | GRAD_FN_METHODS
}
for _name, _entry in TENSOR_METHODS.items():
    METHOD_KWARGS[_name] = METHOD_KWARGS.get(_name, frozenset()) | (_entry.kwargs or frozenset())

# -- bare names ------------------------------------------------------------
# Python builtins a program may call, and their keywords.
BUILTINS: dict[str, Fn] = {
    "print": fn("sep end"),
    "range": fn(),
    "len": fn(),
    "float": fn(),
    "int": fn("base"),
    "bool": fn(),
    "str": fn(),
    "list": fn(),
    "tuple": fn(),
    "dict": Fn(None),
    "enumerate": fn("start"),
    "zip": fn(),
    "make_dot": MAKE_DOT,
}

# Bare math names mean the torch functions (`sin(x)` is `torch.sin(x)`); a
# Python number as first argument becomes a tensor first.
MATH_NAMES = (
    "sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp exp2 expm1 log "
    "log2 log10 log1p sqrt rsqrt sigmoid relu softmax log_softmax mean prod norm floor ceil "
    "trunc frac clamp sign square erf reciprocal logsumexp std var maximum minimum"
).split()

# Names with Python semantics on Python numbers and iterables, torch semantics
# when the first argument is a tensor.
DUAL_NAMES: dict[str, frozenset[str]] = {
    "abs": frozenset(),
    "sum": frozenset({"start", "dim", "keepdim", "dtype"}),
    "max": frozenset({"dim", "keepdim"}),
    "min": frozenset({"dim", "keepdim"}),
    "round": frozenset({"ndigits", "decimals"}),
    "pow": frozenset({"mod", "exponent"}),
}

BARE_CONSTANTS = ("pi",)

# The exception names an `except` clause may name.
EXCEPTION_NAMES = frozenset(
    (
        "Exception RuntimeError ValueError TypeError IndexError KeyError ZeroDivisionError "
        "ArithmeticError OverflowError AttributeError NameError LookupError AssertionError "
        "NotImplementedError UnboundLocalError"
    ).split()
)


def bare_kwargs(name: str) -> frozenset[str] | None:
    """Keywords accepted by the predefined bare name `name` (None: any)."""
    if name in BUILTINS:
        return BUILTINS[name].kwargs
    if name in DUAL_NAMES:
        return DUAL_NAMES[name]
    entry = TORCH.get(name)
    if isinstance(entry, Fn):
        return entry.kwargs
    return frozenset()


PREDEFINED_NAMES: frozenset[str] = frozenset(
    set(PREDEFINED_MODULES) | set(BUILTINS) | set(MATH_NAMES) | set(DUAL_NAMES)
) | frozenset(BARE_CONSTANTS)

IMPORTABLE = frozenset(
    {"torch", "torch.nn", "torch.nn.functional", "torch.autograd", "torch.linalg"}
    | {"numpy", "math", "torchviz"}
)

# Hints for names people reach for that do not exist here.
NUMPY_HINTS: dict[str, str] = {
    "array": "torch.tensor",
    "asarray": "torch.as_tensor",
    "dot": "torch.dot or @",
    "random": "torch.rand / torch.randn",
}
ATTRIBUTE_HINTS: dict[str, str] = {
    "data": "use .detach() for a tensor without history",
    "numpy": "use .tolist() or .item()",
    "register_hook": "use .retain_grad(); the graph shows intermediate gradients anyway",
    "storage": "storage is not available",
    "untyped_storage": "storage is not available",
    "data_ptr": "memory addresses are not available",
}
