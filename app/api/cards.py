"""Images that explain failures: the problem of an image URL, as an SVG card.

A course page's `<img src=".../graph.svg?source=...">` of a broken program
showed a broken-image icon: browsers do not draw a problem+json body (and
Chromium's ORB blocks it), so the teacher saw no reason. When the request
asks for an image (its Accept names `image/...`, as every browser's <img>
does) and the URL is an image URL (`/api/v1/<name>.svg` or `.png`), the
problem is answered as a small SVG card instead: the title, the line and
column, the detail, the program's line with a caret under the column. The
status is the problem's own (400, 422, ...), and so are its code and type,
in headers (`X-Problem-Code`, `X-Problem-Type`, a `Link` to the type):
browsers draw an image whatever the status. A PNG URL gets the same SVG
card (an <img> draws it just as well; making a PNG would need Graphviz or
matplotlib in the server process, which loads neither).

Callers that ask for JSON (`Accept: application/json`, or no image type:
curl's `*/*`, httpx's default) get the problem+json as before.

Every text on the card is escaped (html.escape, quotes too) and the card
has no script, link, style or external reference.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

CARD_PATHS = re.compile(r"^/api/v1/[a-z_]+\.(?:svg|png)$")
WIDTH = 560
CHARS = 72  # per line of the detail
LINES = 8  # of the detail, at most
LINE_HEIGHT = 18
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
MONO = "ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace"


def wants_card(request: Request) -> bool:
    """An image URL asked for by something that wants an image, not JSON."""
    if request.method not in ("GET", "HEAD") or not CARD_PATHS.match(request.url.path):
        return False
    accept = request.headers.get("accept", "").lower()
    json_first = _weight(accept, "application/json") or _weight(accept, "application/problem+json")
    image = max(_weight(accept, "image/svg+xml"), _weight(accept, "image/*"))
    return image > 0 and image >= json_first


def _weight(accept: str, media: str) -> float:
    for item in accept.split(","):
        name, *parameters = (part.strip() for part in item.split(";"))
        if name != media:
            continue
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip() == "q":
                try:
                    return float(value)
                except ValueError:
                    return 0.0
        return 1.0
    return 0.0


def _text(x: float, y: float, content: str, **attributes: Any) -> str:
    extra = "".join(
        f' {k.replace("_", "-")}="{html.escape(str(v))}"' for k, v in attributes.items()
    )
    return f'<text x="{x:g}" y="{y:g}"{extra}>{html.escape(content)}</text>'


def _source_line(source: str | None, line: int | None) -> str | None:
    if not source or not line:
        return None
    lines = source.replace("\r\n", "\n").split("\n")
    if not 0 < line <= len(lines):
        return None
    return lines[line - 1]


def card_svg(problem: Mapping[str, Any], source: str | None = None) -> bytes:
    """The card for a problem document (`title`, `status`, `detail`, `code`,
    `line`, `column`), with the program's offending line if `source` is given."""
    title = f"{problem.get('title', 'Error')} ({problem.get('status', '')})"
    rows: list[str] = []
    y = 34.0
    rows.append(_text(20, y, title, font_size=17, font_weight="600", fill="#c92a2a"))
    line, column = problem.get("line"), problem.get("column")
    if line:
        y += 22
        rows.append(_text(20, y, f"Line {line}, column {column}", font_size=13, fill="#5c6574"))
    code = _source_line(source, line)
    if code is not None:
        shown = code[:CHARS]
        y += 24
        rows.append(
            f'<rect x="14" y="{y - 15:g}" width="{WIDTH - 28}" height="{LINE_HEIGHT * 2 + 6}"'
            ' rx="4" fill="#fff1f1"/>'
        )
        rows.append(
            _text(22, y, shown, font_family=MONO, font_size=13, fill="#161a22").replace(
                "<text ", '<text xml:space="preserve" ', 1
            )
        )
        if column and 0 < int(column) <= len(shown) + 1:
            y += LINE_HEIGHT
            caret = " " * (int(column) - 1) + "^"
            rows.append(
                _text(22, y, caret, font_family=MONO, font_size=13, fill="#c92a2a").replace(
                    "<text ", '<text xml:space="preserve" ', 1
                )
            )
    detail = str(problem.get("detail", ""))
    wrapped = textwrap.wrap(detail, CHARS, break_long_words=True) or [""]
    if len(wrapped) > LINES:
        wrapped = [*wrapped[: LINES - 1], wrapped[LINES - 1][: CHARS - 1] + "…"]
    y += 10
    for text in wrapped:
        y += LINE_HEIGHT
        rows.append(_text(20, y, text, font_size=13, fill="#161a22"))
    y += 28
    rows.append(
        _text(
            20,
            y,
            f"autograd-viz · problem {problem.get('code', '')} · this image is the error",
            font_size=11,
            fill="#5c6574",
        )
    )
    height = y + 16
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:g}"'
        f' viewBox="0 0 {WIDTH} {height:g}" font-family="{html.escape(FONT)}"'
        ' role="img" aria-label="' + html.escape(f"{title}: {detail}") + '">'
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{height - 1:g}" rx="8"'
        ' fill="#ffffff" stroke="#c92a2a"/>'
        f'<rect x="0.5" y="0.5" width="6" height="{height - 1:g}" rx="3" fill="#c92a2a"/>'
        + "".join(rows)
        + "</svg>"
    ).encode()


def card_response(
    request: Request, document: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    """The problem `document` as a card, with its status and code in headers."""
    source = request.query_params.get("source")
    code = str(document.get("code", ""))
    problem_type = str(document.get("type", f"/problems/{code}"))
    answer_headers = {
        **(headers or {}),
        "X-Problem-Code": code,
        "X-Problem-Type": problem_type,
        "Link": f'<{problem_type}>; rel="describedby"',
        "Cache-Control": "no-cache",
        "Vary": "Accept",
    }
    if document.get("line"):
        answer_headers["X-Problem-Line"] = str(document["line"])
        answer_headers["X-Problem-Column"] = str(document.get("column") or "")
    return Response(
        card_svg(document, source),
        status_code=int(document["status"]),
        media_type="image/svg+xml",
        headers=answer_headers,
    )
