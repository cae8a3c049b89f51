"""Variable scopes: the program's globals, each call's locals, closures.

Lookup goes from the innermost scope outwards, then to the predefined
names (torch, F, sin, print, ...), as Python goes from locals to builtins.
A function's `local_names` (computed by the checker) make a read of a local
before its assignment an UnboundLocalError, as in Python, instead of
silently reading a global of the same name.
"""

from __future__ import annotations

from typing import Any

from app.evaluate.values import MISSING


class Scope:
    __slots__ = ("vars", "parent", "local_names")

    def __init__(
        self,
        variables: dict[str, Any],
        parent: Scope | None = None,
        local_names: frozenset[str] = frozenset(),
    ) -> None:
        self.vars = variables
        self.parent = parent
        self.local_names = local_names

    def visible(self, predefined: dict[str, Any]) -> list[str]:
        """Every name a lookup here could find (for `did you mean`)."""
        names: list[str] = list(predefined)
        scope: Scope | None = self
        while scope is not None:
            names.extend(scope.vars)
            scope = scope.parent
        return names

    def lookup(self, name: str, predefined: dict[str, Any]) -> Any:
        """The value of `name`; raise NameError / UnboundLocalError as Python would."""
        scope: Scope | None = self
        while scope is not None:
            value = scope.vars.get(name, MISSING)
            if value is not MISSING:
                return value
            if name in scope.local_names:
                raise UnboundLocalError(
                    f"cannot access local variable {name!r} where it is not associated with a value"
                )
            scope = scope.parent
        value = predefined.get(name, MISSING)
        if value is MISSING:
            raise NameError(f"name {name!r} is not defined")
        return value
