"""The Kubernetes manifests render (kubectl kustomize, no cluster needed)."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def is_process(script: str) -> bool:
    """A long-running process of the suite (one-shot commands such as the backfills and revocations run as Jobs)."""
    return script.startswith("pdz-") and not script.endswith(("-republish", "-revoke"))


def test_every_kustomization_renders():
    result = subprocess.run(["bash", str(ROOT / "deploy" / "k8s" / "check.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "overlays/basilicata" in result.stdout


def test_the_kubernetes_regional_configuration_is_the_local_one():
    local = (ROOT / "deploy" / "local" / "regions.yaml").read_text()
    assert (ROOT / "deploy" / "k8s" / "base" / "regions.yaml").read_text() == local, \
        "copy deploy/local/regions.yaml to deploy/k8s/base/regions.yaml"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_every_entry_point_has_a_deployment_with_probes_resources_and_a_disruption_budget():
    import tomllib

    import yaml

    out = subprocess.run(["kubectl", "kustomize", str(ROOT / "deploy" / "k8s" / "base")], capture_output=True,
                         text=True, check=True).stdout
    docs = [doc for doc in yaml.safe_load_all(out) if doc]
    deployments = {d["spec"]["template"]["spec"]["containers"][0]["command"][0]: d
                   for d in docs if d["kind"] == "Deployment"}
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    processes = {name for name in scripts if is_process(name)}
    assert set(deployments) == processes, "every process entry point runs as a Deployment, and only those"
    budgets = {d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
               for d in docs if d["kind"] == "PodDisruptionBudget"}
    for command, deployment in deployments.items():
        name = deployment["metadata"]["name"]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        port = "http" if command.endswith("-api") else "metrics"
        assert container["livenessProbe"]["httpGet"] == {"path": "/livez", "port": port}, name
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port}, name
        assert container["resources"]["requests"] and container["resources"]["limits"], name
        assert deployment["spec"]["template"]["spec"]["topologySpreadConstraints"], name
        assert name in budgets, f"{name} has no PodDisruptionBudget"


def test_docker_compose_runs_every_entry_point_after_init_with_a_healthcheck():
    import tomllib

    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    by_command = {s["command"][0]: (name, s) for name, s in services.items() if "command" in s}
    for script in (name for name in scripts if is_process(name)):
        assert script in by_command, f"{script} is not in docker-compose.yml"
        name, service = by_command[script]
        assert service["image"] == "pdz:local", name
        assert service["depends_on"]["init"]["condition"] == "service_completed_successfully", name
        assert service["healthcheck"]["test"], name
