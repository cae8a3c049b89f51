"""NumPy's table: `np` is importable, but only its constants are usable.

Any other np.X is refused with the torch name to use (NUMPY_HINTS).
"""

from __future__ import annotations

from app.parse.allowlist.entries import Const, Entry, Library

NUMPY: dict[str, Entry] = {"pi": Const(), "e": Const(), "inf": Const(), "nan": Const()}

# Hints for names people reach for that do not exist here.
NUMPY_HINTS: dict[str, str] = {
    "array": "torch.tensor",
    "asarray": "torch.as_tensor",
    "dot": "torch.dot or @",
    "random": "torch.rand / torch.randn",
}

LIBRARY = Library(
    namespaces={"numpy": NUMPY},
    importable=frozenset({"numpy"}),
    predefined={"np": "numpy"},
)
