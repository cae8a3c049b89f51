"""torch's table: torch and its namespaces, tensors, torchviz.

What a program may call is the survey of torch itself
(app.parse.allowlist.survey, written to torch_surface.py): every public
callable of torch, torch.Tensor, torch.nn.functional, torch.linalg,
torch.special, torch.fft, torch.func, torch.autograd and
torch.autograd.functional is either allowed there, with its size bound and
keywords, or excluded with its reason. This module turns the allowed ones
into table entries and adds what is not a callable of those namespaces
(constants, dtypes, sub-namespaces, tensor attributes, torch.cuda's
answers for a cpu-only service, torchviz).

Dangerous corners of torch, and why each is absent (torch_exclusions.py
holds every reason; tests/parse/test_allowlist.py and
tests/parse/test_torch_surface.py keep them out):
- files and pickle: `load`, `save`, `from_file`, `hub`, `Tensor.storage`;
- memory: `empty` and `new_empty` (uninitialized memory may hold an
  earlier program's data), `resize_`, `set_`, `as_strided`, `data_ptr`,
  `untyped_storage`, `share_memory_`, `pin_memory`;
- devices and processes: devices other than the cpu (`device=` and
  `.to(device)` accept the cpu device only, as a no-op; `.cuda()` raises
  torch's own "not compiled with CUDA"), `set_num_threads`, `distributed`,
  `multiprocessing`;
- global state that would outlive the program: `set_default_dtype`,
  `set_printoptions`, `set_grad_enabled`, `set_rng_state`, autocast
  (`manual_seed` is handled by the evaluator, which reseeds before every
  program's first draw);
- callbacks into user code run by torch: hooks (`register_hook`),
  `torch.func` and `torch.autograd.functional` transforms and custom
  autograd Functions are allowed through app.evaluate.callbacks, under the
  program's limits; `apply_` and `map_` (a call per element) are not;
- results whose size depends on the VALUES in a tensor: `nonzero`,
  `bincount`, `repeat_interleave`, `masked_select` are sized by rules that
  read the values first (app.evaluate.sizes); `unique_consecutive`,
  `histogramdd` and `segment_reduce` are absent;
- compilers and code loading: `jit`, `compile`, `ops`, `library`, `vmap`
  of torch (torch.func.vmap is allowed), symbolic shapes;
- sparse, quantized and nested tensors.
"""

from __future__ import annotations

from app.parse.allowlist.entries import ClassBase, Const, Entry, Fn, Library, Ns, fn
from app.parse.allowlist.torch_surface import ALLOWED
from app.parse.allowlist.torch_surface import RETURN_FIELDS as _FIELDS

DTYPES = (
    "float32 float float64 double float16 half bfloat16 complex64 cfloat complex128 cdouble "
    "int64 long int32 int int16 short int8 uint8 bool"
).split()


def _entries(path: str) -> dict[str, Fn]:
    """The surveyed callables of one namespace as table entries."""
    entries: dict[str, Fn] = {}
    for name, (bound, keywords, flags) in ALLOWED[path].items():
        words = flags.split()
        special = next((w.partition(":")[2] for w in words if w.startswith("special:")), None)
        entries[name] = Fn(frozenset(keywords.split()), bound, "random" in words, special)
    return entries


TORCH: dict[str, Entry] = {
    **_entries("torch"),
    "autograd": Ns("torch.autograd"),
    "nn": Ns("torch.nn"),
    "linalg": Ns("torch.linalg"),
    "special": Ns("torch.special"),
    "fft": Ns("torch.fft"),
    "func": Ns("torch.func"),
    "cuda": Ns("torch.cuda"),
    # constants
    "pi": Const(),
    "e": Const(),
    "inf": Const(),
    "nan": Const(),
    "__version__": Const(),
}
for _name in DTYPES:
    TORCH[_name] = Const()

AUTOGRAD: dict[str, Entry] = {
    **_entries("torch.autograd"),
    "functional": Ns("torch.autograd.functional"),
    "Function": Const(),  # only as the base of a program's class (app.evaluate.functions)
}

# torch.autograd.Function's public names (dir() without `_`): a program's
# Function may define forward, backward and setup_context, as static
# methods, and nothing else of these; tests/parse keep it true to torch.
FUNCTION_RESERVED = frozenset(
    (
        "apply backward boxed_grads_call clear_saved_tensors_on_access dirty_tensors forward "
        "generate_vmap_rule jvp mark_dirty mark_non_differentiable mark_shared_storage "
        "materialize_grads maybe_clear_saved_tensors metadata name needs_input_grad "
        "next_functions non_differentiable register_hook register_prehook requires_grad "
        "save_for_backward save_for_forward saved_for_forward saved_tensors saved_variables "
        "set_materialize_grads setup_context to_save vjp vmap"
    ).split()
)
# What `ctx` offers the program's forward, setup_context and backward.
CONTEXT_ATTRIBUTES = frozenset({"saved_tensors", "needs_input_grad"})
CONTEXT_METHODS = frozenset(
    {"save_for_backward", "mark_dirty", "mark_non_differentiable", "set_materialize_grads"}
)
AUTOGRAD_FUNCTIONAL: dict[str, Entry] = dict(_entries("torch.autograd.functional"))
FUNC: dict[str, Entry] = dict(_entries("torch.func"))
LINALG: dict[str, Entry] = dict(_entries("torch.linalg"))
SPECIAL: dict[str, Entry] = dict(_entries("torch.special"))
FFT: dict[str, Entry] = dict(_entries("torch.fft"))
FUNCTIONAL: dict[str, Entry] = dict(_entries("torch.nn.functional"))

# torch.cuda on this cpu-only service: what programs ask before choosing
# the cpu (`torch.cuda.is_available()` is False, seeding it does nothing).
CUDA: dict[str, Entry] = {
    "is_available": fn(special="cuda_available"),
    "device_count": fn(special="cuda_device_count"),
    "manual_seed": fn("seed", special="nothing"),
    "manual_seed_all": fn("seed", special="nothing"),
}

MAKE_DOT = fn("params show_attrs show_saved max_attr_chars", special="make_dot")
# torchviz's examples import both; the second traces a jit model, refused
# with a message when called.
TORCHVIZ: dict[str, Entry] = {
    "make_dot": MAKE_DOT,
    "make_dot_from_trace": Fn(None, special="make_dot_from_trace"),
}

# -- tensors ---------------------------------------------------------------
TENSOR_ATTRIBUTES = frozenset(
    (
        "grad shape dtype T mT H mH requires_grad is_leaf grad_fn ndim real imag data device "
        "is_cuda is_cpu is_meta is_sparse is_quantized itemsize nbytes retains_grad"
    ).split()
)
# Attributes a program may assign: `x.grad = None`, `x.requires_grad = True`,
# `w.data = w.data - lr * w.grad` (older tutorials' update step).
TENSOR_SETTABLE = frozenset({"grad", "requires_grad", "data"})

TENSOR_METHODS: dict[str, Fn] = _entries("torch.Tensor")

# torch.device's and torch.finfo's / torch.iinfo's fields (app.evaluate.devices).
DEVICE_ATTRIBUTES = frozenset({"type", "index"})
INFO_ATTRIBUTES = frozenset("bits eps max min tiny smallest_normal resolution dtype".split())

# The wrapper of an autograd node (`tensor.grad_fn`): only these.
GRAD_FN_ATTRIBUTES = frozenset({"next_functions"})
GRAD_FN_METHODS = frozenset({"name"})
# A hook's handle (torch.utils.hooks.RemovableHandle): only remove().
HANDLE_METHODS = frozenset({"remove"})
# Fields of torch.return_types (torch.max(x, dim) and friends).
RETURN_FIELDS = frozenset(_FIELDS)

LIBRARY = Library(
    namespaces={
        "torch": TORCH,
        "torch.autograd": AUTOGRAD,
        "torch.autograd.functional": AUTOGRAD_FUNCTIONAL,
        "torch.func": FUNC,
        "torch.nn.functional": FUNCTIONAL,
        "torch.linalg": LINALG,
        "torch.special": SPECIAL,
        "torch.fft": FFT,
        "torch.cuda": CUDA,
        "torchviz": TORCHVIZ,
    },
    importable=frozenset(
        {
            "torch",
            "torch.nn.functional",
            "torch.autograd",
            "torch.autograd.functional",
            "torch.func",
            "torch.linalg",
            "torch.special",
            "torch.fft",
            "torch.cuda",
            "torchviz",
        }
    ),
    attributes=TENSOR_ATTRIBUTES
    | CONTEXT_ATTRIBUTES
    | GRAD_FN_ATTRIBUTES
    | RETURN_FIELDS
    | DEVICE_ATTRIBUTES
    | INFO_ATTRIBUTES,
    methods={
        **{name: entry.kwargs for name, entry in TENSOR_METHODS.items()},
        **{name: frozenset() for name in GRAD_FN_METHODS | HANDLE_METHODS | CONTEXT_METHODS},
        "apply": None,  # a program's Function: Exp.apply(x, ...) takes what its forward takes
    },
    predefined={"torch": "torch", "F": "torch.nn.functional"},
    class_bases={
        "torch.autograd.Function": ClassBase(
            reserved=FUNCTION_RESERVED,
            overridable=frozenset({"forward", "backward", "setup_context"}),
            decorators=frozenset({"staticmethod"}),
        ),
    },
)
