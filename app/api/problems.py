"""One error shape everywhere: RFC 9457 problem+json, or an HTML page for browsers.

Every error path ends here: our VisualizerErrors, FastAPI's request
validation, Starlette's 404/405, the middleware's 413/414/415/429, the pool's
503, and the last-resort handler for faults (logged with a request id and
answered without internals). A test walks them all. An image URL asked for
by an <img> gets the problem as an SVG card (app.api.cards).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from app.api.cards import card_response, wants_card
from app.errors import VisualizerError
from app.job import JOB_FIELDS, describe_errors

log = logging.getLogger("app.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"

# code -> (title, what it means): also the text of GET /problems/{code}.
CODES: dict[str, tuple[str, str]] = {
    "syntax_error": ("Syntax error", "The program is not valid Python."),
    "not_allowed": ("Not allowed", "The program uses something outside the allowed language."),
    "runtime_error": ("Runtime error", "Running the program raised an error (often torch's)."),
    "limit_exceeded": ("Limit exceeded", "The program or request went over a resource limit."),
    "invalid_request": (
        "Invalid request",
        "The request could not be read: its JSON, an input, an option or a parameter.",
    ),
    "render_error": ("Graph not drawn", "Graphviz could not lay this graph out."),
    "not_found": ("Not found", "There is nothing at this URL."),
    "method_not_allowed": ("Method not allowed", "This URL does not accept this method."),
    "unsupported_media_type": ("Unsupported media type", "POST bodies must be JSON."),
    "rate_limited": ("Too many requests", "This client sent too many requests; slow down."),
    "unavailable": ("Service unavailable", "The service is busy or restarting; retry shortly."),
    "internal_error": ("Internal error", "Something failed on our side; it has been logged."),
}

_STATUS_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "limit_exceeded",
    414: "limit_exceeded",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "unavailable",
}


def problem_document(
    status: int, code: str, detail: str, *, title: str | None = None, **extra: Any
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title or CODES.get(code, (code, ""))[0],
        "status": status,
        "detail": detail,
        "code": code,
    }
    document.update({k: v for k, v in extra.items() if v is not None})
    return document


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.method != "GET":
        return False
    return wants(request.headers.get("accept", ""), "text/html")


def wants(accept: str, media: str) -> bool:
    """Whether an Accept header lists `media` itself with a weight above 0
    (`text/html;q=0` says "not HTML": RFC 9110 12.5.1)."""
    for item in accept.split(","):
        name, *parameters = (part.strip() for part in item.split(";"))
        if name.lower() != media:
            continue
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False


def problem_response(
    request: Request | None,
    document: dict[str, Any],
    headers: Mapping[str, str] | None = None,
) -> Response:
    request_id = getattr(request.state, "request_id", None) if request is not None else None
    if request_id and "request_id" not in document:
        document = {**document, "request_id": request_id}
    if request is not None and wants_card(request):  # an <img> of a broken program
        return card_response(request, document, headers)
    if request is not None and _wants_html(request):
        from app.api.templating import templates

        return templates.TemplateResponse(
            request,
            "error.html",
            {"problem": document},
            status_code=document["status"],
            headers=headers,
        )
    return JSONResponse(
        document, status_code=document["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


async def _visualizer_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VisualizerError)
    document = problem_document(exc.status, exc.code, exc.detail, title=exc.title)
    document.update({k: v for k, v in exc.to_dict().items() if k not in document})
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return problem_response(request, document, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    evaluate = request.url.path == "/api/v1/evaluate"  # the body a Job is read from
    parts, rest = [], []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            position = error.get("loc", ("body", "?"))[-1]
            parts.append(f"the body is not valid JSON (at character {position})")
        else:
            rest.append(error)
    if rest or not parts:
        parts.append(describe_errors(rest, JOB_FIELDS if evaluate else ()))
    detail = "; ".join(parts)
    return problem_response(request, problem_document(422, "invalid_request", detail))


# FastAPI's answer to a body it received but could not decode, for any reason
# but a JSONDecodeError (which is a RequestValidationError, above).
_BODY_NOT_DECODED = "There was an error parsing the body"


def _undecodable_body(cause: BaseException | None) -> str:
    if isinstance(cause, RecursionError):
        return "the body is not JSON that can be read: its arrays or objects nest too deeply"
    if isinstance(cause, UnicodeDecodeError):
        return f"the body is not valid JSON (not UTF-8 text, at byte {cause.start})"
    return "the body could not be read as JSON"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _BODY_NOT_DECODED:
        # A malformed body, like any other: our 422, saying what is wrong with it.
        detail = _undecodable_body(exc.__cause__)
        return problem_response(request, problem_document(422, "invalid_request", detail))
    code = _STATUS_CODES.get(exc.status_code, "invalid_request")
    if exc.status_code >= 500:
        code = "unavailable" if exc.status_code == 503 else "internal_error"
    detail = exc.detail if isinstance(exc.detail, str) else CODES[code][1]
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"There is nothing at {request.url.path}."
    if exc.status_code == 405 and detail == "Method Not Allowed":
        detail = f"{request.method} is not allowed on {request.url.path}."
    return problem_response(
        request, problem_document(exc.status_code, code, detail), headers=exc.headers
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    request_id = getattr(request.state, "request_id", "-")
    log.exception("unexpected error (request %s) on %s", request_id, request.url.path)
    detail = f"An unexpected error occurred; quote request id {request_id} when reporting it."
    return problem_response(request, problem_document(500, "internal_error", detail))


def install(app: FastAPI) -> None:
    app.add_exception_handler(VisualizerError, _visualizer_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
