from __future__ import annotations

from typing import Any

from app import __version__
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
