"""GET /docs: Swagger UI under a Content-Security-Policy without 'unsafe-inline'.

FastAPI's page starts Swagger UI with an inline <script>; rather than allow
inline script for this page, its exact text is allowed by hash. The page gets
`lang="en"`, static/docs.css (Swagger UI's colours to WCAG contrast, in our
palette) and static/docs.js (which unnests the controls Swagger UI nests). Swagger UI
itself is vendored (static/vendor, scripts/vendor-js), not taken from a CDN:
a classroom server without internet still shows its API (with the CDN the
page was blank there).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from app.api.templating import STATIC_URL

router = APIRouter(include_in_schema=False)

SWAGGER_UI = f"{STATIC_URL}/vendor/swagger-ui-5.35.0"
_INLINE = re.compile(rb"<script>(.*?)</script>", re.S)


@lru_cache(maxsize=1)
def _page() -> tuple[bytes, str]:
    html = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="autograd-viz API",
        swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{STATIC_URL}/favicon.svg",
    ).body
    # Our additions (docs.css: contrast; docs.js: controls inside controls;
    # the page's language), found by axe-core (tests/browser/test_accessibility.py).
    html = (
        bytes(html)
        .replace(b"<html>", b'<html lang="en">', 1)
        .replace(
            b"</head>",
            f'<link rel="stylesheet" href="{STATIC_URL}/docs.css">\n'
            f'<script src="{STATIC_URL}/docs.js" defer></script>\n</head>'.encode(),
            1,
        )
    )
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE.findall(bytes(html))
    )
    csp = (
        f"default-src 'self'; script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    return bytes(html), csp


@router.get("/docs")
async def docs() -> HTMLResponse:
    html, csp = _page()
    return HTMLResponse(html, headers={"Content-Security-Policy": csp})
