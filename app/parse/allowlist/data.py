"""torch.utils.data's table: TensorDataset and DataLoader, in this process only.

Tutorials batch their data with `DataLoader(TensorDataset(X, y),
batch_size=..., shuffle=True)` and loop over it; app.evaluate.data gives
both as torch's own, iterated in the program's process. Shuffling draws from
the generator the evaluator seeds, so the batches are the same on every run.

Dangerous corners of torch.utils.data, and why each is absent:
- processes: `num_workers` other than 0, `multiprocessing_context`,
  `worker_init_fn`, `persistent_workers`, `prefetch_factor`, `pin_memory`
  (and its device);
- callbacks into user code run by torch: `collate_fn`, `sampler`,
  `batch_sampler`, `worker_init_fn`, datasets of the program's own classes
  (their `__getitem__` would be a special method, which classes may not
  define anyway), `Dataset`, `IterableDataset`;
- global state: `generator` (a generator of the program's own), `timeout`;
- files: every other dataset class (`ImageFolder` lives in torchvision,
  absent too).
"""

from __future__ import annotations

from app.parse.allowlist.entries import Entry, Library, Ns, fn

DATASET = "dataset"
LOADER = "loader"
# Positional arguments DataLoader takes here: dataset, batch_size, shuffle
# (the sampler comes next).
LOADER_POSITIONAL = 3

DATA: dict[str, Entry] = {
    "TensorDataset": fn(special=DATASET),
    "DataLoader": fn("dataset batch_size shuffle drop_last num_workers", special=LOADER),
}

DATASET_ATTRIBUTES = frozenset({"tensors"})
LOADER_ATTRIBUTES = frozenset({"dataset", "batch_size", "drop_last"})

LIBRARY = Library(
    namespaces={"torch.utils": {"data": Ns("torch.utils.data")}, "torch.utils.data": DATA},
    importable=frozenset({"torch.utils.data"}),
    attributes=DATASET_ATTRIBUTES | LOADER_ATTRIBUTES,
    extends={"torch": {"utils": Ns("torch.utils")}},
)
