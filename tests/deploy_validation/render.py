"""Render every kustomization under deploy/k8s with `kubectl kustomize`, once per session."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

# libyaml when PyYAML has it: the rendered stream holds the whole tenant catalogue several times.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUBECTL_MISSING = ("kubectl not found on PATH (set KUBECTL to its path): `make test` renders deploy/k8s with "
                   "`kubectl kustomize`, offline; install kubectl (it is on the developers' and CI machines)")


def kubectl() -> str | None:
    name = os.environ.get("KUBECTL", "kubectl")
    return shutil.which(name)


def kustomization_dirs() -> list[str]:
    """Folders under deploy/k8s holding a kustomization, relative (as check.sh finds them)."""
    found = {path.parent for name in KUSTOMIZATION_FILES for path in K8S.rglob(name)
             if "patches" not in path.relative_to(K8S).parts}
    return sorted(str(path.relative_to(K8S)) for path in found)


def is_component(rel: str) -> bool:
    """A kustomize Component (kind: Component) holds patches for others to include: it renders nothing alone."""
    for name in KUSTOMIZATION_FILES:
        path = K8S / rel / name
        if path.is_file():
            return (yaml.safe_load(path.read_text()) or {}).get("kind") == "Component"
    return False


@dataclass(frozen=True)
class Rendered:
    ok: bool
    output: str  # the YAML stream, or kubectl's error

    def objects(self) -> list[dict]:
        return [doc for doc in yaml.load_all(self.output, Loader=LOADER) if doc] if self.ok else []


@functools.lru_cache(maxsize=None)
def render(rel: str) -> Rendered:
    binary = kubectl()
    if binary is None:
        return Rendered(False, KUBECTL_MISSING)
    result = subprocess.run([binary, "kustomize", str(K8S / rel)], capture_output=True, text=True, timeout=120)
    return Rendered(result.returncode == 0, result.stdout if result.returncode == 0 else result.stderr)


@functools.lru_cache(maxsize=None)
def render_variant(rel: str, line: str, replacement: str) -> Rendered:
    """Render rel with one line of its kustomization.yaml replaced, as an operator's one-line choice would be.

    The edit is made in a copy of deploy/k8s (relative paths keep resolving), never in the checkout.
    """
    text = (K8S / rel / "kustomization.yaml").read_text()
    if text.count(line + "\n") != 1:
        return Rendered(False, f"deploy/k8s/{rel}/kustomization.yaml has no single line {line!r}")
    binary = kubectl()
    if binary is None:
        return Rendered(False, KUBECTL_MISSING)
    with tempfile.TemporaryDirectory(prefix="pdz-k8s.") as tmp:
        copy = Path(tmp) / "k8s"
        shutil.copytree(K8S, copy)
        (copy / rel / "kustomization.yaml").write_text(text.replace(line + "\n", replacement + "\n"))
        result = subprocess.run([binary, "kustomize", str(copy / rel)], capture_output=True, text=True, timeout=120)
    return Rendered(result.returncode == 0, result.stdout if result.returncode == 0 else result.stderr)


def object_id(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    ns = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind')}/{ns}{meta.get('name')}"


@functools.lru_cache(maxsize=None)
def unique_objects() -> tuple[tuple[str, str, str, str], ...]:
    """(test id "<kustomization>:<Kind>/<name>", object as canonical YAML, apiVersion, kind), each distinct object once.

    Base objects also come out of every overlay; validating an identical object again adds nothing.
    """
    seen: dict[str, tuple[str, str, str]] = {}
    for rel in kustomization_dirs():
        for obj in render(rel).objects():
            text = dump(obj)
            seen.setdefault(text, (f"{rel}:{object_id(obj)}", obj.get("apiVersion", ""), obj.get("kind", "")))
    return tuple((ident, text, api, kind) for text, (ident, api, kind) in seen.items())


def dump(obj: dict) -> str:
    """An object as canonical YAML (sorted keys): equal objects give equal texts."""
    return yaml.dump(obj, Dumper=DUMPER, sort_keys=True)


def load(text: str) -> dict:
    return yaml.load(text, Loader=LOADER)
