"""The Jinja2 environment of the pages (templates/ at the repository root).

Autoescaping is on for every template: user text (programs, messages,
values) reaches the pages only escaped. `static` is the versioned prefix
of the static files (app.api.assets).
"""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from app.api.assets import static_version

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"
# Where the pages find the static files: a versioned prefix, cached for a
# year (app.api.assets); every template has it as `static`.
STATIC_URL = f"/static/{static_version(STATIC_DIR)}"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.autoescape = True
templates.env.globals["static"] = STATIC_URL
