"""torch.nn's table: nn.Module as the base of a program's own classes.

Dangerous corners of torch.nn, and why each is absent:
- nn.Module's reflection and internals: `_modules`, `_parameters`,
  `_buffers`, `__dict__`, `__class__` (every name starting with `_` is
  refused on sight); a program's class may not define or assign any of
  nn.Module's own names (MODULE_RESERVED) but `forward`: a `parameters`
  method or `self.training = ...` would change what torch itself calls.
"""

from __future__ import annotations

from app.parse.allowlist.entries import ClassBase, Const, Entry, Library, Ns

NN: dict[str, Entry] = {
    "functional": Ns("torch.nn.functional"),
    "Module": Const(),  # only as the base of a program's class
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

LIBRARY = Library(
    namespaces={"torch.nn": NN},
    importable=frozenset({"torch.nn"}),
    predefined={"nn": "torch.nn"},
    class_bases={
        "torch.nn.Module": ClassBase(reserved=MODULE_RESERVED, overridable=frozenset({"forward"})),
    },
)
