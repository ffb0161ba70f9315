"""An Ambito as a kustomize Component: it adds exactly its provisioning Job, which equals the base Job
(same secrets, pod defaults, Argo CD wave) but for its name and its catalogue check; the Ambito's
catalogue entry is in the overlay's tenants.yaml."""
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from shared.tenants import parse_catalogue

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BASILICATA = K8S / "overlays" / "basilicata"


def render(path: Path) -> list[dict]:
    out = subprocess.run(["kubectl", "kustomize", str(path)], capture_output=True, text=True, check=True).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def key(obj) -> tuple[str, str]:
    return obj["kind"], obj["metadata"]["name"]


def overlay_without(tmp_path: Path, dropped: str) -> Path:
    """A copy of the basilicata overlay's kustomization minus one component (same catalogue)."""
    kustomization = yaml.safe_load((BASILICATA / "kustomization.yaml").read_text(encoding="utf-8"))
    kustomization["components"] = [c for c in kustomization["components"] if c != dropped]
    folder = tmp_path / "overlay"
    folder.mkdir()
    (folder / "tenants.yaml").write_text((BASILICATA / "tenants.yaml").read_text(encoding="utf-8"))
    kustomization["resources"] = [os.path.relpath(BASILICATA / r, folder) for r in kustomization["resources"]]
    kustomization["components"] = [os.path.relpath(BASILICATA / c, folder) for c in kustomization["components"]]
    (folder / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    return folder


@pytest.fixture(scope="module")
def with_matera():
    return render(BASILICATA)


def test_the_component_adds_exactly_the_ambitos_job(tmp_path, with_matera):
    without = render(overlay_without(tmp_path, "ambiti/matera"))
    added = {key(o) for o in with_matera} - {key(o) for o in without}
    assert added == {("Job", "pdz-provision-matera")}
    assert {key(o) for o in without} <= {key(o) for o in with_matera}
    # Nothing else changes: same objects, same content (the catalogue is the same file).
    before = {key(o): o for o in without}
    for obj in with_matera:
        if key(obj) in before:
            assert obj == before[key(obj)], key(obj)


def test_the_ambitos_job_is_the_base_job_for_its_slug(with_matera):
    jobs = {o["metadata"]["name"]: o for o in with_matera if o["kind"] == "Job"}
    base, matera = jobs["pdz-provision"], jobs["pdz-provision-matera"]
    command = matera["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command == ["sh", "-c", "pdz tenants list | grep -q '^matera ' && pdz tenants provision"]
    assert matera["metadata"]["annotations"] == base["metadata"]["annotations"]  # Argo CD: wave -1 hook
    assert matera["metadata"]["namespace"] == "pdz-basilicata"

    def container(job):
        return job["spec"]["template"]["spec"]["containers"][0]

    # The database side of the base Job, exactly: its env entries, mounts and volumes are a subset
    # of the base's (the base adds Kafka's for `pdz topics create`, which this Job does not run).
    for field in ("env", "volumeMounts"):
        assert container(matera)[field] == [e for e in container(base)[field] if e in container(matera)[field]]
    assert {e["name"] for e in container(matera)["env"]} >= {
        "PDZ_ENV", "PDZ_DATABASE_URL", "PDZ_DB_ROLE_SECRET_REGISTRY", "PDZ_DB_ROLE_SECRET_CONSULTATION",
        "PDZ_DB_ROLE_SECRET_BUDGET", "PDZ_DB_ROLE_SECRET_REPORTING"}
    volumes = matera["spec"]["template"]["spec"]["volumes"]
    assert volumes == [v for v in base["spec"]["template"]["spec"]["volumes"] if v in volumes]  # hashed ConfigMap names
    for field in ("image", "envFrom", "securityContext", "resources", "imagePullPolicy"):
        assert container(matera)[field] == container(base)[field], field
    for field in ("securityContext", "serviceAccountName", "automountServiceAccountToken", "restartPolicy"):
        assert matera["spec"]["template"]["spec"][field] == base["spec"]["template"]["spec"][field], field
    for field in ("backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"):
        assert matera["spec"][field] == base["spec"][field], field
    base_labels = base["spec"]["template"]["metadata"]["labels"]
    assert matera["spec"]["template"]["metadata"]["labels"] == {**base_labels, "pdz/ambito": "matera"}


def test_the_ambito_is_in_the_catalogue_the_pods_read(with_matera):
    tenants = next(o for o in with_matera if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("pdz-tenants"))
    catalogue = parse_catalogue(yaml.safe_load(tenants["data"]["tenants.yaml"]), "postgresql://pdz-pg-rw:5432/postgres")
    assert catalogue.get("matera") is not None and catalogue.get("matera").status == "active"


def test_the_generator_makes_the_same_component(tmp_path):
    """new.sh from the template gives what is committed for Matera."""
    overlay = tmp_path / "region"
    overlay.mkdir()
    subprocess.run(["bash", str(K8S / "components" / "ambito" / "new.sh"), str(overlay), "matera"], check=True,
                   capture_output=True)
    for name in ("kustomization.yaml", "provision-job.yaml"):
        assert (overlay / "ambiti" / "matera" / name).read_text() == (BASILICATA / "ambiti" / "matera" / name).read_text()
    refused = subprocess.run(["bash", str(K8S / "components" / "ambito" / "new.sh"), str(overlay), "Not_A_Slug"],
                             capture_output=True)
    assert refused.returncode != 0
