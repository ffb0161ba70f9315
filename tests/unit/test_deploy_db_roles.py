"""Kubernetes: each Deployment holds its own service's database secret only; the provisioning Job alone is admin."""
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from shared.cli.provision import SERVICES

ROOT = Path(__file__).resolve().parents[2]
ROLE_SECRETS = {f"pdz-db-role-{service}" for service in SERVICES}


def rendered(folder: str) -> list[dict]:
    out = subprocess.run(["kubectl", "kustomize", str(ROOT / folder)], capture_output=True, text=True, check=True)
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def secrets_of(workload: dict) -> set[str]:
    """Every Secret a workload's containers read, by env or envFrom."""
    names = set()
    for container in workload["spec"]["template"]["spec"]["containers"]:
        for env in container.get("env", []):
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                names.add(ref["name"])
        names |= {e["secretRef"]["name"] for e in container.get("envFrom", []) if "secretRef" in e}
    return names


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("folder", ["deploy/k8s/base", "deploy/k8s/overlays/basilicata"])
def test_each_process_holds_its_own_services_database_secret_and_no_admin_login(folder):
    docs = rendered(folder)
    deployments = [d for d in docs if d["kind"] == "Deployment"]
    # four APIs, the registry, consultation and budget relays, the reporting, consultation and budget consumers
    assert len(deployments) == 10
    for deployment in deployments:
        command = deployment["spec"]["template"]["spec"]["containers"][0]["command"][0]
        service = command.split("-")[1]  # pdz-<service>-api|relay|consumer
        assert secrets_of(deployment) & (ROLE_SECRETS | {"pdz-database"}) == {f"pdz-db-role-{service}"}, \
            deployment["metadata"]["name"]
    config = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("pdz-config"))
    assert "@" not in config["data"]["PDZ_DATABASE_URL"], "the shared settings must carry no login"
    job = next(d for d in docs if d["kind"] == "Job")
    assert secrets_of(job) >= ROLE_SECRETS | {"pdz-database"}
    env = {e["name"]: e for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["PDZ_ENV"]["value"] == "production"  # never the development secrets
