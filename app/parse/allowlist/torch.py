"""torch's table: torch, torch.autograd, torch.linalg, torch.nn.functional, tensors.

Dangerous corners of torch, and why each is absent from these tables (the
tests in tests/parse/test_allowlist.py keep them out):
- files and pickle: `load`, `save`, `from_file`, `hub`, `Tensor.storage`;
- memory: `data_ptr`, `untyped_storage`, `share_memory_`, `pin_memory`;
- devices and processes: `cuda`, `device=` keywords, `set_num_threads`,
  `distributed`, `multiprocessing`;
- global state that would outlive the program: `set_default_dtype`,
  `set_printoptions`, `set_grad_enabled`, `set_rng_state` (`manual_seed` is
  handled by the evaluator, which reseeds before every program's first draw);
- callbacks into user code run by torch: `register_hook`, `apply_`, `map_`;
- results whose size depends on the VALUES in a tensor (`nonzero`,
  `repeat_interleave`, `bincount`): no cheap bound exists before they run;
- compilers and code loading: `jit`, `compile`, `ops`, `library`.
"""

from __future__ import annotations

from app.parse.allowlist.entries import (
    BROADCAST,
    CONCAT,
    CREATE,
    DATA,
    GROW,
    MATMUL,
    PIECES,
    Const,
    Entry,
    Fn,
    Library,
    Ns,
    fn,
)

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


MAKE_DOT = fn("params show_attrs show_saved max_attr_chars", special="make_dot")
TORCHVIZ: dict[str, Entry] = {"make_dot": MAKE_DOT}

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

LIBRARY = Library(
    namespaces={
        "torch": TORCH,
        "torch.autograd": AUTOGRAD,
        "torch.nn.functional": FUNCTIONAL,
        "torch.linalg": LINALG,
        "torchviz": TORCHVIZ,
    },
    importable=frozenset(
        {"torch", "torch.nn.functional", "torch.autograd", "torch.linalg", "torchviz"}
    ),
    attributes=TENSOR_ATTRIBUTES | GRAD_FN_ATTRIBUTES | RETURN_FIELDS,
    methods={
        **{name: entry.kwargs for name, entry in TENSOR_METHODS.items()},
        **{name: frozenset() for name in GRAD_FN_METHODS},
    },
    predefined={"torch": "torch", "F": "torch.nn.functional"},
)
