"""The HTML pages: `/` (the editor, graph and lessons) and `/embed` (for iframes).

Both are rendered on the server with the evaluation already done, so a page
is never blank and works as a plain form without JavaScript; static/app.js
then upgrades it (live editor, hover, backward stepper, share buttons).
They are rendered from the worker's bounded summary of the answer (the
"page" kind, app.pipeline.PAGE_BYTES), in the service's page thread
(Service.off_loop), never in the event loop: a page costs the server
process work that grows with that summary at most, not with the program.
Share links are built from AUTOGRAD_VIZ_PUBLIC_URL, or are relative: never
from the request's Host header, which the client writes.
The page state lives in the query string, with the grammar of graph.* (see
app.query): a permalink, an <img> URL and an <iframe> URL differ only in
their path.

Without JavaScript the form submits its fields as they are (`_form=1`,
checkboxes, the `_inputs` text `x=5, w=[1, 2]`); `/` turns that into the
canonical query and redirects to it, so the URL a person ends on is the same
permalink the script would have written. Names starting with `_` can never
be inputs (inputs are identifiers starting with a letter).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import __version__
from app.api.examples import load_examples
from app.api.templating import templates
from app.errors import InvalidRequest, VisualizerError
from app.job import IDENTIFIER, OPTION_NAMES, Job, RenderOptions
from app.middleware import FRAMED_ANYWHERE
from app.query import job_from_query, query_from_job

router = APIRouter(include_in_schema=False)

# The notebook's first graph: `y = 3*torch.sin(x) + x+3` and its make_dot.
DEFAULT_LESSON = "sin-graph"
THEME_COOKIE = "avz_theme"

# Stricter than the middleware's page policy: no inline script and no inline
# style either. The one exception is CodeMirror's own stylesheet, a <style>
# element it creates at run time: it carries this response's nonce (handed
# to the script in #initial-state, which is data, not script). The graph SVG
# is inlined, so it must carry presentation attributes, not style.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'{nonce}; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)


def content_security_policy(ancestors: str, style_nonce: str | None = None) -> str:
    nonce = f" 'nonce-{style_nonce}'" if style_nonce else ""
    return _CSP.format(nonce=nonce, ancestors=ancestors)


# Labels of the option controls, in the order the page shows them.
TOGGLES: list[tuple[str, str]] = [
    ("show_values", "Values on nodes"),
    ("show_grads", "Gradients on nodes"),
    ("show_edge_grads", "Gradients on edges"),
    ("group_loops", "Group loop iterations"),
    ("group_modules", "Group module calls"),
    ("show_attrs", "Op attributes"),
    ("show_saved", "Saved tensors"),
]
CHOICES: dict[str, list[tuple[str, str]]] = {
    "rankdir": [("TB", "Top → bottom"), ("LR", "Left → right")],
    "style": [("default", "autograd-viz"), ("torchviz", "torchviz")],
    "loops": [("auto", "Long ones collapsed"), ("collapsed", "Collapsed"), ("expanded", "Whole")],
}
CHOICE_LABELS = {"rankdir": "Direction", "style": "Style", "loops": "Loops"}


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    params = request.query_params.multi_items()
    if any(name == "_form" for name, _ in params):
        try:
            pairs = form_to_query(params)
        except InvalidRequest as exc:
            return await _render(request, "index.html", _lenient_pairs(params), exc, "'none'")
        return RedirectResponse("/?" + urlencode(pairs), status_code=303)
    if not any(name == "source" for name, _ in params):
        params = _default_pairs(params)
    return await _render(request, "index.html", _with_theme(request, params), None, "'none'")


@router.get("/embed", response_class=HTMLResponse)
async def embed(request: Request) -> Response:
    params = request.query_params.multi_items()
    if not any(name == "source" for name, _ in params):
        error = InvalidRequest("the query parameter 'source' (the program) is required")
        return _error_page(request, error, FRAMED_ANYWHERE)
    return await _render(request, "embed.html", params, None, FRAMED_ANYWHERE)


async def _render(
    request: Request,
    template: str,
    params: list[tuple[str, str]],
    error: VisualizerError | None,
    ancestors: str,
) -> Response:
    job: Job | None = None
    result: dict[str, Any] | None = None
    service = request.app.state.service
    if error is None:
        try:
            job = job_from_query(params, fmt="svg")
            result = await service.page(job)
        except VisualizerError as exc:
            error = exc
    response: Response = await service.off_loop(
        _page, request, template, params, job, result, error, ancestors
    )
    return response


def _page(
    request: Request,
    template: str,
    params: list[tuple[str, str]],
    job: Job | None,
    result: dict[str, Any] | None,
    error: VisualizerError | None,
    ancestors: str,
) -> Response:
    """The page's response, rendered (in the page thread: see the module docstring)."""
    state = _state(job, params)
    query = _query(job, params)
    nonce = secrets.token_urlsafe(18) if template == "index.html" else None
    base = (request.app.state.service.settings.public_url or "").rstrip("/")
    context = {
        "state": state,
        "result": result,
        "svg": inline_svg(result.get("svg")) if result else None,
        "error": error.to_dict() if error else None,
        "inputs_text": format_inputs(state["inputs"]),
        "value_text": format_value(result) if result else "",
        "gradients": _gradient_rows(result),
        "parameters": _parameter_rows(result),
        "links": share_links(base, query),
        "figures": figure_links(result, query, state["options"]["theme"]),
        "lessons": lesson_cards(),
        "page_theme": state["options"]["theme"] if "theme" in dict(params) else None,
        "toggles": TOGGLES,
        "choices": CHOICES,
        "choice_labels": CHOICE_LABELS,
        "version": __version__,
        "initial": {
            "state": state,
            "defaults": RenderOptions().model_dump(),
            "theme_from_url": any(name == "theme" for name, _ in request.query_params.items()),
            "result": _without_svg(result),
            "error": error.to_dict() if error else None,
            "style_nonce": nonce,
            # A longer query is a 414: the script does not offer such a link.
            "max_query_chars": request.app.state.service.settings.max_query_chars,
        },
    }
    response = templates.TemplateResponse(request, template, context)
    response.headers["Content-Security-Policy"] = content_security_policy(ancestors, nonce)
    response.headers["Cache-Control"] = "no-store" if nonce else "no-cache"
    return response


def lesson_cards() -> list[dict[str, str]]:
    """The gallery: each lesson as a link that opens it (works without JavaScript)."""
    cards = []
    for lesson in load_examples().examples:
        pairs = [("source", lesson.source)]
        if lesson.output:
            pairs.append(("output", lesson.output))
        pairs += [(k, json.dumps(v)) for k, v in lesson.inputs.items()]
        lines = [
            line
            for line in lesson.source.splitlines()
            if line.strip() and not line.startswith(("import ", "from "))
        ]
        cards.append(
            {
                "id": lesson.id,
                "title": lesson.title,
                "href": "/?" + urlencode(pairs),
                "preview": "\n".join(lines[:3]),
            }
        )
    return cards


def _error_page(request: Request, error: VisualizerError, ancestors: str) -> Response:
    problem = {"type": f"/problems/{error.code}", **error.to_dict()}
    problem["request_id"] = getattr(request.state, "request_id", None)
    response = templates.TemplateResponse(
        request, "error.html", {"problem": problem}, status_code=error.status
    )
    response.headers["Content-Security-Policy"] = content_security_policy(ancestors)
    return response


def _default_pairs(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The default lesson, with any options the query gives."""
    lesson = next(e for e in load_examples().examples if e.id == DEFAULT_LESSON)
    pairs = [("source", lesson.source)]
    if lesson.output:
        pairs.append(("output", lesson.output))
    pairs += [(k, json.dumps(v)) for k, v in lesson.inputs.items()]
    given = {name for name, _ in pairs}
    return pairs + [(k, v) for k, v in params if k not in given]


def _with_theme(request: Request, params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The theme a returning visitor chose (a cookie the script sets), unless the URL says."""
    cookie = request.cookies.get(THEME_COOKIE)
    if cookie in ("light", "dark") and not any(name == "theme" for name, _ in params):
        return [*params, ("theme", cookie)]
    return params


def _lenient_pairs(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What can be shown of a form that did not parse: its program, at least."""
    return [(k, v) for k, v in params if k in ("source", "output")]


def form_to_query(params: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The fields of the plain form as the canonical query (defaults left out)."""
    form = dict(params)
    pairs = [("source", form.get("source", ""))]
    output = form.get("output", "").strip()
    if output:
        pairs.append(("output", output))
    for name, field in RenderOptions.model_fields.items():
        if field.annotation is bool:
            # An unticked checkbox is simply absent from the form.
            ticked = name in form
            if ticked != field.default:
                pairs.append((name, "true" if ticked else "false"))
        elif form.get(name) not in (None, "", field.default):
            pairs.append((name, form[name]))
    return pairs + parse_inputs_text(form.get("_inputs", ""))


def parse_inputs_text(text: str) -> list[tuple[str, str]]:
    """`x=5, w=[1, 2]` as `[("x", "5"), ("w", "[1, 2]")]`: commas inside brackets stay."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    pairs = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not _is_identifier(name) or name in OPTION_NAMES | {"source", "output"}:
            raise InvalidRequest(f"inputs: write each as name=value (x=5, w=[1, 2]), not {part!r}")
        pairs.append((name, value.strip()))
    return pairs


def _is_identifier(name: str) -> bool:
    return re.fullmatch(IDENTIFIER, name) is not None


def _state(job: Job | None, params: list[tuple[str, str]]) -> dict[str, Any]:
    """Source, inputs, output and options as the page shows them."""
    if job is not None:
        return {
            "source": job.source,
            "inputs": as_given(job.inputs, params),
            "output": job.output,
            "options": job.options.model_dump(),
        }
    given = dict(params)
    options = RenderOptions().model_dump()
    return {"source": given.get("source", ""), "inputs": {}, "output": None, "options": options}


def _query(job: Job | None, params: list[tuple[str, str]]) -> str:
    """The query of the shared links: without the theme (a visitor's own
    choice: a dark page must not hand out dark embeds), inputs in the order
    the URL gave them (the Job keeps them sorted, for its key)."""
    if job is None:
        return urlencode(_lenient_pairs(params))
    position = {name: k for k, name in enumerate(as_given(job.inputs, params))}
    pairs = [(k, v) for k, v in query_from_job(job) if k != "theme"]
    pairs.sort(key=lambda pair: position.get(pair[0], -1))  # stable: the rest stays first
    return urlencode(pairs)


def as_given(inputs: dict[str, Any], params: list[tuple[str, str]]) -> dict[str, Any]:
    """The inputs in the order the query named them."""
    order = {name: k for k, (name, _) in enumerate(params)}
    return dict(sorted(inputs.items(), key=lambda item: order.get(item[0], len(order))))


def share_links(base: str, query: str) -> dict[str, str]:
    return {
        "permalink": f"{base}/?{query}",
        "embed": f"{base}/embed?{query}",
        "svg": f"{base}/api/v1/graph.svg?{query}",
        "png": f"{base}/api/v1/graph.png?{query}",
    }


def figure_links(
    result: dict[str, Any] | None, query: str, theme: str = "light"
) -> list[dict[str, Any]]:
    """The answer's figures as the page shows them without its script: each an
    image of its own URL (relative: the page's own server draws it), in the
    page's theme. A figure matplotlib cannot draw is the image card of its
    problem (app.api.cards), as every image URL's."""
    figures = (result or {}).get("figures") or []
    if theme != "light":
        query = f"{query}&theme={theme}"
    return [
        {
            "title": figure["title"],
            "svg": f"/api/v1/figure.svg?{query}&n={n}",
            "png": f"/api/v1/figure.png?{query}&n={n}",
        }
        for n, figure in enumerate(figures)
    ]


def inline_svg(svg: str | None) -> str | None:
    """The answer's SVG for this page: its root group's id `graph` would clash
    with the page's own #graph (the element that holds it), so it goes."""
    if not svg:
        return svg
    return svg.replace('<g id="graph" class="graph"', '<g class="graph"', 1)


def _without_svg(result: dict[str, Any] | None) -> dict[str, Any] | None:
    # The SVG is in the page already; the script reads it from the DOM and
    # needs to know only whether there is one. The figures are images of
    # their URLs (the page's answer draws none): their titles are enough.
    if result is None:
        return None
    figures = [{"title": f["title"], "svg": None} for f in result.get("figures") or []]
    kept = {k: v for k, v in result.items() if k not in ("svg", "figures")}
    return {**kept, "drawn": bool(result.get("svg")), "figures": figures}


def _gradient_rows(result: dict[str, Any] | None) -> list[dict[str, str]]:
    if not result:
        return []
    rows = []
    for name, grad in result.get("gradients", {}).items():
        if grad is None:
            rows.append({"name": name, "shape": "", "grad": "None", "kept": "", "note": ""})
        else:
            rows.append(
                {
                    "name": name,
                    "shape": format_shape(grad.get("shape")),
                    "grad": format_value(grad),
                    "kept": grad.get("kept") or "",
                    "note": kept_note(name, grad),
                }
            )
    return rows


def _parameter_rows(result: dict[str, Any] | None) -> list[dict[str, str]]:
    """The Parameters table as static/js/parameters.js writes it."""
    rows = []
    for row in (result or {}).get("parameters", []):
        norm = row.get("grad_norm")
        rows.append(
            {
                "name": row["name"],
                "shape": format_shape(row["shape"]),
                "norm": "None" if norm is None else format_number(norm),
            }
        )
    return rows


def kept_note(name: str, grad: dict[str, Any]) -> str:
    """Where the program finds this gradient, in a student's words: the same
    words as static/js/format.js keptNote (app.evaluate.kept says which)."""
    kept = grad.get("kept")
    variable = name.split(" ")[0]  # "x (line 1)" is x's
    if grad.get("rebound"):
        line = grad.get("rebound_line")
        now = f"line {line}'s result" if line else "another value"
        if kept in ("leaf", "retain_grad"):
            return f"kept in this tensor's .grad, but {variable} now names {now}"
        return f"not kept by torch, and {variable} now names {now}"
    if kept == "leaf":
        return f"kept in {variable}.grad"
    if kept == "retain_grad":
        return f"kept in {variable}.grad (retain_grad)"
    if kept == "visualizer":
        return f"not kept: {variable}.grad is None ({variable}.retain_grad() keeps it)"
    return ""


# Number formatting, the same as static/format.js: at least 6 significant
# digits, no trailing zeros, exponent form outside [1e-4, 1e6).


def format_number(x: Any) -> str:
    if isinstance(x, str):
        return {"inf": "∞", "-inf": "−∞", "nan": "NaN"}.get(x, x)
    if isinstance(x, bool):
        return "True" if x else "False"
    if not isinstance(x, int | float):
        return json.dumps(x)
    if isinstance(x, int) or (x.is_integer() and abs(x) < 1e15):
        return str(int(x))
    if abs(x) < 1e-4 or abs(x) >= 1e6:
        mantissa, exponent = f"{x:.5e}".split("e")
        return f"{_strip(mantissa)}e{int(exponent)}"
    text = f"{x:.6g}"
    if "e" in text:  # rounding reached 1e6
        mantissa, exponent = text.split("e")
        return f"{_strip(mantissa)}e{int(exponent)}"
    return text


def _strip(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_array(value: Any, indent: int = 1) -> str:
    if not isinstance(value, list):
        return format_number(value)
    if value and isinstance(value[0], list):
        rows = [format_array(v, indent + 1) for v in value]
        return "[" + (",\n" + " " * indent).join(rows) + "]"
    return "[" + ", ".join(format_number(v) for v in value) + "]"


def format_shape(shape: list[int] | None) -> str:
    if shape is None:
        return ""
    return "scalar" if not shape else " × ".join(str(n) for n in shape)


def format_value(doc: dict[str, Any]) -> str:
    """A value document (`value`, `shape`, `truncated`, ...) as the page prints it."""
    value = doc.get("value")
    if value is None:
        return "None"
    if doc.get("shape") is None and isinstance(value, str):
        return repr(value)
    text = format_array(value)
    # A tensor's or an array's summary is its first elements; a plain value
    # (shape None) says "..." where it is cut, inside its own brackets.
    if doc.get("truncated") and doc.get("shape") is not None:
        summary = ", ".join(
            f"{k} {format_number(doc[k])}" for k in ("min", "max", "mean") if k in doc
        )
        text = text[:-1] + ", …]" + (f"\n{summary}" if summary else "")
    return text


def format_inputs(inputs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in inputs.items())
