"""The Kubernetes manifests, checked against the API schemas (no cluster runs here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from app.settings import Settings
from tests.conftest import ROOT

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
