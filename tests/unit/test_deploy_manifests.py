"""The Kubernetes manifests render (kubectl kustomize, no cluster needed)."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_every_kustomization_renders():
    result = subprocess.run(["bash", str(ROOT / "deploy" / "k8s" / "check.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "overlays/basilicata" in result.stdout


def test_the_kubernetes_regional_configuration_is_the_local_one():
    local = (ROOT / "deploy" / "local" / "regions.yaml").read_text()
    assert (ROOT / "deploy" / "k8s" / "base" / "regions.yaml").read_text() == local, \
        "copy deploy/local/regions.yaml to deploy/k8s/base/regions.yaml"
