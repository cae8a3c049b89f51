"""GET /problems/{code}: what each problem `type` URI means (RFC 9457 asks
that the type be a URI a person can read): its title, one line, and what
causes it and what to do about it."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from app.api.problems import CODES

router = APIRouter(tags=["operations"])

# What causes each problem and what to do, for a person reading the `type` URL.
HELP: dict[str, str] = {
    "syntax_error": (
        "Python could not parse the program. `line` and `column` point at the place; "
        "the `detail` is Python's own message (a missing bracket or colon, an indentation "
        "that does not match)."
    ),
    "not_allowed": (
        "The program uses a name, function, method, attribute or keyword outside the "
        "allowed language (SECURITY.md lists what is allowed and why). `line` and `column` "
        "point at it; the `detail` says what it is and, for a misspelt name, what it may "
        "have meant."
    ),
    "runtime_error": (
        "The program ran and raised an error: torch's own (shapes that do not match, a "
        "second backward() without retain_graph=True) or Python's (a name with no value, "
        "a division by zero). `line` and `column` point at the statement."
    ),
    "limit_exceeded": (
        "The program or the request went over a resource limit: its length, its steps, "
        "the elements of its tensors, its time, its memory, the size of its graph. "
        "`limit` names the limit and `limit_value` its value; the README's configuration "
        "table lists them all."
    ),
    "invalid_request": (
        "The request itself could not be read, before any program ran. A JSON body is an "
        'object with `source` (text) and optionally `inputs` ({"x": 5, "w": [1, 2]}: '
        "numbers or nested lists of numbers), `output` (a variable name) and `options` "
        "(the option names and values of the OpenAPI document, such as rankdir TB or LR). "
        "In a URL each input is one parameter, a list written as JSON: `x=5&w=[1,2]` "
        "(a parameter given twice is refused). The `detail` names the field and what is "
        "wrong with it."
    ),
    "render_error": (
        "Graphviz could not lay this graph out. The numbers are still answered; try "
        "group_loops=false or the other rankdir."
    ),
    "not_found": "There is nothing at this URL: the API is under /api/v1 (see /docs).",
    "method_not_allowed": "This URL does not take this method: see /docs for each URL's methods.",
    "unsupported_media_type": (
        "POST bodies must be JSON, sent with `Content-Type: application/json`."
    ),
    "rate_limited": (
        "This client sent more requests a minute than the server allows; wait the "
        "seconds of the `Retry-After` header."
    ),
    "unavailable": (
        "Every evaluation process is busy or restarting; retry after the seconds of the "
        "`Retry-After` header."
    ),
    "internal_error": (
        "Something failed on the server's side; it has been logged. Quote the "
        "`request_id` when reporting it."
    ),
}


class ProblemType(BaseModel):
    code: str
    title: str
    description: str
    help: str = Field(description="What causes this problem and what to do about it.")


@router.get(
    "/problems/{code}",
    operation_id="problem_type",
    summary="What a problem code means",
    responses={404: {"description": "No such code."}},
)
async def problem_type(code: str) -> ProblemType:
    if code not in CODES:
        raise HTTPException(404, f"There is no problem type {code!r}.")
    title, description = CODES[code]
    return ProblemType(code=code, title=title, description=description, help=HELP[code])
