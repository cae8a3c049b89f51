"""The browser tests' own fixtures (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

from tests.browser.students import tab

__all__ = ["tab"]
