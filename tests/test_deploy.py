"""The Kubernetes manifests, checked against the API schemas (no cluster runs here)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from app.settings import Settings
from tests.conftest import ROOT, start_server, stop_server

DEPLOY = ROOT / "deploy"
MANIFESTS = sorted(p for p in DEPLOY.glob("*.yaml") if p.name != "kustomization.yaml")


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return document


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifest_is_valid_kubernetes(path: Path) -> None:
    kubernetes_validate.validate(load(path), "1.37.0", strict=True)


def test_an_invalid_manifest_is_caught() -> None:
    broken = load(DEPLOY / "deployment.yaml")
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProb"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, "1.37.0", strict=True)


def test_deployment_probes_resources_and_settings() -> None:
    deployment = load(DEPLOY / "deployment.yaml")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    port = container["ports"][0]["containerPort"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz"
        assert container[probe]["httpGet"]["port"] in ("http", port)
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    fields = set(Settings.model_fields)
    for variable in container["env"]:
        name = variable["name"]
        if name.startswith("AUTOGRAD_VIZ_"):
            assert name.removeprefix("AUTOGRAD_VIZ_").lower() in fields, name
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_service_and_autoscaler_point_at_the_deployment() -> None:
    deployment = load(DEPLOY / "deployment.yaml")
    service = load(DEPLOY / "service.yaml")
    hpa = load(DEPLOY / "hpa.yaml")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert set(load(DEPLOY / "kustomization.yaml")["resources"]) == {p.name for p in MANIFESTS}


def environment() -> dict[str, str]:
    container = load(DEPLOY / "deployment.yaml")["spec"]["template"]["spec"]["containers"][0]
    return {variable["name"]: variable["value"] for variable in container["env"]}


def test_the_rate_limited_deployment_trusts_the_ingress_forwarded_for() -> None:
    env = environment()
    assert int(env["AUTOGRAD_VIZ_RATE_LIMIT_PER_MINUTE"]) > 0
    # uvicorn's variable; without it only 127.0.0.1 is believed, and behind
    # an ingress every client shares the ingress's bucket.
    trusted = [item.strip() for item in env["FORWARDED_ALLOW_IPS"].split(",")]
    assert "*" not in trusted  # "*" believes the left-most, client-written address
    networks = [ipaddress.ip_network(item) for item in trusted]  # each one parses
    assert all(network.is_private for network in networks)
    assert ipaddress.ip_address("10.244.1.17") in networks[0]  # a typical pod address
    assert "FORWARDED_ALLOW_IPS" in (ROOT / "docs" / "deploy.md").read_text()


def statuses(url: str, forwarded_for: str, count: int) -> list[int]:
    import httpx

    with httpx.Client(base_url=url, timeout=30) as http:
        return [
            http.get("/api/v1/examples", headers={"X-Forwarded-For": forwarded_for}).status_code
            for _ in range(count)
        ]


@pytest.mark.parametrize("trust_local", [False, True], ids=["peer-untrusted", "peer-trusted"])
def test_serve_buckets_clients_by_forwarded_for_only_from_trusted_peers(
    tmp_path: Path, trust_local: bool
) -> None:
    # The manifest's value; the test's requests come from 127.0.0.1, which it
    # does not cover (uvicorn's default would): so it proves the variable is read.
    trusted = environment()["FORWARDED_ALLOW_IPS"] + (",127.0.0.0/8" if trust_local else "")
    env = {"FORWARDED_ALLOW_IPS": trusted, "AUTOGRAD_VIZ_RATE_LIMIT_PER_MINUTE": "2"}
    server = start_server(tmp_path, env=env, cli=True)
    try:
        assert statuses(server.url, "203.0.113.1", 3) == [200, 200, 429]
        other_client = statuses(server.url, "203.0.113.2", 1)
    finally:
        stop_server(server)
    # A trusted peer's X-Forwarded-For names the client: a bucket of its own.
    # An untrusted peer's is ignored: it is one client, whatever it says.
    assert other_client == ([200] if trust_local else [429])
