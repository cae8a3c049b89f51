from __future__ import annotations

from typing import Any

from app import __version__
from app.api.health import Health
from tests.conftest import LiveServer


def test_healthz_in_process(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["version"] == __version__
    assert body["pool"]["alive"] >= 1 and body["pool"]["size"] >= body["pool"]["alive"]
    assert response.headers["cache-control"] == "no-store"


def test_healthz_live(live_server: LiveServer) -> None:
    with live_server.client() as http:
        response = http.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_is_documented_for_both_answers(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    responses = spec["paths"]["/healthz"]["get"]["responses"]
    for status in ("200", "503"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Health"}, status
    documented = spec["components"]["schemas"]["Health"]
    assert set(documented["required"]) == {"status", "version", "pool"}
    # The answer is what the document says it is.
    Health.model_validate(client.get("/healthz").json())
