"""No secret value anywhere under deploy/: the lab Secrets hold placeholders only (generate.sh fills
them at apply time), production ones come from the vault through ExternalSecrets, and both folders
define the same Secrets with the same keys, the ones the manifests read."""
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRETS = DEPLOY / "k8s" / "secrets"

# What a leaked secret looks like in a text file.
LEAKS = [
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("password in a URL", re.compile(r"[a-z]+://[^/\s:@{}]+:(?!__)(?!\{\{)[^@\s/{}]{6,}@")),
    ("long hex string", re.compile(r"(?<![0-9a-fA-F:@])(?<!sha256:)[0-9a-f]{32,}(?![0-9a-f])")),
    ("password/secret/token value", re.compile(
        r"""(?i)\b(password|passwd|secret|token|api[_-]?key|access[_-]?key)["']?\s*[:=]\s*["']?(?![_<$\{])"""
        r"""(?=[A-Za-z0-9+/=_\-]*\d)(?=[A-Za-z0-9+/=_\-]*[A-Za-z])[A-Za-z0-9+/=_\-]{16,}""")),
    ("AWS access key id", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
]
TEXT = {".yaml", ".yml", ".json", ".sh", ".env", ".xml", ".conf", ".ini", ".properties", ".txt", ".md", ""}


def leaks_in(text: str) -> list[str]:
    return [f"{what}: {m.group(0)[:60]}" for what, pattern in LEAKS for m in pattern.finditer(text)]


def test_the_detector_finds_what_it_looks_for():
    assert leaks_in("url: postgresql://pdz:c0e937b601d64beacda843be293756fa0153645f969c38fd@pdz-pg-rw:5432/postgres")
    assert leaks_in("  secret: 4f9a0c2d7e1b3a5c6d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4")
    assert leaks_in("password: hunter2hunter2hunter2x9")
    assert leaks_in("-----BEGIN RSA PRIVATE KEY-----")
    assert not leaks_in("url: postgresql://pdz:__PG_PASSWORD__@pdz-pg-rw:5432/postgres")
    assert not leaks_in('url: "postgresql://pdz:{{ .password }}@pdz-pg-rw:5432/postgres"')
    assert not leaks_in("  secret: __ROLE_SECRET_REGISTRY__")
    assert not leaks_in("image: ghcr.io/x/y@sha256:" + "ab" * 32)


def test_no_file_under_deploy_holds_a_secret_value():
    found = []
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file() and path.suffix in TEXT and "node_modules" not in path.parts and path.stat().st_size < 2_000_000:
            found += [f"{path.relative_to(ROOT)}: {leak}" for leak in leaks_in(path.read_text(encoding="utf-8", errors="replace"))]
    assert not found, "\n".join(found)


def render(path: Path) -> list[dict]:
    out = subprocess.run(["kubectl", "kustomize", str(path)], capture_output=True, text=True, check=True).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def test_lab_secrets_are_placeholders_only():
    for secret in render(SECRETS / "lab"):
        assert secret["kind"] == "Secret" and "data" not in secret
        for key, value in secret["stringData"].items():
            assert "__" in value or value in {"pdz"}, (secret["metadata"]["name"], key)


def test_lab_and_external_define_the_same_secrets_and_keys():
    lab = {s["metadata"]["name"]: set(s["stringData"]) for s in render(SECRETS / "lab")}
    external = {}
    for es in render(SECRETS / "external"):
        assert es["kind"] == "ExternalSecret"
        template = es["spec"]["target"].get("template", {}).get("data", {})
        keys = set(template) | {d["secretKey"] for d in es["spec"]["data"] if not template}
        external[es["spec"]["target"]["name"]] = keys
    assert lab == external


def test_every_secret_the_manifests_read_is_provided():
    provided = {s["metadata"]["name"]: set(s["stringData"]) for s in render(SECRETS / "lab")}
    strimzi_made = {"pdz-cluster-ca-cert"}  # made by the operators, not by the region
    read = set()
    for folder in ("overlays/basilicata", "overlays/basilicata/infra"):
        text = yaml.safe_dump_all(render(DEPLOY / "k8s" / folder))
        for doc in render(DEPLOY / "k8s" / folder):
            def walk(node):
                if isinstance(node, dict):
                    ref = node.get("secretKeyRef")
                    if ref:
                        read.add((ref["name"], ref["key"]))
                    if "passwordSecret" in node:
                        read.add((node["passwordSecret"]["name"], "password"))
                    for value in node.values():
                        walk(value)
                elif isinstance(node, list):
                    for value in node:
                        walk(value)
            walk(doc)
        assert text
    # KafkaUser secrets (one per service) are made by Strimzi's User Operator.
    missing = {(n, k) for n, k in read if n not in strimzi_made and not n.startswith("pdz-kafka-")
               and k not in provided.get(n, set())}
    kafka_users = {n for n, _ in missing if k_is_kafka_user(n)}
    assert {(n, k) for n, k in missing if n not in kafka_users} == set()


def k_is_kafka_user(name: str) -> bool:
    """Strimzi's User Operator names a KafkaUser's Secret after the user (infra/kafka-users.yaml)."""
    users = DEPLOY / "k8s" / "infra" / "kafka-users.yaml"
    if not users.exists():
        return False
    return any(d and d.get("kind") == "KafkaUser" and d["metadata"]["name"] == name
               for d in yaml.safe_load_all(users.read_text(encoding="utf-8")))
