"""torch.optim's table: optimizers and learning-rate schedulers.

Optimizers and schedulers are real torch objects (app.evaluate.optim): made
by calling their class with the program's parameters, stepped as torch steps
them. `optimizer.step(closure)` calls the program's function back under its
limits (app.evaluate.callbacks). The optimizer's state (Adam's moments,
SGD's momentum buffers) is counted toward the element limits when a step
makes it.

Dangerous corners of torch.optim, and why each is absent:
- files and pickle: `state_dict`, `load_state_dict` (of optimizers and
  schedulers);
- callbacks into user code run by torch: `register_step_pre_hook`,
  `register_step_post_hook`, `register_*state_dict*_hook`, the global
  optimizer hooks of torch.optim.optimizer, LambdaLR and MultiplicativeLR
  (a function of the epoch), LBFGS (calls the closure up to max_iter times
  per step);
- modes that change how torch computes or needs devices: the `foreach`,
  `fused`, `capturable` and `differentiable` keywords (and the positional
  arguments that reach them: OPTIMIZER_POSITIONAL), `defaults` (the
  `differentiable` flag every step reads);
- internals: `state` (a dict keyed by the parameters themselves),
  `add_param_group`, `profile_hook_step`, schedulers' `get_lr` (warns and
  recomputes) and `step(epoch)` (deprecated).
"""

from __future__ import annotations

from app.parse.allowlist.entries import Entry, Fn, Library, Ns, fn

OPTIMIZER = "optimizer"
SCHEDULER = "scheduler"

OPTIMIZERS: dict[str, Fn] = {
    "SGD": fn("params lr momentum dampening weight_decay nesterov maximize", special=OPTIMIZER),
    "Adam": fn("params lr betas eps weight_decay amsgrad maximize", special=OPTIMIZER),
    "AdamW": fn("params lr betas eps weight_decay amsgrad maximize", special=OPTIMIZER),
    "RMSprop": fn("params lr alpha eps weight_decay momentum centered maximize", special=OPTIMIZER),
    "Adagrad": fn(
        "params lr lr_decay weight_decay initial_accumulator_value eps maximize",
        special=OPTIMIZER,
    ),
}
# Positional arguments each takes at most: past them come foreach, capturable, ...
OPTIMIZER_POSITIONAL: dict[str, int] = {
    "SGD": 6,
    "Adam": 6,
    "AdamW": 6,
    "RMSprop": 7,
    "Adagrad": 6,
}

OPTIM: dict[str, Entry] = {**OPTIMIZERS, "lr_scheduler": Ns("torch.optim.lr_scheduler")}

LR_SCHEDULER: dict[str, Entry] = {
    "StepLR": fn("optimizer step_size gamma last_epoch", special=SCHEDULER),
    "ExponentialLR": fn("optimizer gamma last_epoch", special=SCHEDULER),
    "CosineAnnealingLR": fn("optimizer T_max eta_min last_epoch", special=SCHEDULER),
}

OPTIMIZER_ATTRIBUTES = frozenset({"param_groups"})
OPTIMIZER_METHODS: dict[str, frozenset[str] | None] = {
    "step": frozenset({"closure"}),
    "zero_grad": frozenset({"set_to_none"}),
}
SCHEDULER_ATTRIBUTES = frozenset({"last_epoch", "base_lrs"})
SCHEDULER_METHODS: dict[str, frozenset[str] | None] = {
    "step": frozenset(),
    "get_last_lr": frozenset(),
}

OPTIM_HINTS: dict[str, str] = {
    "state": "an optimizer's state is not available; print its param_groups",
    "add_param_group": "give every group when the optimizer is made: SGD([{'params': ...}, ...])",
    "get_lr": "use get_last_lr()",
}

LIBRARY = Library(
    namespaces={"torch.optim": OPTIM, "torch.optim.lr_scheduler": LR_SCHEDULER},
    importable=frozenset({"torch.optim", "torch.optim.lr_scheduler"}),
    attributes=OPTIMIZER_ATTRIBUTES | SCHEDULER_ATTRIBUTES,
    methods={**SCHEDULER_METHODS, **OPTIMIZER_METHODS},  # step(closure=) on either
    extends={"torch": {"optim": Ns("torch.optim")}},
)
