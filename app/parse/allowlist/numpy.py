"""NumPy's table: numpy, numpy.linalg, numpy.random, ndarrays, NumPy scalars, Generators,
and the bridges to torch (`torch.from_numpy`, `tensor.numpy()`).

`np` is real NumPy behind the same discipline as torch: only what these
tables list can be named, with only the keywords listed, and every call's
result size is bounded before it runs (app.evaluate.array_sizes: NumPy has
no meta arrays, so each growing function has an exact rule computed from
its arguments; a call no rule can bound is refused). The bound kinds are
those of app.parse.allowlist.entries.

Dangerous corners of NumPy, and why each is absent from these tables (the
tests in tests/parse/test_numpy_allowlist.py keep them out):
- files: `load`, `save`, `savez`, `loadtxt`, `savetxt`, `genfromtxt`,
  `fromfile`, `ndarray.tofile`, `ndarray.dump`, `memmap`, `fromregex`:
  a program never touches the file system;
- memory: `frombuffer`, `ndarray.data` (a memoryview), `ndarray.ctypes`,
  `ctypeslib`, `lib` (stride_tricks.as_strided makes views over any
  address), `ndarray.base` (walks from `x.numpy()` back to the tensor),
  `empty`/`empty_like` (uninitialised memory shows what an earlier program
  left in the process), `ndarray.view` (reinterprets bytes), `tobytes`;
- object, string and structured dtypes, and pickle: `dtype=object`,
  `astype(object)`, `np.dtype(...)` (structured records), `allow_pickle`,
  `ndarray.dumps`: object arrays call back into Python on every element
  and string arrays have no size bound in elements; the `dtype` of every
  call is checked against the numeric dtypes below, data lists may hold
  only numbers, and a result of any other dtype is refused;
- callbacks into user code: `vectorize`, `frompyfunc`, `apply_along_axis`,
  `apply_over_axes`, `fromfunction`, `piecewise`, `fromiter`, `nditer`,
  the methods of ufuncs (`np.add.reduce`): NumPy would call the program's
  functions outside the interpreter's step and element counts;
- global state: `set_printoptions`, `printoptions`, `seterr`, `errstate`,
  `setbufsize`, `random.set_state`, `random.get_state`, `random.RandomState`,
  `random.bit_generator`, `Generator.bit_generator`: print options and
  error modes stay NumPy's defaults in every program; NumPy's global random
  state is seeded with 0 before a program's first draw, like torch's (see
  app.evaluate.array_calls), and `default_rng()` without a seed is seeded
  with the count of unseeded generators the program made before it;
- results whose size no cheap rule bounds before they run: `bincount`
  (its length is the largest value), `einsum`, `ndarray.resize` (grows in
  place), `unravel_index`, `fromstring`; the `where=` keyword (without
  `out=` it leaves uninitialised memory in the result); `out=` everywhere
  but the elementwise functions (UNARY, BINARY), where it is one ndarray
  of the program's, of the result's own shape (NumPy refuses any other),
  written in place as the Tensors tutorial's `np.add(n, 1, out=n)` does:
  nothing new is allocated (app.evaluate.array_calls).
"""

from __future__ import annotations

from collections.abc import Mapping

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
_REDUCE = "axis dtype keepdims"
_EXTREME = "axis keepdims initial"
_SPREAD = "axis dtype ddof keepdims"
_INDEX = "axis keepdims"

# The numeric dtypes a program may name or ask for. Object, string, void
# (structured) and datetime dtypes are absent; so is longdouble, whose
# size and printing differ between machines.
DTYPES = (
    "float16 float32 float64 double single half complex64 complex128 cdouble csingle "
    "int8 int16 int32 int64 intp uint8 uint16 uint32 uint64 uint bool bool_ byte ubyte "
    "short ushort intc uintc longlong ulonglong"
).split()
# Abstract scalar types, for np.issubdtype(x.dtype, np.floating).
ABSTRACT_TYPES = (
    "number integer floating complexfloating signedinteger unsignedinteger inexact generic"
).split()

# Elementwise functions of one array (ufuncs and their friends).
UNARY = (
    "abs absolute fabs sign sqrt cbrt square exp exp2 expm1 log log2 log10 log1p sin cos "
    "tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh deg2rad rad2deg "
    "degrees radians floor ceil trunc rint fix negative positive reciprocal isnan isinf "
    "isfinite isposinf isneginf signbit logical_not conj conjugate real imag angle sinc "
    "iscomplex isreal invert bitwise_not spacing"
).split()

# Elementwise functions of two arrays or numbers, broadcast.
BINARY = (
    "add subtract multiply divide true_divide floor_divide power float_power mod remainder "
    "fmod maximum minimum fmax fmin arctan2 hypot logaddexp logaddexp2 greater "
    "greater_equal less less_equal equal not_equal logical_and logical_or logical_xor "
    "copysign nextafter heaviside ldexp bitwise_and bitwise_or bitwise_xor left_shift "
    "right_shift gcd lcm divmod"
).split()

NUMPY: dict[str, Entry] = {
    # creation
    "array": fn("dtype copy ndmin", DATA),
    "asarray": fn("dtype", DATA),
    "ascontiguousarray": fn("dtype", DATA),
    "zeros": fn("shape dtype", CREATE),
    "ones": fn("shape dtype", CREATE),
    "full": fn("shape fill_value dtype", CREATE),
    "eye": fn("N M k dtype", CREATE),
    "identity": fn("n dtype", CREATE),
    "arange": fn("start stop step dtype", CREATE),
    "linspace": fn("start stop num endpoint retstep dtype axis", CREATE),
    "logspace": fn("start stop num endpoint base dtype axis", CREATE),
    "geomspace": fn("start stop num endpoint dtype axis", CREATE),
    "zeros_like": fn("dtype"),
    "ones_like": fn("dtype"),
    "full_like": fn("fill_value dtype"),
    "copy": fn(),
    "meshgrid": fn("indexing sparse copy", GROW),
    "diag": fn("k", GROW),
    "diagflat": fn("k", GROW),
    "tri": fn("N M k dtype", CREATE),
    "tril": fn("k"),
    "triu": fn("k"),
    "vander": fn("N increasing", GROW),
    "atleast_1d": fn(),
    "atleast_2d": fn(),
    "atleast_3d": fn(),
    # elementwise with keywords of their own
    "round": fn("decimals"),
    "around": fn("decimals"),
    "clip": fn("a_min a_max min max", BROADCAST),
    "nan_to_num": fn("copy nan posinf neginf"),
    "where": fn("", BROADCAST),
    "isclose": fn("rtol atol equal_nan", BROADCAST),
    "allclose": fn("rtol atol equal_nan", BROADCAST),
    "array_equal": fn("equal_nan", BROADCAST),
    "interp": fn("left right period"),
    # reductions and statistics
    "sum": fn(_REDUCE + " initial"),
    "prod": fn(_REDUCE + " initial"),
    "mean": fn(_REDUCE),
    "std": fn(_SPREAD),
    "var": fn(_SPREAD),
    "min": fn(_EXTREME),
    "max": fn(_EXTREME),
    "amin": fn(_EXTREME),
    "amax": fn(_EXTREME),
    "argmin": fn(_INDEX),
    "argmax": fn(_INDEX),
    "ptp": fn(_INDEX),
    "median": fn(_INDEX),
    "average": fn("axis weights returned keepdims"),
    "percentile": fn("axis method keepdims", GROW),
    "quantile": fn("axis method keepdims", GROW),
    "nansum": fn(_REDUCE),
    "nanprod": fn(_REDUCE),
    "nanmean": fn(_REDUCE),
    "nanstd": fn(_SPREAD),
    "nanvar": fn(_SPREAD),
    "nanmin": fn(_INDEX),
    "nanmax": fn(_INDEX),
    "nanargmin": fn(_INDEX),
    "nanargmax": fn(_INDEX),
    "nanmedian": fn(_INDEX),
    "all": fn(_INDEX),
    "any": fn(_INDEX),
    "count_nonzero": fn(_INDEX),
    "cumsum": fn("axis dtype"),
    "cumprod": fn("axis dtype"),
    "diff": fn("n axis"),
    "gradient": fn("axis edge_order"),
    "trapezoid": fn("x dx axis"),
    "sort": fn("axis kind stable"),
    "argsort": fn("axis kind stable"),
    "unique": fn("return_index return_inverse return_counts axis"),
    "searchsorted": fn("side"),
    "nonzero": fn(),
    "argwhere": fn(),
    "flatnonzero": fn(),
    "trace": fn("offset axis1 axis2 dtype"),
    "histogram": fn("bins range density weights", GROW),
    "cov": fn("rowvar bias ddof", GROW),
    "corrcoef": fn("rowvar", GROW),
    "convolve": fn("mode", GROW),
    "correlate": fn("mode", GROW),
    "polyfit": fn("deg", GROW),
    "polyval": fn("", BROADCAST),
    # products
    "dot": fn("", MATMUL),
    "matmul": fn("", MATMUL),
    "inner": fn("", MATMUL),
    "vdot": fn("", MATMUL),
    "outer": fn("", GROW),
    "kron": fn("", GROW),
    "tensordot": fn("axes", MATMUL),
    "cross": fn("axisa axisb axisc axis", BROADCAST),
    # shapes
    "shape": fn(),
    "size": fn("axis"),
    "ndim": fn(),
    "reshape": fn("shape order"),
    "ravel": fn(),
    "transpose": fn("axes"),
    "swapaxes": fn(),
    "moveaxis": fn("source destination"),
    "squeeze": fn("axis"),
    "expand_dims": fn("axis"),
    "flip": fn("axis"),
    "fliplr": fn(),
    "flipud": fn(),
    "roll": fn("shift axis"),
    "rot90": fn("k axes"),
    "concatenate": fn("axis dtype", CONCAT),
    "concat": fn("axis dtype", CONCAT),
    "stack": fn("axis dtype", CONCAT),
    "vstack": fn("dtype", CONCAT),
    "hstack": fn("dtype", CONCAT),
    "dstack": fn("", CONCAT),
    "column_stack": fn("", CONCAT),
    "append": fn("axis", CONCAT),
    "split": fn("indices_or_sections axis", PIECES),
    "array_split": fn("indices_or_sections axis", PIECES),
    "hsplit": fn("", PIECES),
    "vsplit": fn("", PIECES),
    "repeat": fn("repeats axis", GROW),
    "tile": fn("reps", GROW),
    "pad": fn("pad_width mode constant_values", GROW),
    "broadcast_to": fn("shape", GROW),
    "broadcast_arrays": fn("", BROADCAST),
    "broadcast_shapes": fn(),
    "resize": fn("new_shape", GROW),
    "take": fn("indices axis", GROW),
    # dtypes
    "issubdtype": fn(),
    "finfo": fn(),
    "iinfo": fn(),
    "result_type": fn(),
    # sub-namespaces and constants
    "linalg": Ns("numpy.linalg"),
    "random": Ns("numpy.random"),
    "pi": Const(),
    "e": Const(),
    "inf": Const(),
    "nan": Const(),
    "euler_gamma": Const(),
    "newaxis": Const(),
}
for _name in UNARY:
    NUMPY.setdefault(_name, fn("out"))
for _name in BINARY:
    NUMPY.setdefault(_name, fn("out", BROADCAST))
for _name in DTYPES + ABSTRACT_TYPES:
    NUMPY[_name] = Const()

LINALG: dict[str, Entry] = {
    "norm": fn("ord axis keepdims"),
    "vector_norm": fn("ord axis keepdims"),
    "matrix_norm": fn("ord keepdims"),
    "inv": fn(),
    "pinv": fn("rcond hermitian"),
    "solve": fn("", MATMUL),
    "lstsq": fn("rcond", GROW),
    "det": fn(),
    "slogdet": fn(),
    "eig": fn(),
    "eigh": fn("UPLO"),
    "eigvals": fn(),
    "eigvalsh": fn("UPLO"),
    "svd": fn("full_matrices compute_uv hermitian", GROW),
    "svdvals": fn(),
    "qr": fn("mode", GROW),
    "cholesky": fn(),
    "matrix_rank": fn("tol hermitian"),
    "matrix_power": fn(),
    "cond": fn("p"),
    "multi_dot": fn("", MATMUL),
    "trace": fn("offset dtype"),
}

# Draws of NumPy's global (legacy) random state; `size` bounds each.
_DRAWS: dict[str, str] = {
    "rand": "",
    "randn": "",
    "random": "size",
    "random_sample": "size",
    "standard_normal": "size",
    "normal": "loc scale size",
    "uniform": "low high size",
    "randint": "low high size dtype",
    "choice": "a size replace p",
    "permutation": "x",
    "exponential": "scale size",
    "binomial": "n p size",
    "poisson": "lam size",
    "beta": "a b size",
    "gamma": "shape scale size",
    "laplace": "loc scale size",
    "lognormal": "mean sigma size",
    "logistic": "loc scale size",
    "multivariate_normal": "mean cov size check_valid tol",
}
RANDOM: dict[str, Entry] = {
    name: fn(kwargs, CREATE, random=True) for name, kwargs in _DRAWS.items()
}
RANDOM["shuffle"] = fn("x", random=True)  # in place
RANDOM["seed"] = fn("seed", special="numpy_seed")
RANDOM["default_rng"] = fn("seed", special="default_rng")

# Methods of the Generator that np.random.default_rng() returns.
GENERATOR_METHODS: dict[str, Fn] = {
    "random": fn("size dtype", CREATE, random=True),
    "standard_normal": fn("size dtype", CREATE, random=True),
    "normal": fn("loc scale size", CREATE, random=True),
    "uniform": fn("low high size", CREATE, random=True),
    "integers": fn("low high size dtype endpoint", CREATE, random=True),
    "choice": fn("a size replace p axis shuffle", CREATE, random=True),
    "permutation": fn("x axis", CREATE, random=True),
    "shuffle": fn("x axis", random=True),
    "permuted": fn("x axis", random=True),
    "exponential": fn("scale size", CREATE, random=True),
    "binomial": fn("n p size", CREATE, random=True),
    "poisson": fn("lam size", CREATE, random=True),
    "beta": fn("a b size", CREATE, random=True),
    "gamma": fn("shape scale size", CREATE, random=True),
    "laplace": fn("loc scale size", CREATE, random=True),
    "lognormal": fn("mean sigma size", CREATE, random=True),
    "logistic": fn("loc scale size", CREATE, random=True),
    "multivariate_normal": fn("mean cov size check_valid tol method", CREATE, random=True),
}

# -- ndarrays and NumPy scalars ---------------------------------------------
NDARRAY_ATTRIBUTES = frozenset("shape dtype ndim size T mT real imag itemsize nbytes".split())

NDARRAY_METHODS: dict[str, Fn] = {
    "copy": fn(),
    "reshape": fn("shape order"),
    "astype": fn("dtype copy"),
    "tolist": fn(),
    "item": fn(),
    "flatten": fn(),
    "ravel": fn(),
    "transpose": fn(),
    "swapaxes": fn(),
    "squeeze": fn("axis"),
    "sum": fn(_REDUCE + " initial"),
    "prod": fn(_REDUCE + " initial"),
    "mean": fn(_REDUCE),
    "std": fn(_SPREAD),
    "var": fn(_SPREAD),
    "min": fn(_EXTREME),
    "max": fn(_EXTREME),
    "argmin": fn(_INDEX),
    "argmax": fn(_INDEX),
    "all": fn(_INDEX),
    "any": fn(_INDEX),
    "cumsum": fn("axis dtype"),
    "cumprod": fn("axis dtype"),
    "dot": fn("", MATMUL),
    "clip": fn("min max", BROADCAST),
    "round": fn("decimals"),
    "fill": fn("value"),
    "sort": fn("axis kind stable"),
    "argsort": fn("axis kind stable"),
    "nonzero": fn(),
    "repeat": fn("repeats axis", GROW),
    "take": fn("indices axis", GROW),
    "diagonal": fn("offset axis1 axis2"),
    "trace": fn("offset axis1 axis2 dtype"),
    "searchsorted": fn("side"),
    "conj": fn(),
    "conjugate": fn(),
}
# The same on NumPy scalars (np.float32(1.5).item(), x.sum().round(2)).
SCALAR_METHODS = frozenset(
    "item tolist astype round conj conjugate sum mean min max prod all any".split()
)
# Attributes of a dtype (x.dtype.name) and of finfo / iinfo.
DTYPE_ATTRIBUTES = frozenset("name itemsize kind".split())
INFO_ATTRIBUTES = frozenset("eps tiny max min bits resolution dtype".split())

# Keywords whose value may be a string: options, not data. Any other string
# argument is refused (a string array has no bound in elements: its every
# item may be as long as the string).
STRING_KEYWORDS = frozenset("mode ord kind indexing side method UPLO order".split())
# Positions where a function takes a string option positionally.
STRING_POSITIONS: dict[str, frozenset[int]] = {
    "pad": frozenset({2}),
    "convolve": frozenset({2}),
    "correlate": frozenset({2}),
    "linalg.norm": frozenset({1}),
    "linalg.qr": frozenset({1}),
    "linalg.cond": frozenset({1}),
    "linalg.eigh": frozenset({1}),
    "linalg.eigvalsh": frozenset({1}),
    "linalg.vector_norm": frozenset({1}),
    "linalg.matrix_norm": frozenset({1}),
}

# What `np.X` says when X is one of the dangerous corners above.
NUMPY_HINTS: dict[str, str] = {
    **dict.fromkeys(
        "load save savez savez_compressed loadtxt savetxt genfromtxt fromfile memmap "
        "fromregex".split(),
        "programs cannot read or write files",
    ),
    **dict.fromkeys("frombuffer ctypeslib lib fromstring".split(), "raw memory is not available"),
    **dict.fromkeys("empty empty_like".split(), "use np.zeros (empty arrays show leftover memory)"),
    **dict.fromkeys(
        "vectorize frompyfunc apply_along_axis apply_over_axes fromfunction piecewise "
        "fromiter nditer".split(),
        "NumPy may not call the program's functions; use a loop or a list comprehension",
    ),
    **dict.fromkeys(
        "set_printoptions printoptions seterr errstate setbufsize get_printoptions geterr".split(),
        "NumPy's global settings stay at their defaults",
    ),
    "dtype": "use a dtype such as np.float32; structured dtypes are not available",
    "object_": "object arrays are not available",
    "str_": "string arrays are not available",
    "bincount": "its size depends on the values; use np.unique(x, return_counts=True)",
    "einsum": "use np.matmul, np.dot or np.tensordot",
    "ndarray": "use np.array or np.zeros",
    "set_state": "NumPy's random state is seeded per program; use np.random.seed(n)",
    "get_state": "NumPy's random state is seeded per program; use np.random.seed(n)",
}


# NumPy's bridges to torch: both share memory, nothing is allocated (a
# tensor that requires grad is refused by torch itself, with its message).
TORCH_BRIDGES: dict[str, Entry] = {"from_numpy": fn("", DATA)}
TENSOR_BRIDGES: dict[str, Fn] = {"numpy": fn()}


def _methods(*tables: Mapping[str, Fn]) -> dict[str, frozenset[str] | None]:
    merged: dict[str, frozenset[str] | None] = {}
    for table in tables:
        for name, entry in table.items():
            known = merged.get(name, frozenset())
            merged[name] = None if entry.kwargs is None or known is None else known | entry.kwargs
    return merged


LIBRARY = Library(
    namespaces={"numpy": NUMPY, "numpy.linalg": LINALG, "numpy.random": RANDOM},
    extends={"torch": TORCH_BRIDGES},
    importable=frozenset({"numpy", "numpy.linalg", "numpy.random"}),
    attributes=NDARRAY_ATTRIBUTES | DTYPE_ATTRIBUTES | INFO_ATTRIBUTES,
    methods=_methods(NDARRAY_METHODS, GENERATOR_METHODS, TENSOR_BRIDGES),
    predefined={"np": "numpy"},
    tensor_methods=TENSOR_BRIDGES,
)
