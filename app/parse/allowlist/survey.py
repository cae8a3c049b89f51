"""The survey of torch: every public callable, allowed with its bound or excluded.

    python -m app.parse.allowlist.survey            # print the coverage figure
    python -m app.parse.allowlist.survey --write    # regenerate torch_surface.py, and
                                                    # the figures in README and docs

Walks torch, torch.Tensor, torch.nn.functional, torch.linalg,
torch.special, torch.fft, torch.func, torch.autograd and
torch.autograd.functional; each public name that is callable (functions,
methods, and classes) is excluded with the reason
app.parse.allowlist.torch_exclusions gives it, or allowed with what
app.parse.allowlist.torch_policy and torch itself say: its bound (reviewed
by hand, else from the tags torch puts on its ATen operator), its keywords
(from ATen's schemas or Python's signature, less the dangerous ones) and
whether it draws from the generator. The result is written, sorted, into
app/parse/allowlist/torch_surface.py: one line per callable, reviewable
in a diff; tests/parse/test_torch_surface.py fails when the installed
torch differs from what the file says (a new public callable in neither
list, or another decision).

The language never imports this module: only the tests and the command
above do. It reads torch's internals (ATen schemas, operator tags), which
is why it is not run at import.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.autograd.functional
import torch.fft
import torch.func
import torch.linalg
import torch.nn.functional
import torch.return_types
import torch.special

from app.parse.allowlist import torch_exclusions as X
from app.parse.allowlist import torch_policy as P
from app.parse.allowlist.entries import BROADCAST, META, SHRINK

SPACES: dict[str, Any] = {
    "torch": torch,
    "torch.Tensor": torch.Tensor,
    "torch.nn.functional": torch.nn.functional,
    "torch.linalg": torch.linalg,
    "torch.special": torch.special,
    "torch.fft": torch.fft,
    "torch.func": torch.func,
    "torch.autograd": torch.autograd,
    "torch.autograd.functional": torch.autograd.functional,
}
# The prefix of a namespace's operators in ATen (torch.linalg.inv is aten::linalg_inv).
_ATEN_PREFIX = {"torch.linalg": "linalg_", "torch.special": "special_", "torch.fft": "fft_"}
_NO_ATEN = frozenset({"torch.func", "torch.autograd", "torch.autograd.functional"})

TARGET = Path(__file__).with_name("torch_surface.py")
ROOT = Path(__file__).resolve().parents[3]
# Documents that print the figures, between these markers (written by --write).
DOCUMENTS = (ROOT / "README.md", ROOT / "docs" / "language.md")
BEGIN, END = (
    "<!-- survey: written by python -m app.parse.allowlist.survey --write -->",
    "<!-- /survey -->",
)


@dataclass(frozen=True)
class Allowed:
    bound: str
    keywords: tuple[str, ...]
    flags: tuple[str, ...]  # "random", "special:<name>"


def public_callables(path: str) -> Iterator[tuple[str, Any]]:
    """(name, object) of every public callable of a namespace, sorted by name."""
    space = SPACES[path]
    for name in sorted(dir(space)):
        if name.startswith("_"):
            continue
        try:
            value = getattr(space, name)
        except Exception:  # a lazily loaded attribute that fails: not callable here
            continue
        if inspect.ismodule(value) or not callable(value):
            continue
        yield name, value


def _packet(path: str, name: str) -> Any:
    if path in _NO_ATEN:
        return None
    return getattr(torch.ops.aten, _ATEN_PREFIX.get(path, "") + name, None)


def _schemas(packet: Any) -> list[Any]:
    """The overloads a Python call can reach: tensor results, nothing written but self."""
    out = []
    for overload in packet.overloads():
        schema = getattr(packet, overload)._schema
        if not any("Tensor" in str(r.type) for r in schema.returns):
            continue  # TorchScript's overloads of Python numbers (aten::add.int)
        written = [
            a.name
            for a in schema.arguments
            if a.alias_info is not None and a.alias_info.is_write and a.name != "self"
        ]
        if written:
            continue  # out= variants
        out.append(schema)
    return out


def _tags(packet: Any) -> set[str]:
    tags: set[str] = set()
    if packet is None:
        return tags
    for overload in packet.overloads():
        op = getattr(packet, overload)
        schema = op._schema
        if any(a.alias_info is not None and a.alias_info.is_write and a.name != "self"
               for a in schema.arguments):  # fmt: skip
            continue
        tags |= {str(t).rpartition(".")[2] for t in op.tags}
    return tags


def _keywords(path: str, name: str, value: Any, packet: Any) -> tuple[str, ...]:
    dotted = f"{path}.{name}"
    if dotted in P.KEYWORDS:
        return tuple(sorted(P.KEYWORDS[dotted].split()))
    method = path == "torch.Tensor"
    names: set[str] = set()
    factory = False
    if isinstance(value, types.FunctionType | types.MethodType) or inspect.isclass(value):
        try:
            signature = inspect.signature(value)
        except (TypeError, ValueError):
            signature = None
        if signature is not None:
            for parameter in signature.parameters.values():
                if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                    continue
                names.add(parameter.name)
            if method:
                names.discard("self")
    elif packet is not None:
        for schema in _schemas(packet):
            for argument in schema.arguments:
                if argument.name == "self":
                    if not method:
                        names.add("input")
                    continue
                names.add(argument.name)
                factory = factory or argument.name == "pin_memory"
    if factory:
        names.add("requires_grad")  # Python's factories take it besides the schema's
    keep = {n for n in names if not n.startswith("_") and n not in P.DANGEROUS_KEYWORDS}
    if P.DEVICE_KEYWORD in names:
        keep.add(P.DEVICE_KEYWORD)  # checked at run time: the cpu device only
    return tuple(sorted(keep))


def _bound(path: str, name: str, tags: set[str]) -> str:
    dotted = f"{path}.{name}"
    if dotted in P.PATH_BOUNDS:
        return P.PATH_BOUNDS[dotted]
    if name in P.BOUNDS:
        return P.BOUNDS[name]
    if name.endswith("_") and name[:-1] in P.BOUNDS and "inplace" in tags:
        return P.BOUNDS[name[:-1]] if P.BOUNDS[name[:-1]] in (SHRINK, BROADCAST) else META
    if "pointwise" in tags:
        return BROADCAST
    if "reduction" in tags:
        return SHRINK
    return META


def classify(path: str, name: str, value: Any) -> Allowed | str:
    """What the survey decides for `path.name`: an Allowed, or the reason it is not."""
    dotted = f"{path}.{name}"
    special = P.SPECIALS.get(dotted)
    if special is None:
        why = X.reason(path, name, inspect.isclass(value))
        if why is not None:
            return why
    packet = _packet(path, name)
    tags = _tags(packet)
    if "dynamic_output_shape" in tags and name not in P.BOUNDS and special is None:
        return "values: the result's size depends on the values"
    flags: list[str] = []
    if "nondeterministic_seeded" in tags or dotted in P.RANDOM:
        flags.append("random")
    if special is not None:
        flags.append(f"special:{special}")
    keywords = _keywords(path, name, value, packet)
    return Allowed(_bound(path, name, tags), keywords, tuple(flags))


def survey() -> dict[str, dict[str, Allowed | str]]:
    return {
        path: {name: classify(path, name, value) for name, value in public_callables(path)}
        for path in SPACES
    }


def coverage(
    table: dict[str, dict[str, Allowed | str]] | dict[str, dict[str, Any]],
) -> tuple[int, int]:
    """(allowed, pure): pure callables are the allowed ones and those excluded
    for a reason that is not a side effect or another kind of thing
    (torch_exclusions.SIDE_EFFECTS)."""
    allowed = pure = 0
    for entries in table.values():
        for decision in entries.values():
            if isinstance(decision, str):
                if X.category(decision) not in X.SIDE_EFFECTS:
                    pure += 1
            else:
                allowed += 1
                pure += 1
    return allowed, pure


def return_fields() -> list[str]:
    """The field names of torch.return_types (torch.max(x, 0).values, svd's U, ...)."""
    fields: set[str] = set()
    for name in dir(torch.return_types):
        kind = getattr(torch.return_types, name)
        if inspect.isclass(kind) and hasattr(kind, "n_fields"):
            fields.update(getattr(kind, "__match_args__", ()))
    return sorted(f for f in fields if not f.startswith("_"))


def _q(text: str) -> str:
    """A string literal in double quotes (ruff's style)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(table: dict[str, dict[str, Allowed | str]]) -> str:
    lines = [
        '"""torch\'s surface, as surveyed by app.parse.allowlist.survey: do not edit.',
        "",
        f"Generated from torch {torch.__version__} by",
        "`python -m app.parse.allowlist.survey --write`; the decisions are",
        "app/parse/allowlist/torch_policy.py's and torch_exclusions.py's.",
        "ALLOWED maps each namespace's allowed callables to (bound, keywords, flags);",
        "EXCLUDED maps the others to the reason they are not allowed; RETURN_FIELDS",
        "are the fields of torch.return_types (torch.max(x, 0).values).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f"TORCH_VERSION = {_q(str(torch.__version__))}",
        "",
        "ALLOWED: dict[str, dict[str, tuple[str, str, str]]] = {",
    ]
    for path, entries in table.items():
        lines.append(f"    {_q(path)}: {{")
        for name, decision in entries.items():
            if isinstance(decision, Allowed):
                row = (decision.bound, " ".join(decision.keywords), " ".join(decision.flags))
                lines.append(f"        {_q(name)}: ({', '.join(_q(part) for part in row)}),")
        lines.append("    },")
    lines += ["}", "", "EXCLUDED: dict[str, dict[str, str]] = {"]
    for path, entries in table.items():
        lines.append(f"    {_q(path)}: {{")
        for name, decision in entries.items():
            if isinstance(decision, str):
                lines.append(f"        {_q(name)}: {_q(decision)},")
        lines.append("    },")
    lines += ["}", "", "RETURN_FIELDS = ("]
    lines += [f"    {_q(field)}," for field in return_fields()]
    lines += [")", ""]
    return "\n".join(lines)


def figures(table: dict[str, dict[str, Allowed | str]]) -> str:
    """The coverage figure and a table by namespace, as the documents print them."""
    allowed, pure = coverage(table)
    lines = [
        f"**{allowed:,} of the {pure:,} pure public callables** of torch {torch.__version__} "
        f"are allowed (**{100 * allowed / pure:.1f} %**); the other "
        f"{sum(len(e) for e in table.values()) - pure:,} public callables have side effects or "
        "are not dense CPU math (files, processes, devices, global state, memory, sparse and "
        "quantized tensors, compilers, types).",
        "",
        "| Namespace | Allowed | Excluded: side effects, other kinds | Excluded: pure |",
        "|---|---:|---:|---:|",
    ]
    for path, entries in table.items():
        reasons = [d for d in entries.values() if isinstance(d, str)]
        side = sum(X.category(r) in X.SIDE_EFFECTS for r in reasons)
        lines.append(
            f"| `{path}` | {len(entries) - len(reasons)} | {side} | {len(reasons) - side} |"
        )
    return "\n".join(lines)


def with_figures(text: str, block: str) -> str:
    """A document's text with the block between the markers replaced."""
    start = text.index(BEGIN) + len(BEGIN)
    end = text.index(END, start)
    return f"{text[:start]}\n{block}\n{text[end:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="regenerate torch_surface.py")
    options = parser.parse_args(argv)
    table = survey()
    if options.write:
        TARGET.write_text(render(table), encoding="utf-8")
        block = figures(table)
        for document in DOCUMENTS:
            text = document.read_text(encoding="utf-8")
            document.write_text(with_figures(text, block), encoding="utf-8")
    allowed, pure = coverage(table)
    print(f"{allowed} of {pure} pure callables allowed ({100 * allowed / pure:.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
