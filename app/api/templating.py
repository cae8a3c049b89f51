"""The Jinja2 environment of the pages (templates/ at the repository root).

Autoescaping is on for every template: user text (programs, messages,
values) reaches the pages only escaped.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.autoescape = True
