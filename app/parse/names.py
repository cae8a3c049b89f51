"""Whole-program name checks: what each name means, once every binding is known.

After the walk (app.parse.checker) has seen every binding, this module
decides for each name read whether it is a predefined name, a module alias
(`torch`, `F`, `np`, or an import's alias, when the program never rebinds
it), one of the program's own variables, a forbidden Python builtin (`eval`,
`open`, `getattr`, ...: refused), or a free name (an input). Attribute
chains on module aliases are checked exactly against the namespace tables
(`torch.load` is refused, `np.load` with the reason), and so
are the keyword arguments of calls to them.
"""

from __future__ import annotations

import ast
import builtins
import difflib

from app.parse import allowlist as A
from app.parse.checker import Checker, check_keywords, method_kwargs, require_attribute

PYTHON_BUILTINS = frozenset(dir(builtins))


def _ordered(nodes: list[ast.Name]) -> list[ast.Name]:
    return sorted(nodes, key=lambda n: (n.lineno, n.col_offset))


class Names:
    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.found = checker.found
        self.first_reads: dict[str, ast.Name] = {}

    def module_of(self, name: str) -> str | None:
        """The namespace `name` surely means everywhere in the program, if any."""
        if name in self.found.bound:
            return None
        meanings = self.found.imports.get(name)
        if meanings is None:
            return A.PREDEFINED_MODULES.get(name)
        if len(meanings) != 1:
            return None
        (meaning,) = meanings
        if meaning in A.NAMESPACES and (
            name not in A.PREDEFINED_MODULES or A.PREDEFINED_MODULES[name] == meaning
        ):
            return meaning
        return None

    def member_of(self, name: str) -> A.Entry | None:
        """The table entry `name` means when it is imported from a module."""
        if name in self.found.bound:
            return None
        meanings = self.found.imports.get(name, set())
        if len(meanings) != 1:
            return None
        (meaning,) = meanings
        if ":" not in meaning:
            return None
        module, member = meaning.split(":")
        return A.NAMESPACES[module].get(member)

    def check(self) -> list[str]:
        """Raise for the first refused name; return the free names in order."""
        self.chains()
        self.calls()
        free: list[str] = []
        for node in _ordered(self.found.loads):
            name = node.id
            self.first_reads.setdefault(name, node)
            if name in self.found.bound or name in self.found.imports:
                continue
            if name in A.PREDEFINED_NAMES:
                continue
            if name in PYTHON_BUILTINS:
                raise self.checker.refuse(node, _builtin_message(name))
            if name not in free:
                free.append(name)
        return free

    def chains(self) -> None:
        chains = sorted(self.found.chains, key=lambda c: (c[0].lineno, c[0].col_offset))
        for _outer, root, links in chains:
            path = self.module_of(root.id)
            if path is None:
                for link in links:
                    require_attribute(self.checker, link)
                continue
            rest = self.resolve(path, links)
            for link in rest:
                require_attribute(self.checker, link)

    def resolve(self, path: str, links: list[ast.Attribute]) -> list[ast.Attribute]:
        """Walk `links` through namespace tables; return the links past a member."""
        for index, link in enumerate(links):
            entry = A.NAMESPACES[path].get(link.attr)
            if entry is None:
                raise self.checker.refuse_attribute(link, _missing_message(path, link.attr))
            if isinstance(entry, A.Ns):
                path = entry.path
                continue
            return links[index + 1 :]
        return []

    def callee(self, func: ast.expr) -> tuple[A.Entry | None, str]:
        """The table entry a call's callee surely is, with its display name."""
        if isinstance(func, ast.Name):
            member = self.member_of(func.id)
            if member is not None:
                return member, func.id
            if func.id in self.found.bound or func.id in self.found.imports:
                return None, func.id
            if func.id in A.PREDEFINED_NAMES and func.id not in A.PREDEFINED_MODULES:
                return A.Fn(A.bare_kwargs(func.id)), func.id
            return None, func.id
        links: list[ast.Attribute] = []
        inner = func
        while isinstance(inner, ast.Attribute):
            links.append(inner)
            inner = inner.value
        links.reverse()
        assert isinstance(inner, ast.Name)
        path = self.module_of(inner.id)
        if path is None:
            return None, ""
        for link in links:
            entry = A.NAMESPACES[path].get(link.attr)
            if isinstance(entry, A.Ns):
                path = entry.path
                continue
            if link is links[-1]:
                return entry, f"{path}.{link.attr}"
            return None, ""
        return None, ""

    def calls(self) -> None:
        calls = sorted(self.found.calls, key=lambda c: (c.lineno, c.col_offset))
        for node in calls:
            entry, name = self.callee(node.func)
            if isinstance(entry, A.Fn):
                check_keywords(self.checker, node, entry.kwargs, f"{name}()")
            elif entry is None and isinstance(node.func, ast.Attribute) and not name:
                allowed = method_kwargs(self.checker, node.func.attr)
                if self.module_of_root(node.func) is None:
                    check_keywords(self.checker, node, allowed, f".{node.func.attr}()")

    def module_of_root(self, func: ast.Attribute) -> str | None:
        inner: ast.expr = func
        while isinstance(inner, ast.Attribute):
            inner = inner.value
        return self.module_of(inner.id) if isinstance(inner, ast.Name) else None


def _missing_message(path: str, attr: str) -> str:
    hint = A.NUMPY_HINTS.get(attr) if path.startswith("numpy") else None
    if hint is not None:
        return f"{path}.{attr} is not available here: {hint}"
    table = A.NAMESPACES[path]
    close = difflib.get_close_matches(attr, list(table), n=3)
    message = f"{path}.{attr} is not available here"
    if close:
        message += "; did you mean " + " or ".join(f"{path}.{c}" for c in close) + "?"
    return message


_BUILTIN_HINTS: dict[str, str] = {
    "type": "use x.dtype or x.shape",
    "isinstance": "use x.dtype or x.shape",
    "reversed": "use torch.flip or a slice [::-1]",
    "any": "use torch.any",
    "all": "use torch.all",
    "map": "use a list comprehension",
    "filter": "use a list comprehension with if",
    "open": "programs cannot use files",
    "input": "give values as inputs of the request",
}


def _builtin_message(name: str) -> str:
    hint = _BUILTIN_HINTS.get(name)
    available = (
        "print, range, len, float, int, bool, str, list, tuple, dict, enumerate, zip, sorted, "
    )
    available += "abs, sum, min, max, round, pow and the torch functions"
    message = f"{name!r} is not available here"
    return f"{message}; {hint}" if hint else f"{message}. Available: {available}"
