"""Offline schemas for the deploy validation tests, each loaded once per session.

- Built-in Kubernetes kinds: the strict OpenAPI-derived JSON schemas that the
  kubernetes-validate package ships (one folder per Kubernetes minor version).
- Custom resources (Strimzi, CloudNativePG, Prometheus Operator, Gateway API,
  cert-manager, external-secrets): the openAPIV3Schema of each CRD at the
  operator's release, as <group>_<version>_<kind>.json under
  <schemas>/crds/<project>/<release>/ (extract_crd_schemas.py writes them).
- docker-compose.yml: the compose-spec JSON schema, <schemas>/compose/compose-spec.json.

The schema folder is not in this repository (third-party files): `make schemas`
(download_schemas.py, which `make test` runs first) downloads the releases
schemas.lock.toml pins, checks their sha256 and writes .pdz/schemas (or
$PDZ_SCHEMAS_DIR, where the tests then look).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from importlib import resources
from pathlib import Path

import jsonschema
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[2]


def schemas_root() -> Path | None:
    """The downloaded schema folder, or None when `make schemas` has not run."""
    root = Path(os.environ.get("PDZ_SCHEMAS_DIR") or ROOT / ".pdz" / "schemas")
    return root if (root / "crds").is_dir() else None


# --- built-in kinds (kubernetes-validate's files) ---------------------------------------------

def _k8s_dir(version: str) -> Path:
    base = resources.files("kubernetes_validate").joinpath("kubernetes-json-schema")
    return Path(str(base)) / f"v{version}.0-local-strict"


def shipped_k8s_versions() -> list[str]:
    base = Path(str(resources.files("kubernetes_validate").joinpath("kubernetes-json-schema")))
    return sorted({m.group(1) for p in base.iterdir() if (m := re.match(r"v(\d+\.\d+)\.0-local-strict$", p.name))},
                  key=lambda v: tuple(map(int, v.split("."))))


@functools.lru_cache(maxsize=None)
def _k8s_registry(version: str) -> Registry:
    # _definitions.json is several MB: parsed once per version, not once per object.
    definitions = json.loads((_k8s_dir(version) / "_definitions.json").read_text())
    return Resource.from_contents(definitions) @ Registry()


def _k8s_schema_file(version: str, api_version: str, kind: str) -> Path:
    # The package's naming: rbac.authorization.k8s.io/v1 -> rbac-v1, apps/v1 -> apps-v1, v1 -> v1.
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return _k8s_dir(version) / f"{kind.lower()}-{api}.json"


def is_builtin(api_version: str, kind: str, version: str) -> bool:
    if "/" in api_version and "." in api_version.split("/")[0] and not api_version.split("/")[0].endswith(".k8s.io"):
        return False  # a custom group that happens to share a kind name (e.g. monitoring.coreos.com)
    if api_version.startswith("gateway.networking.k8s.io/"):
        return False  # Gateway API is CRDs, not built in
    return _k8s_schema_file(version, api_version, kind).is_file()


@functools.lru_cache(maxsize=None)
def builtin_validator(version: str, api_version: str, kind: str) -> jsonschema.protocols.Validator:
    schema = json.loads(_k8s_schema_file(version, api_version, kind).read_text())
    return jsonschema.Draft202012Validator(schema, registry=_k8s_registry(version))


# --- custom resources (vendored CRD schemas) ---------------------------------------------------

def _strict(node: object, branch: bool = False) -> object:
    """OpenAPI v3 CRD schema -> JSON schema with the API server's strict field validation.

    Unknown fields are rejected (additionalProperties: false) except under
    x-kubernetes-preserve-unknown-fields, where they are allowed, as the API
    server keeps them; nullable admits null; embedded resources keep
    apiVersion/kind/metadata.
    """
    if not isinstance(node, dict):
        return node
    node = dict(node)
    preserve = bool(node.get("x-kubernetes-preserve-unknown-fields"))
    if node.get("nullable") and "type" in node:
        node["type"] = [node["type"], "null"]
    for key in ("properties", "patternProperties"):
        if key in node:
            node[key] = {name: _strict(sub) for name, sub in node[key].items()}
    if node.get("x-kubernetes-embedded-resource"):
        node.setdefault("properties", {})
        for field, typ in (("apiVersion", "string"), ("kind", "string"), ("metadata", "object")):
            node["properties"].setdefault(field, {"type": typ})
    if isinstance(node.get("additionalProperties"), dict):
        node["additionalProperties"] = _strict(node["additionalProperties"])
    if isinstance(node.get("items"), dict):
        node["items"] = _strict(node["items"])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in node:
            # Structural CRD schemas only constrain values in these branches, never add fields.
            node[key] = [_strict(sub, branch=True) for sub in node[key]]
    if "not" in node:
        node["not"] = _strict(node["not"], branch=True)
    if "properties" in node and "additionalProperties" not in node and not (preserve or branch):
        node["additionalProperties"] = False
    return node


def _crd_root_schema(schema: dict) -> dict:
    schema = copy.deepcopy(schema)
    props = schema.setdefault("properties", {})
    # metadata is validated by the API server, not by the CRD schema.
    props["metadata"] = {"type": "object"}
    props.setdefault("apiVersion", {"type": "string"})
    props.setdefault("kind", {"type": "string"})
    return _strict(schema)


@functools.lru_cache(maxsize=None)
def crd_index(root: Path) -> dict[tuple[str, str], tuple[Path, str]]:
    """(apiVersion, kind) -> (schema file, "<project> <release>")."""
    index = {}
    for path in sorted((root / "crds").glob("*/*/*.json")):
        group, version, kind = path.stem.split("_", 2)
        index[(f"{group}/{version}", kind)] = (path, f"{path.parent.parent.name} {path.parent.name}")
    return index


@functools.lru_cache(maxsize=None)
def crd_validator(path: Path) -> jsonschema.protocols.Validator:
    # CRD schemas are OpenAPI 3.0 subsets: draft 4 keywords (exclusiveMinimum as a boolean).
    return jsonschema.Draft4Validator(_crd_root_schema(json.loads(path.read_text())))


@functools.lru_cache(maxsize=None)
def compose_validator(root: Path) -> jsonschema.protocols.Validator:
    schema = json.loads((root / "compose" / "compose-spec.json").read_text())
    # The draft its "$schema" names (compose-go's copy: 2020-12); draft-07 for an unknown spelling.
    return jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)(schema)
