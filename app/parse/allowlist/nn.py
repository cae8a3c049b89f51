"""torch.nn's table: modules, nn.Parameter, nn.init, nn.Module as a base.

Modules are real torch modules (app.evaluate.modules): made by calling
their class, called as torch calls them, printed as torch prints them.
Each constructor's `special` says how the evaluator makes it:

    layer      has parameters: their sizes are bounded before anything is
               allocated (a Linear(10**6, 10**6) never exists), then the
               layer is made, its parameters counted toward the element
               limits
    module     no parameters of its own (activations, losses, pooling)
    container  Sequential, ModuleList, ModuleDict: hold other modules
    parameter  nn.Parameter: the tensor it is given, as a parameter

Dangerous corners of torch.nn, and why each is absent:
- files and pickle: `state_dict`, `load_state_dict`, `__setstate__`,
  `get_extra_state`, `set_extra_state`, `T_destination`, `dump_patches`;
- callbacks into user code run by torch: `register_forward_hook`,
  `register_forward_pre_hook`, `register_*backward*_hook`,
  `register_*state_dict*_hook`, `apply` (calls a function on every
  submodule), `extra_repr` (a program's class may not define it: printing
  would run its code);
- devices, dtypes and memory: `to_empty`, `ipu`, `xpu`, `mtia`, `half`,
  `float`, `double`, `bfloat16`, `type`, `share_memory`, `sparse=` (sparse
  gradients) and `_weight=` of Embedding; `to` and `cpu` are there for the
  tutorials' `model.to(device)`, with the cpu device only (a no-op that
  returns the module, as torch's is on a cpu; a dtype is refused), and
  `cuda()` fails as this cpu-only torch fails; the `device=` keyword of
  every constructor takes the cpu device only (app.evaluate.devices);
- compilers: `compile`;
- nn.Module's reflection and internals: `_modules`, `_parameters`,
  `_buffers`, `__dict__`, `__class__` (every name starting with `_` is
  refused on sight); `get_submodule`, `get_parameter`, `set_submodule`,
  `register_module`, `register_parameter`, `register_buffer` (names as
  strings reach attributes the tables do not list); a program's class may
  neither define nor assign nn.Module's own names (MODULE_RESERVED) but
  define `forward`: a `parameters` method or `self.training = ...` would
  change what torch itself calls;
- sizes: every layer is bounded before it exists (above); a module's
  output is bounded before the call (app.evaluate.modules); modules whose
  output size is the program's choice regardless of the input
  (`Upsample`, `AdaptiveAvgPool*`, `ConvTranspose*`) are absent.
"""

from __future__ import annotations

from app.parse.allowlist.entries import CREATE, ClassBase, Const, Entry, Fn, Library, Ns, fn

LAYER = "layer"
MODULE = "module"
CONTAINER = "container"
PARAMETER = "parameter"


def _layer(kwargs: str, random: bool = True) -> Fn:
    return fn(kwargs + " dtype", CREATE, random=random, special=LAYER)


def _module(kwargs: str = "") -> Fn:
    return fn(kwargs, special=MODULE)


_CONV = "in_channels out_channels kernel_size stride padding dilation groups bias padding_mode"
_RNN = "input_size hidden_size num_layers nonlinearity bias batch_first dropout bidirectional"
_NORM = "num_features eps momentum affine track_running_stats"
_LOSS = "reduction"

CONSTRUCTORS: dict[str, Fn] = {
    # layers: parameters made on "meta" first
    "Linear": _layer("in_features out_features bias"),
    "Bilinear": _layer("in1_features in2_features out_features bias"),
    "Conv1d": _layer(_CONV),
    "Conv2d": _layer(_CONV),
    "BatchNorm1d": _layer(_NORM, random=False),
    "BatchNorm2d": _layer(_NORM, random=False),
    "LayerNorm": _layer("normalized_shape eps elementwise_affine bias", random=False),
    "Embedding": _layer("num_embeddings embedding_dim padding_idx max_norm norm_type"),
    "RNN": _layer(_RNN),
    "LSTM": _layer(_RNN + " proj_size"),
    "GRU": _layer(_RNN),
    "PReLU": _layer("num_parameters init", random=False),
    # shapes
    "Flatten": _module("start_dim end_dim"),
    "Unflatten": _module("dim unflattened_size"),
    "Identity": Fn(None, special=MODULE),  # takes and ignores any argument
    "Dropout": _module("p inplace"),
    "MaxPool1d": _module("kernel_size stride padding dilation return_indices ceil_mode"),
    "MaxPool2d": _module("kernel_size stride padding dilation return_indices ceil_mode"),
    "AvgPool1d": _module("kernel_size stride padding ceil_mode count_include_pad"),
    "AvgPool2d": _module("kernel_size stride padding ceil_mode count_include_pad divisor_override"),
    # activations
    "ReLU": _module("inplace"),
    "ReLU6": _module("inplace"),
    "LeakyReLU": _module("negative_slope inplace"),
    "ELU": _module("alpha inplace"),
    "SELU": _module("inplace"),
    "CELU": _module("alpha inplace"),
    "GELU": _module("approximate"),
    "SiLU": _module("inplace"),
    "Mish": _module("inplace"),
    "Sigmoid": _module(),
    "Tanh": _module(),
    "Hardtanh": _module("min_val max_val inplace"),
    "Hardsigmoid": _module("inplace"),
    "Hardswish": _module("inplace"),
    "Softplus": _module("beta threshold"),
    "Softsign": _module(),
    "LogSigmoid": _module(),
    "Tanhshrink": _module(),
    "Softmax": _module("dim"),
    "Softmin": _module("dim"),
    "LogSoftmax": _module("dim"),
    # losses
    "MSELoss": _module(_LOSS),
    "L1Loss": _module(_LOSS),
    "SmoothL1Loss": _module(_LOSS + " beta"),
    "HuberLoss": _module(_LOSS + " delta"),
    "CrossEntropyLoss": _module(_LOSS + " weight ignore_index label_smoothing"),
    "NLLLoss": _module(_LOSS + " weight ignore_index"),
    "BCELoss": _module(_LOSS + " weight"),
    "BCEWithLogitsLoss": _module(_LOSS + " weight pos_weight"),
    "KLDivLoss": _module(_LOSS + " log_target"),
    # containers
    "Sequential": fn(special=CONTAINER),
    "ModuleList": fn("modules", special=CONTAINER),
    "ModuleDict": fn("modules", special=CONTAINER),
}

NN: dict[str, Entry] = {
    **CONSTRUCTORS,
    "Parameter": fn("data requires_grad", special=PARAMETER),
    "functional": Ns("torch.nn.functional"),
    "init": Ns("torch.nn.init"),
    "Module": Const(),  # only as the base of a program's class
}

# nn.init: in-place fills of a tensor the program already has.
_GAIN = "gain"
_KAIMING = "a mode nonlinearity"
INIT: dict[str, Entry] = {
    "zeros_": fn(),
    "ones_": fn(),
    "constant_": fn("val"),
    "eye_": fn(),
    "normal_": fn("mean std", random=True),
    "uniform_": fn("a b", random=True),
    "trunc_normal_": fn("mean std a b", random=True),
    "xavier_uniform_": fn(_GAIN, random=True),
    "xavier_normal_": fn(_GAIN, random=True),
    "kaiming_uniform_": fn(_KAIMING, random=True),
    "kaiming_normal_": fn(_KAIMING, random=True),
    "orthogonal_": fn(_GAIN, random=True),
    "calculate_gain": fn("nonlinearity param"),
}

# What a program may read on a torch module (the exact check is on the
# module: an attribute its class does not have is Python's AttributeError).
MODULE_ATTRIBUTES = frozenset(
    (
        "weight bias training in_features out_features in1_features in2_features "
        "in_channels out_channels kernel_size stride padding dilation groups padding_mode "
        "num_features eps momentum affine track_running_stats running_mean running_var "
        "num_batches_tracked normalized_shape elementwise_affine p inplace num_embeddings "
        "embedding_dim padding_idx max_norm norm_type input_size hidden_size num_layers "
        "nonlinearity batch_first dropout bidirectional proj_size start_dim end_dim dim "
        "unflattened_size negative_slope alpha beta threshold approximate min_val max_val "
        "reduction ignore_index label_smoothing pos_weight log_target delta ceil_mode "
        "return_indices count_include_pad divisor_override num_parameters"
    ).split()
)
# Attributes a program may assign on a torch module (torch checks the value).
MODULE_SETTABLE = frozenset({"weight", "bias"})

# Methods of every module (and of containers), with their keywords.
MODULE_METHODS: dict[str, frozenset[str] | None] = {
    "parameters": frozenset({"recurse"}),
    "named_parameters": frozenset({"prefix", "recurse", "remove_duplicate"}),
    "buffers": frozenset({"recurse"}),
    "named_buffers": frozenset({"prefix", "recurse", "remove_duplicate"}),
    "children": frozenset(),
    "named_children": frozenset(),
    "modules": frozenset(),
    "named_modules": frozenset({"prefix", "remove_duplicate"}),
    "zero_grad": frozenset({"set_to_none"}),
    "train": frozenset({"mode"}),
    "eval": frozenset(),
    "requires_grad_": frozenset({"requires_grad"}),
    "add_module": frozenset({"name", "module"}),
    "forward": None,  # the module's own call: its keywords are the module's
    "reset_parameters": frozenset(),
    # the cpu device only: app.evaluate.modules
    "to": frozenset({"device", "non_blocking"}),
    "cpu": frozenset(),
    "cuda": frozenset({"device"}),
    # Sequential, ModuleList, ModuleDict
    "append": frozenset(),
    "extend": frozenset(),
    "insert": frozenset(),
    "keys": frozenset(),
    "items": frozenset(),
    "values": frozenset(),
}

# nn.Module's public names (dir(nn.Module) without those starting with `_`,
# and the `training` flag its __init__ sets); tests/parse keep it true to torch.
MODULE_RESERVED = frozenset(
    (
        "T_destination add_module apply bfloat16 buffers call_super_init children compile cpu "
        "cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state "
        "get_parameter get_submodule half ipu load_state_dict modules mtia named_buffers "
        "named_children named_modules named_parameters parameters register_backward_hook "
        "register_buffer register_forward_hook register_forward_pre_hook "
        "register_full_backward_hook register_full_backward_pre_hook "
        "register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module "
        "register_parameter register_state_dict_post_hook register_state_dict_pre_hook "
        "requires_grad_ set_extra_state set_submodule share_memory state_dict to to_empty "
        "train training type xpu zero_grad"
    ).split()
)

# Hints for the names people reach for that are absent (see the docstring).
NN_HINTS: dict[str, str] = {
    "state_dict": "a program cannot save or load a model's state",
    "load_state_dict": "a program cannot save or load a model's state",
    "apply": "initialise each layer with nn.init in a loop over model.modules()",
    "register_forward_hook": "the default style boxes each module call in the graph already",
    "register_forward_pre_hook": "the default style boxes each module call in the graph already",
    "register_full_backward_hook": "the graph shows the gradients that flow through each module",
    "register_backward_hook": "the graph shows the gradients that flow through each module",
    "share_memory": "memory sharing is not available",
}

LIBRARY = Library(
    namespaces={"torch.nn": NN, "torch.nn.init": INIT},
    importable=frozenset({"torch.nn", "torch.nn.init"}),
    attributes=MODULE_ATTRIBUTES,
    methods=MODULE_METHODS,
    predefined={"nn": "torch.nn"},
    settable=MODULE_SETTABLE,
    class_bases={
        "torch.nn.Module": ClassBase(reserved=MODULE_RESERVED, overridable=frozenset({"forward"})),
    },
)
