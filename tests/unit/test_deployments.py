"""The deployments as shipped (docker-compose.yml, docker-compose.dev.yml, deploy/k8s/, Dockerfile,
requirements.lock), read as files: published ports on the loopback only, pinned images, no mail catcher in
production, every production-required key given to every service, the Ingress routing only the public paths,
NetworkPolicies admitting only the ingress controller, Prometheus and the services, and the image built from
the hash-locked dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
APPS = ("intake", "validation", "scoring", "notification", "reporting")
PUBLIC = {"intake": 8001, "scoring": 8003, "reporting": 8005}
REQUIRED_KEYS = ("TOKEN_DIGEST_KEY", "METRICS_TOKEN")


def _compose(name: str = "docker-compose.yml") -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    return loaded


def _manifests() -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return documents


def _of_kind(kind: str) -> list[dict[str, Any]]:
    return [d for d in _manifests() if d.get("kind") == kind]


def _default(value: str) -> str:
    """`${NAME:-default}` → default; a literal stays as it is."""
    found = re.fullmatch(r"\$\{[A-Z_]+:-([^}]*)\}", value)
    return found.group(1) if found else value


def test_compose_publishes_only_on_the_loopback_and_the_public_services_are_published() -> None:
    services = _compose()["services"]
    published = {}
    for name, service in services.items():
        for port in service.get("ports", []):
            host, _, container = str(port).rpartition(":")
            # The address is literal: no setting can move a published port off the loopback.
            assert host.startswith("127.0.0.1:") and "127.0.0.1" not in host[len("127.0.0.1:"):], (name, port)
            published[name] = int(container)
    for name, port in PUBLIC.items():
        assert published.get(name) == port, f"{name} is not published on {port}"
    assert "validation" not in published and "notification" not in published


def test_every_image_is_pinned_to_a_full_version() -> None:
    images = [service["image"] for file in ("docker-compose.yml", "docker-compose.dev.yml")
              for service in _compose(file)["services"].values() if "image" in service]
    images = [image for image in images if not image.startswith("smartcity-selection:")]
    assert images
    for image in images:
        _, _, tag = image.partition(":")
        assert tag and tag != "latest", image
        assert re.search(r"\d+\.\d+\.\d+", tag), f"{image}: pin a full version, not a moving tag"
    for document in _of_kind("Deployment"):
        for container in document["spec"]["template"]["spec"]["containers"]:
            assert not container["image"].endswith(":latest")
    (base,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base), f"Dockerfile: pin the base image fully, not {base}"


def test_no_mail_catcher_in_the_production_file() -> None:
    services = _compose()["services"]
    assert not any("mailpit" in name or "mailpit" in str(s.get("image", "")) for name, s in services.items())
    assert "mailpit" not in str(services["notification"]["environment"].get("SMTP_HOST"))
    dev = _compose("docker-compose.dev.yml")["services"]
    assert "mailpit" in dev and dev["notification"]["environment"]["SMTP_HOST"] == "mailpit"


def test_compose_gives_every_service_the_keys_production_requires() -> None:
    compose = _compose()
    for name in APPS:
        environment = compose["services"][name]["environment"]
        assert environment["ENVIRONMENT"] == "production"
        for key in REQUIRED_KEYS:
            assert str(environment.get(key, "")).startswith(f"${{{key}:?"), f"{name}: {key} must be required"
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for key in REQUIRED_KEYS:
        assert re.search(rf"^{key}=", example, re.M), f".env.example lacks {key}"
    assert "COMPOSE_PROFILES=dev" not in example


def _env_names(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container.get("env", [])}


def test_every_deployment_reads_the_required_keys_from_the_secret() -> None:
    deployments = {d["metadata"]["name"]: d for d in _of_kind("Deployment")}
    assert set(APPS) <= set(deployments)
    secrets = {d["metadata"]["name"]: d for d in yaml.safe_load_all((K8S / "secret.template.yaml").read_text())
               if d}
    for name in APPS:
        (container,) = deployments[name]["spec"]["template"]["spec"]["containers"]
        env = _env_names(container)
        for key in REQUIRED_KEYS:
            reference = env[key]["valueFrom"]["secretKeyRef"]
            assert key in secrets[reference["name"]]["stringData"], (name, key)
            assert not reference.get("optional"), f"{name}: {key} must not be optional"
    (monitor,) = _of_kind("ServiceMonitor")
    assert all(e["bearerTokenSecret"]["key"] == "METRICS_TOKEN" for e in monitor["spec"]["endpoints"])


def test_the_ingress_routes_only_the_public_paths() -> None:
    (ingress,) = _of_kind("Ingress")
    routed: dict[str, set[str]] = {}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            routed.setdefault(path["backend"]["service"]["name"], set()).add(path["path"])
    assert routed["scoring"] == {"/workspace", "/v1/reviewer", "/v1/admin"}
    assert routed["intake"] == {"/v1/submissions", "/v1/forms", "/v1/imports", "/v1/mappings"}
    assert routed["reporting"] >= {"/v1", "/dashboard"}
    assert set(routed) == set(PUBLIC)
    assert all(not p.startswith(("/metrics", "/health", "/docs")) for paths in routed.values() for p in paths)
    assert len(ingress["spec"]["tls"]) == len(ingress["spec"]["rules"])
    kustomized = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert {"ingress.yaml", "networkpolicy.yaml"} <= set(kustomized)


def _selects(policy: dict[str, Any], app: str) -> bool:
    labels = policy["spec"]["podSelector"].get("matchLabels", {})
    return labels.get("app.kubernetes.io/name", app) == app


def test_network_policies_deny_by_default_and_admit_only_the_described_paths() -> None:
    policies = [p for p in _of_kind("NetworkPolicy") if p["metadata"].get("namespace") is None]
    deny = [p for p in policies if p["spec"]["podSelector"] == {} and "ingress" not in p["spec"]]
    assert deny and set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    from_ingress: set[str] = set()
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                namespace = peer.get("namespaceSelector", {}).get("matchLabels", {}).get(
                    "kubernetes.io/metadata.name")
                assert namespace in ("ingress-nginx", "monitoring"), policy["metadata"]["name"]
                if namespace == "ingress-nginx":
                    name = policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                    from_ingress.add(name)
                    assert [p["port"] for p in rule["ports"]] == [PUBLIC[name]]
                else:
                    assert peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "prometheus"
    assert from_ingress == set(PUBLIC)
    egress_ports = {port["port"] for policy in policies if _selects(policy, "validation")
                    for rule in policy["spec"].get("egress", []) for port in rule.get("ports", [])}
    assert egress_ports == {53, 27017, 5672}, "validation reaches only DNS, MongoDB and RabbitMQ"
    backends = list(yaml.safe_load_all((K8S / "networkpolicy-backends.yaml").read_text()))
    assert backends and all(p["kind"] == "NetworkPolicy" for p in backends if p)


def test_the_image_installs_the_hash_locked_dependencies_and_the_lock_covers_them() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert re.search(r"pip install --no-deps[^\n]* \.", dockerfile)
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {m.group(1).lower().replace("_", "-") for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}
    assert all(re.search(rf"^{re.escape(n)}==[^\n]*\\\n\s+--hash=sha256:", lock, re.M | re.I) for n in pinned)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {re.split(r"[<>=!\[ ;]", d, maxsplit=1)[0].lower().replace("_", "-")
              for d in project["project"]["dependencies"]}
    missing = wanted - pinned
    assert not missing, f"not in requirements.lock (regenerate it, deploy/README.md): {sorted(missing)}"
    assert "setuptools" in pinned  # the build backend, since the project is built without isolation


@pytest.mark.parametrize("name", APPS)
def test_each_deployment_runs_its_own_service_on_its_own_port(name: str) -> None:
    (deployment,) = [d for d in _of_kind("Deployment") if d["metadata"]["name"] == name]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert f"services.{name}" in " ".join(container.get("command", []) + container.get("args", []))
    port = _env_names(container)["HTTP_PORT"]["value"]
    assert int(port) == 8001 + APPS.index(name)
