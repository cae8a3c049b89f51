"""Service settings, from environment variables prefixed `AUTOGRAD_VIZ_`.

`get_settings()` is cached rather than a module-level singleton so tests (and
`create_app(settings)`) can use their own. Every field is listed with its
default in the README's configuration table; a test keeps the two in step.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.limits import Limits


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTOGRAD_VIZ_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address `serve` binds.")
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s\"'<>]+$",
        description="The address the service is reached at (`https://viz.example.org`), for "
        "the share links of the pages; unset: links relative to the page.",
    )
    port: int = Field(8000, description="Port `serve` binds.")
    workers: int = Field(1, ge=1, description="uvicorn worker processes.")
    pool_size: int = Field(2, ge=1, le=64, description="Evaluation processes per server process.")
    queue_size: int = Field(
        32, ge=0, description="Requests that may wait for a free evaluation process; more get 503."
    )
    queue_timeout_s: float = Field(
        10.0, gt=0, description="Longest wait for a free evaluation process before a 503."
    )
    recycle_after: int = Field(
        10_000,
        ge=0,
        description="Requests after which an evaluation process is replaced (0: never).",
    )
    worker_growth_mb: int = Field(
        32,
        ge=0,
        description="Memory (or address space) an evaluation process may hold above its "
        "start, after a request, before it is replaced, MiB (0: never).",
    )
    wall_time_s: float = Field(3.0, gt=0, description="Wall time of one evaluation, seconds.")
    memory_mb: int = Field(1024, ge=64, description="Address space of one evaluation process, MiB.")
    source_chars: int = Field(20_000, ge=1, description="Longest program, characters.")
    nesting_depth: int = Field(
        50, ge=1, description="Deepest nesting of expressions and blocks in a program."
    )
    steps: int = Field(
        100_000,
        ge=1,
        description="Loop iterations, calls and split/chunk/unbind pieces per program.",
    )
    call_depth: int = Field(64, ge=1, description="Deepest recursion of a program's own functions.")
    tensor_elements: int = Field(1_000_000, ge=1, description="Elements in any one tensor.")
    total_elements: int = Field(20_000_000, ge=1, description="Elements created per program.")
    int_bits: int = Field(
        4_096,
        ge=64,
        description="Bit length of any integer result, checked before `**`, `*` and `<<`.",
    )
    sequence_length: int = Field(
        100_000, ge=1, description="Items of a list, tuple or string a program makes."
    )
    stdout_chars: int = Field(
        100_000,
        ge=0,
        description="Output of `print` kept per program, characters "
        "(the rest is cut, with a warning).",
    )
    answer_mb: int = Field(
        8,
        ge=1,
        le=1024,
        description="Largest answer (JSON or image) one evaluation sends, MiB; past it, values "
        "are summarised (JSON) or the image refused.",
    )
    graph_nodes: int = Field(5_000, ge=1, description="Largest graph that is drawn.")
    render_time_s: float = Field(
        2.0, gt=0, description="Layout time of a big graph before it is left undrawn, seconds."
    )
    figures: int = Field(8, ge=0, le=64, description="matplotlib figures one program may make.")
    figure_points: int = Field(
        100_000, ge=1, le=10_000_000, description="Data points drawn in one figure of a program."
    )
    cache_entries: int = Field(1_024, ge=0, description="Finished answers kept in memory.")
    cache_mb: int = Field(128, ge=0, description="Memory the answer cache may hold, MiB.")
    cache_max_age_s: int = Field(86_400, ge=0, description="`Cache-Control: max-age` of images.")
    max_body_bytes: int = Field(262_144, ge=1_024, description="Largest request body, bytes.")
    body_timeout_s: float = Field(
        10.0, gt=0, description="Time a client has to send its whole request body, seconds."
    )
    # A program of source_chars characters, percent-encoded, fits in a link
    # (in one request head: below max_header_bytes).
    max_query_chars: int = Field(60_000, ge=256, description="Longest query string; more get 414.")
    max_connections: int | None = Field(
        None, ge=1, description="Concurrent connections per server process; more get 503."
    )
    keep_alive_s: int = Field(
        5, ge=1, description="Seconds an idle keep-alive connection stays open."
    )
    max_header_bytes: int = Field(
        65_536,
        ge=4_096,
        description="Request line and headers held unparsed before a plain 400 and a close, bytes.",
    )
    header_timeout_s: float = Field(
        10.0,
        gt=0,
        description="Time a client has to send its request line and headers, from connecting "
        "or the end of the previous answer, seconds.",
    )
    shutdown_timeout_s: int = Field(
        20, ge=1, description="Longest wait for requests in flight when the server stops, seconds."
    )
    rate_limit_per_minute: int = Field(
        0, ge=0, description="Requests per client IP and minute; 0 turns the limit off."
    )
    metrics: bool = Field(True, description="Serve Prometheus metrics on /metrics.")
    log_level: str = Field("info", description="uvicorn and app log level.")

    def process_bounds(self) -> dict[str, Any]:
        """How each evaluation process is bounded (WorkerPool's keyword arguments),
        the same for the server's pools and the CLI's."""
        return {
            "wall_time_s": self.wall_time_s,
            "memory_bytes": self.memory_mb << 20,
            "recycle_after": self.recycle_after or None,
            "growth_bytes": (self.worker_growth_mb << 20) or None,
            # The worker keeps every answer within answer_mb (app.budget):
            # the pool takes no more from it.
            "max_payload": self.answer_mb << 20,
        }

    def limits(self) -> Limits:
        return Limits(
            source_chars=self.source_chars,
            nesting_depth=self.nesting_depth,
            steps=self.steps,
            call_depth=self.call_depth,
            tensor_elements=self.tensor_elements,
            total_elements=self.total_elements,
            int_bits=self.int_bits,
            sequence_length=self.sequence_length,
            stdout_chars=self.stdout_chars,
            graph_nodes=self.graph_nodes,
            render_time_s=self.render_time_s,
            figures=self.figures,
            figure_points=self.figure_points,
            answer_bytes=self.answer_mb << 20,
            wall_time_s=self.wall_time_s,
            memory_bytes=self.memory_mb << 20,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
