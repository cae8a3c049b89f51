"""Why each excluded corner of torch is excluded: the reasons the survey writes.

app.parse.allowlist.survey walks torch's public callables and, for each,
asks `reason(path, name)` first: a string means the callable is excluded
and the string is its one-line reason in the generated table; None means
it is allowed (with its bound from app.parse.allowlist.torch_policy).

Every reason starts with its category and a colon. The categories of
side effects and of things that are not dense CPU math (files, processes,
devices, global state, memory, tensor kinds, compiler, types, removed,
numpy) are outside the coverage figure; the others (values, callbacks)
are pure functions this language could have and does not: they count
against it (app.parse.allowlist.survey.coverage).
"""

from __future__ import annotations

import re

# Categories that are not pure math on dense CPU tensors: left out of the
# coverage figure's denominator.
SIDE_EFFECTS = frozenset(
    {
        "files",
        "processes",
        "devices",
        "global state",
        "memory",
        "tensor kinds",
        "compiler",
        "type",
        "removed",
        "numpy",
    }
)

# Removed from torch and torch.Tensor (torch.linalg has them).
_REMOVED = {
    "eig": "eig",
    "symeig": "eigh",
    "lstsq": "lstsq",
    "solve": "solve",
    "matrix_rank": "matrix_rank",
}

# Exact names, by namespace ("*" for every namespace).
_NAMES: dict[str, dict[str, str]] = {
    "*": {
        "load": "files: reads and unpickles a file",
        "save": "files: writes a file",
        "from_file": "files: maps a file into a tensor",
        "compile": "compiler: compiles Python code",
        "while_loop": "compiler: control flow operator for export",
        "fork": "processes: starts an asynchronous task",
        "wait": "processes: waits on an asynchronous task",
        "seed": "global state: reseeds the generator from the clock",
        "initial_seed": "global state: reads the generator's seed",
        "get_rng_state": "global state: the generator's state",
        "set_rng_state": "global state: sets the generator's state",
        "use_deterministic_algorithms": "global state: a process-wide setting",
        "are_deterministic_algorithms_enabled": "global state: a process-wide setting",
        "is_deterministic_algorithms_warn_only_enabled": "global state: a process-wide setting",
        "get_deterministic_debug_mode": "global state: a process-wide setting",
        "is_warn_always_enabled": "global state: a process-wide setting",
        "get_float32_matmul_precision": "global state: a process-wide setting",
        "get_default_device": "global state: a process-wide setting",
        "get_num_threads": "processes: the process's threads",
        "get_num_interop_threads": "processes: the process's threads",
        "init_num_threads": "processes: the process's threads",
        "is_anomaly_enabled": "global state: anomaly detection",
        "is_anomaly_check_nan_enabled": "global state: anomaly detection",
        "is_inference_mode_enabled": "global state: a process-wide mode",
        "get_file_path": "files: paths of torch's own files",
        "get_device_module": "devices: device modules",
        "prepare_multiprocessing_environment": "processes: multiprocessing",
        "profiler_allow_cudagraph_cupti_lazy_reinit_cuda12": "devices: CUDA profiling",
        "compiled_with_cxx11_abi": "type: a fact about the build",
        "classproperty": "type: a decorator for classes",
        "thread_safe_generator": "processes: a decorator for threads",
        "typename": "type: names a type",
        "is_storage": "memory: storages are not available",
        "from_dlpack": "memory: shares memory with other libraries",
        "to_dlpack": "memory: shares memory with other libraries",
        "frombuffer": "memory: reads a Python buffer",
        "asarray": "memory: may share memory with other objects",
        "from_numpy": "numpy: arrays are NumPy's table's (app.parse.allowlist.numpy)",
        "numpy": "numpy: arrays are NumPy's table's (app.parse.allowlist.numpy)",
        "empty": "memory: uninitialized memory (may hold another program's data)",
        "empty_like": "memory: uninitialized memory (may hold another program's data)",
        "empty_strided": "memory: uninitialized memory (may hold another program's data)",
        "empty_permuted": "memory: uninitialized memory (may hold another program's data)",
        "new_empty": "memory: uninitialized memory (may hold another program's data)",
        "new_empty_strided": "memory: uninitialized memory (may hold another program's data)",
        "new": "memory: the legacy constructor makes uninitialized memory",
        "resize_": "memory: grows the storage with uninitialized memory",
        "resize_as_": "memory: grows the storage with uninitialized memory",
        "resize": "memory: grows the storage with uninitialized memory",
        "resize_as": "memory: grows the storage with uninitialized memory",
        "set_": "memory: points a tensor at another storage",
        "as_strided": "memory: arbitrary strides over a storage",
        "as_strided_": "memory: arbitrary strides over a storage",
        "as_strided_copy": "memory: arbitrary strides over a storage",
        "as_strided_scatter": "memory: arbitrary strides over a storage",
        "data_ptr": "memory: memory addresses",
        "const_data_ptr": "memory: memory addresses",
        "storage": "memory: storages are not available",
        "untyped_storage": "memory: storages are not available",
        "storage_type": "memory: storages are not available",
        "share_memory_": "memory: shared memory between processes",
        "is_shared": "memory: shared memory between processes",
        "pin_memory": "devices: pinned memory is for device transfers",
        "is_pinned": "devices: pinned memory is for device transfers",
        "record_stream": "devices: device streams",
        "module_load": "files: a hook of module loading",
        "as_subclass": "type: makes tensor subclasses",
        "apply_": "callbacks: calls the program once per element; use elementwise operations",
        "map_": "callbacks: calls the program once per element; use elementwise operations",
        "map2_": "callbacks: calls the program once per element; use elementwise operations",
        "unify_type_list": "compiler: TorchScript types",
        "merge_type_from_type_comment": "compiler: TorchScript types",
        "parse_ir": "compiler: TorchScript IR",
        "parse_schema": "compiler: TorchScript schemas",
        "parse_type_comment": "compiler: TorchScript types",
        "import_ir_module": "compiler: TorchScript modules",
        "import_ir_module_from_buffer": "compiler: TorchScript modules",
        "is_vulkan_available": "devices: devices other than the cpu",
        "get_device": "devices: device indices",
        "is_distributed": "tensor kinds: distributed tensors",
        "is_inference": "global state: inference mode",
        "set_flush_denormal": "global state: a process-wide setting",
        "vmap": "compiler: use torch.func.vmap",
        "unique_consecutive": "values: the result's size depends on the values",
        "histogramdd": "values: bins per dimension multiply without a cheap bound",
        "segment_reduce": "values: the result's size depends on the lengths given",
        "index": "values: legacy indexing by a list of tensors",
        "has_torch_function": "compiler: the __torch_function__ protocol",
        "has_torch_function_unary": "compiler: the __torch_function__ protocol",
        "has_torch_function_variadic": "compiler: the __torch_function__ protocol",
        "handle_torch_function": "compiler: the __torch_function__ protocol",
        "boolean_dispatch": "compiler: builds functions",
        "assert_int_or_pair": "type: an internal argument check",
        "Optional": "type: a typing form",
        "Callable": "type: a typing form",
        "overload": "type: a typing decorator",
        "cast": "type: a typing helper",
        "is_tensor_like": "compiler: the __torch_function__ protocol",
        "kineto_available": "processes: the profiler",
        "is_multithreading_enabled": "processes: the engine's threads",
        "is_view_replay_enabled": "global state: an engine setting",
        "variable": "removed: torch.autograd.variable is the module's old name",
        "functionalize": "compiler: a compiler transform",
        "debug_unwrap": "compiler: a transform's internals",
        "functional_call": "type: calls a module (torch.nn's table)",
        "stack_module_state": "type: stacks modules (torch.nn's table)",
        "replace_all_batch_norm_modules_": "type: changes modules (torch.nn's table)",
        "rearrange": "callbacks: einops patterns are not available",
        "linearize": "callbacks: a transform that keeps the program's function",
        "gradcheck": "callbacks: calls the program's function many times; use autograd.grad",
        "gradgradcheck": "callbacks: calls the program's function many times; use autograd.grad",
        "grouped_mm": "devices: a CUDA kernel",
        "scaled_grouped_mm": "devices: a CUDA kernel",
        "scaled_mm": "devices: a CUDA kernel",
        "linear_cross_entropy": "devices: a fused CUDA kernel",
        "ScalingType": "type: an enumeration of CUDA kernels",
        "SwizzleType": "type: an enumeration of CUDA kernels",
        "DType": "type: a typing form",
    },
    "torch": {
        "cond": "compiler: control flow operator for export",
        **{
            name: f"removed: raises in this torch (torch.linalg.{new})"
            for name, new in _REMOVED.items()
        },
    },
    "torch.linalg": {
        "lstsq": (
            "memory: its default driver (gelsy) reads memory the call never wrote "
            "(pytorch#187411): the answer varies and may show an earlier program's data"
        ),
    },
    "torch.Tensor": {
        "reinforce": "removed: raises in this torch",
        **{
            name: f"removed: raises in this torch (torch.linalg.{new})"
            for name, new in _REMOVED.items()
        },
        "dim_order": "memory: memory layout",
        "storage_offset": "memory: memory layout",
        "stride": "memory: memory layout",
        "is_set_to": "memory: compares storages",
    },
}

# Families of names, by regular expressions, for every namespace: tried in order.
_PATTERNS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        (
            "cudnn", "miopen", "mkldnn", "fbgemm", "cuda", "^xpu$", "_xpu", "^ipu$", "_ipu",
            "^mtia$", "^hpu$", "vulkan", "_mps", "^mps",
        ),
        "devices: devices other than the cpu",
    ),
    (("autocast",), "global state: autocast settings"),
    (("^set_", "^get_autocast"), "global state: a process-wide setting"),
    (
        (
            "sparse", "coalesce", "^indices", "^values$", "^values_copy$", "crow_indices",
            "ccol_indices", "col_indices", "row_indices", "dense_dim", "to_dense", "^smm$",
            "^sspaddmm$", "^hspmm$", "^dsmm$", "^saddmm$", "^spmm$", "^hsmm$",
        ),
        "tensor kinds: sparse tensors",
    ),
    (
        ("quantiz", "^q_", "int_repr", "qscheme", "dequantize", "fake_quant", "choose_qparams"),
        "tensor kinds: quantized tensors",
    ),
    (("nested", "to_padded_tensor"), "tensor kinds: nested tensors"),
    (("^sym_",), "compiler: symbolic shapes"),
)  # fmt: skip
_COMPILED = tuple((re.compile("|".join(parts)), why) for parts, why in _PATTERNS)

# Classes a program may call (everything else a class is excluded as a type).
CALLABLE_CLASSES = frozenset(
    {
        "torch.Tensor",
        "torch.device",
        "torch.no_grad",
        "torch.enable_grad",
        "torch.inference_mode",
        "torch.finfo",
        "torch.iinfo",
        "torch.autograd.Function",
        "torch.autograd.Variable",
        "torch.autograd.no_grad",
        "torch.autograd.enable_grad",
        "torch.autograd.inference_mode",
    }
)


def reason(path: str, name: str, is_class: bool) -> str | None:
    """Why `path.name` is excluded, or None when it is not."""
    for table in (_NAMES.get(path, {}), _NAMES["*"]):
        why = table.get(name)
        if why is not None:
            return why
    if is_class and f"{path}.{name}" not in CALLABLE_CLASSES:
        return "type: a class, not a function"
    for pattern, why in _COMPILED:
        if pattern.search(name):
            return why
    return None


def category(why: str) -> str:
    return why.partition(":")[0]
