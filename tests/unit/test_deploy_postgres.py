"""CloudNativePG as rendered for a region: pinned image, TLS only, the Pooler and who goes through it,
the connection budget within max_connections, the optional backup component."""
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def render(path: Path) -> list[dict]:
    out = subprocess.run(["kubectl", "kustomize", str(path)], capture_output=True, text=True, check=True).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def one(objects, kind, name=None):
    found = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, (kind, name, len(found))
    return found[0]


@pytest.fixture(scope="module")
def infra():
    return render(K8S / "overlays" / "basilicata" / "infra")


@pytest.fixture(scope="module")
def suite():
    return render(K8S / "overlays" / "basilicata")


def test_the_image_is_a_pinned_minor_release(infra):
    image = one(infra, "Cluster", "pdz-pg")["spec"]["imageName"]
    assert re.fullmatch(r"ghcr\.io/cloudnative-pg/postgresql:\d+\.\d+(-[a-z0-9-]+)?(@sha256:[0-9a-f]{64})?", image), image


def test_connections_without_tls_are_rejected_first(infra):
    rules = [" ".join(r.split()) for r in one(infra, "Cluster", "pdz-pg")["spec"]["postgresql"]["pg_hba"]]
    rejects = {r for r in rules if r.startswith("hostnossl") and r.endswith("reject")}
    assert rejects == {"hostnossl all all 0.0.0.0/0 reject", "hostnossl all all ::/0 reject"}
    first_allow = next(i for i, r in enumerate(rules) if not r.endswith("reject"))
    assert all(rules.index(r) < first_allow for r in rejects)
    assert not [r for r in rules if r.split()[0] == "host"], "a plain `host` line would accept non-TLS"
    assert all(r.split()[-1] in {"reject", "scram-sha-256"} for r in rules)


def test_the_pooler_is_in_session_mode_in_front_of_the_primary(infra):
    pooler = one(infra, "Pooler", "pdz-pg-pooler-rw")["spec"]
    assert pooler["cluster"]["name"] == "pdz-pg" and pooler["type"] == "rw"
    # Session mode: startup options (statement_timeout) and server-side prepared statements.
    assert pooler["pgbouncer"]["poolMode"] == "session"
    assert pooler["instances"] >= 2


def deployments(suite):
    return {d["metadata"]["name"]: d for d in suite if d["kind"] == "Deployment"}


def env_of(deployment) -> dict:
    return {e["name"]: e.get("value") for e in deployment["spec"]["template"]["spec"]["containers"][0].get("env", [])}


def test_apis_and_consumers_go_through_the_pooler_relays_and_provisioning_do_not(suite):
    for name, deployment in deployments(suite).items():
        url = env_of(deployment).get("PDZ_DATABASE_URL")
        if name.endswith("-relay"):
            # Session advisory locks and LISTEN need the primary itself.
            assert url is None, name  # pdz-config's pdz-pg-rw
        else:
            assert url == "postgresql://pdz-pg-pooler-rw:5432/postgres", name
    config = next(o for o in suite if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("pdz-config"))
    assert config["data"]["PDZ_DATABASE_URL"].startswith("postgresql://pdz-pg-rw:")
    for job in (o for o in suite if o["kind"] == "Job"):
        env = job["spec"]["template"]["spec"]["containers"][0]["env"]
        assert next(e for e in env if e["name"] == "PDZ_DATABASE_URL")["valueFrom"]["secretKeyRef"]["name"] == "pdz-database"


def test_the_connection_budget_for_100_ambiti_fits_max_connections(infra, suite):
    """The arithmetic of docs/deployment.md, from the rendered objects."""
    cluster = one(infra, "Cluster", "pdz-pg")["spec"]
    max_connections = int(cluster["postgresql"]["parameters"]["max_connections"])
    config = next(o for o in suite if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("pdz-config"))
    default_cap = int(config["data"]["PDZ_POOL_MAX_CONNECTIONS"])
    pooled = direct = 0
    for name, deployment in deployments(suite).items():
        env = env_of(deployment)
        replicas = deployment["spec"]["replicas"]
        workers = 2 if name.endswith("-api") else 1   # PDZ_WEB_WORKERS default (shared/http/serve.py)
        cap = int(env.get("PDZ_POOL_MAX_CONNECTIONS") or default_cap)
        if "pooler" in (env.get("PDZ_DATABASE_URL") or ""):
            pooled += replicas * workers * cap
        else:
            direct += replicas * (cap + 1)            # + the relay's LISTEN connection
    provisioning, operator = 2, 10
    assert pooled + direct + provisioning + operator <= max_connections, (pooled, direct, max_connections)
    docs = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert f"max_connections` {max_connections:,}" in docs, "docs/deployment.md must state the budget's max_connections"


def test_backups_are_an_optional_component(infra):
    assert not [o for o in infra if o["kind"] == "ScheduledBackup"], "backups are opt-in"
    component = yaml.safe_load((K8S / "infra" / "backup" / "kustomization.yaml").read_text())
    assert component["kind"] == "Component"
    scheduled = one(render(K8S / "infra" / "backup"), "ScheduledBackup")
    assert scheduled["spec"]["cluster"]["name"] == "pdz-pg"
    assert len(scheduled["spec"]["schedule"].split()) == 6  # CloudNativePG's cron has seconds


def test_the_backup_component_applied_to_the_cluster(tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        # kustomize takes folders relative to the kustomization only.
        "resources": [os.path.relpath(K8S / "infra", overlay)],
        "components": [os.path.relpath(K8S / "infra" / "backup", overlay)]}))
    rendered = subprocess.run(["kubectl", "kustomize", str(overlay)], capture_output=True, text=True,
                              check=True).stdout
    objects = [d for d in yaml.safe_load_all(rendered) if d]
    store = one(objects, "Cluster", "pdz-pg")["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"].startswith("s3://")
    assert store["s3Credentials"]["secretAccessKey"]["name"] == "pdz-backup-s3"
    assert one(objects, "Cluster", "pdz-pg")["spec"]["managed"]["roles"][0]["name"] == "pdz"  # merged, not replaced
    one(objects, "ScheduledBackup", "pdz-pg-nightly")
