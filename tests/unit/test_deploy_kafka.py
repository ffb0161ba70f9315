"""Kafka on Kubernetes (deploy/k8s/infra) and locally (deploy/local/kafka): one version, one a supported
Strimzi accepts; TLS + SCRAM users whose ACLs are exactly what each process's code writes and reads;
credentials in every workload that talks to Kafka. Offline: kubectl kustomize only, no cluster.
"""
import importlib
import inspect
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from shared.consumer.routes import RegionalRoute, TenantRoute
from shared.events.topics import all_topics, deadletter_topic, retry_topic, service_topic, statistics_topic

ROOT = Path(__file__).resolve().parents[2]

# Kafka versions each Strimzi release accepts: the entries with `supported: true` in kafka-versions.yaml
# of github.com/strimzi/strimzi-kafka-operator at each release tag (read 2026-11-27).
STRIMZI_KAFKA_VERSIONS = {
    "0.49.0": {"4.0.0", "4.0.1", "4.1.0", "4.1.1"},
    "0.49.1": {"4.0.0", "4.0.1", "4.1.0", "4.1.1"},
    "0.50.0": {"4.0.0", "4.0.1", "4.1.0", "4.1.1"},
    "0.50.1": {"4.0.0", "4.0.1", "4.1.0", "4.1.1"},
    "0.51.0": {"4.1.0", "4.1.1", "4.2.0"},
    "1.0.0": {"4.1.0", "4.1.1", "4.1.2", "4.2.0"},
    "1.0.1": {"4.1.0", "4.1.1", "4.1.2", "4.2.0"},
    "1.1.0": {"4.2.0", "4.2.1", "4.3.0"},
    "1.2.0": {"4.2.0", "4.2.1", "4.3.0", "4.3.1"},
}
# The Strimzi releases docs/deployment.md ("Operators and versions") states pdz runs on.
DOCUMENTED_STRIMZI = ("1.1.0", "1.2.0")
pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")


def rendered(folder: str) -> list[dict]:
    out = subprocess.run(["kubectl", "kustomize", str(ROOT / folder)], capture_output=True, text=True, check=True)
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


@pytest.fixture(scope="module")
def infra() -> list[dict]:
    return rendered("deploy/k8s/overlays/basilicata/infra")


@pytest.fixture(scope="module")
def suite() -> list[dict]:
    return rendered("deploy/k8s/overlays/basilicata")


def kafka(infra) -> dict:
    [cluster] = [d for d in infra if d["kind"] == "Kafka"]
    return cluster


def pom_kafka_version() -> str:
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    pom = ET.parse(ROOT / "deploy" / "local" / "kafka" / "pom.xml").getroot()
    return pom.find("m:properties/m:kafka.version", ns).text.strip()


def operators_section() -> str:
    text = (ROOT / "docs" / "deployment.md").read_text()
    return text.split("## Operators and versions", 1)[1].split("\n## ", 1)[0]


# -- versions ------------------------------------------------------------------------------------------------
def test_kafka_version_is_accepted_by_every_documented_strimzi(infra):
    spec = kafka(infra)["spec"]["kafka"]
    version = spec["version"]
    for strimzi in DOCUMENTED_STRIMZI:
        assert version in STRIMZI_KAFKA_VERSIONS[strimzi], f"Strimzi {strimzi} does not accept Kafka {version}"
    # The metadata version is the running Kafka's (4.2.x -> 4.2-IVn), never ahead of it.
    assert spec["metadataVersion"].startswith(".".join(version.split(".")[:2]) + "-IV")


def test_the_documented_range_is_what_the_docs_say(infra):
    section = operators_section()
    version = kafka(infra)["spec"]["kafka"]["version"]
    assert f"Kafka {version}" in section
    assert f"**{DOCUMENTED_STRIMZI[0]}**" in section and DOCUMENTED_STRIMZI[-1].rsplit(".", 1)[0] in section
    # Releases left out of the range really refuse the version (else the range is understated or wrong).
    refusing = [s for s, accepted in STRIMZI_KAFKA_VERSIONS.items() if version not in accepted]
    assert set(STRIMZI_KAFKA_VERSIONS) - set(refusing) == set(DOCUMENTED_STRIMZI)


def test_local_stack_runs_the_same_kafka_version(infra):
    assert pom_kafka_version() == kafka(infra)["spec"]["kafka"]["version"]


def test_docker_compose_runs_the_same_kafka_version(infra):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    image = compose["services"]["kafka"]["image"]
    assert image.rsplit(":", 1)[1] == kafka(infra)["spec"]["kafka"]["version"]


def test_metrics_config_points_at_a_configmap_with_rules(infra):
    ref = kafka(infra)["spec"]["kafka"]["metricsConfig"]
    assert ref["type"] == "jmxPrometheusExporter"
    key = ref["valueFrom"]["configMapKeyRef"]
    [cm] = [d for d in infra if d["kind"] == "ConfigMap" and d["metadata"]["name"] == key["name"]]
    rules = yaml.safe_load(cm["data"][key["key"]])
    assert rules["rules"] and rules["lowercaseOutputName"] is True


# -- who writes and reads what, from the code ---------------------------------------------------------------
def scripts() -> dict[str, str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]


def relay_access(service: str) -> dict[str, set[str]]:
    """A relay publishes its service's outbox and dead-letters what Kafka refuses for good."""
    rounds = inspect.getsource(importlib.import_module("shared.outbox.rounds"))
    writes = {service_topic(service)} | ({deadletter_topic()} if "deadletter_topic()" in rounds else set())
    return {topic: {"Describe", "Write"} for topic in writes}


def consumer_call(script: str, monkeypatch) -> dict:
    """What the consumer entry point hands run_consumer (nothing connects: run_consumer is recorded)."""
    import shared.processes
    calls = []
    monkeypatch.setattr(shared.processes, "run_consumer", lambda **kwargs: calls.append(kwargs))
    module_name, func = scripts()[script].split(":")
    module = importlib.import_module(module_name)
    if hasattr(module, "_start_publisher"):
        monkeypatch.setattr(module, "_start_publisher", lambda **kwargs: (lambda: None))
    getattr(module, func)()
    [call] = calls
    return {**call, "module": module}


def consumer_access(call: dict) -> dict[str, set[str]]:
    route = RegionalRoute if call.get("regional") else TenantRoute
    reads = set(call["topics"]) | ({retry_topic()} if route.parks else set())
    writes = {deadletter_topic()} | ({retry_topic()} if route.parks else set())
    if "statistics_topic()" in inspect.getsource(call["module"]):
        writes.add(statistics_topic())
    access = {}
    for topic in reads | writes:
        access[topic] = {"Describe"} | ({"Read"} if topic in reads else set()) | ({"Write"} if topic in writes else set())
    return access


def users(infra) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in infra if d["kind"] == "KafkaUser"}


def topic_acls(user: dict) -> dict[str, set[str]]:
    acls = {}
    for acl in user["spec"]["authorization"]["acls"]:
        if acl["resource"]["type"] == "topic" and acl.get("type", "allow") == "allow":
            assert acl["resource"]["patternType"] == "literal", "service users get named topics only"
            acls.setdefault(acl["resource"]["name"], set()).update(acl["operations"])
    return acls


def group_allows(user: dict, group: str, operation: str) -> bool:
    for acl in user["spec"]["authorization"]["acls"]:
        res = acl["resource"]
        if res["type"] != "group" or operation not in acl["operations"]:
            continue
        if (res["patternType"] == "prefix" and group.startswith(res["name"])) or res["name"] == group:
            return True
    return False


def kafka_processes(monkeypatch) -> dict[str, dict]:
    """{script: expected topic ACLs (+ the consumer group)} for every relay and consumer entry point."""
    expected = {}
    for script in scripts():
        match = re.fullmatch(r"pdz-(\w+)-(relay|consumer)", script)
        if not match:
            continue  # the APIs, `pdz`, the one-shot commands (republish: the outbox; revoke: the database)
        service, kind = match.groups()
        if kind == "relay":
            expected[script] = {"topics": relay_access(service)}
        elif kind == "consumer":
            call = consumer_call(script, monkeypatch)
            assert call["service"] == service
            expected[script] = {"topics": consumer_access(call), "group": call["name"], "service": service}
    return expected


def test_every_kafka_process_has_a_user_with_exactly_the_acls_its_code_needs(infra, monkeypatch):
    monkeypatch.delenv("PDZ_TOPIC_PREFIX", raising=False)
    found = users(infra)
    expected = kafka_processes(monkeypatch)
    assert len(expected) == 6  # three relays, three consumers
    for script, needs in expected.items():
        assert script in found, f"no KafkaUser for {script}"
        user = found[script]
        assert user["spec"]["authentication"]["type"] == "scram-sha-512"
        assert topic_acls(user) == needs["topics"], script
        if "group" in needs:
            assert group_allows(user, needs["group"], "Read"), script
            # Groups by the service's prefix only: pdz.<service>.
            prefixes = {a["resource"]["name"] for a in user["spec"]["authorization"]["acls"]
                        if a["resource"]["type"] == "group"}
            assert prefixes == {f"pdz.{needs['service']}."}, script
        else:
            assert not any(a["resource"]["type"] == "group" for a in user["spec"]["authorization"]["acls"]), script
    # Only the provisioning user is left, and it may only list and create pdz topics.
    assert set(found) - set(expected) == {"pdz-provision"}
    [acl] = found["pdz-provision"]["spec"]["authorization"]["acls"]
    assert acl["resource"] == {"type": "topic", "name": "pdz.", "patternType": "prefix"}
    assert set(acl["operations"]) == {"Create", "Describe"}


def test_acls_name_only_topics_that_exist(infra):
    names = {spec.name for spec in all_topics()}
    declared = {d["spec"]["topicName"] for d in infra if d["kind"] == "KafkaTopic"}
    for name, user in users(infra).items():
        if name != "pdz-provision":  # its one ACL is the prefix pdz. (checked above)
            assert set(topic_acls(user)) <= names & declared, name


def test_listener_is_tls_with_scram_and_acls_are_enforced(infra, suite):
    spec = kafka(infra)["spec"]
    config = next(d for d in suite if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("pdz-config"))
    port = int(config["data"]["PDZ_KAFKA_BOOTSTRAP"].rsplit(":", 1)[1])
    [listener] = [entry for entry in spec["kafka"]["listeners"] if entry["port"] == port]
    assert listener["tls"] is True and listener["authentication"]["type"] == "scram-sha-512"
    assert all(entry.get("authentication") for entry in spec["kafka"]["listeners"]), "no anonymous listener"
    assert spec["kafka"]["authorization"]["type"] == "simple"
    assert "userOperator" in spec["entityOperator"]


# -- credentials in the workloads ---------------------------------------------------------------------------
def env_of(workload: dict) -> dict[str, dict]:
    return {e["name"]: e for e in workload["spec"]["template"]["spec"]["containers"][0].get("env", [])}


def mounted_file(workload: dict, path: str) -> tuple[str, str] | None:
    """(secret, key) behind a file path of the main container, if a Secret volume provides it."""
    pod = workload["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for mount in pod["containers"][0].get("volumeMounts", []):
        if path.startswith(mount["mountPath"].rstrip("/") + "/") and "secret" in volumes[mount["name"]]:
            secret = volumes[mount["name"]]["secret"]
            name = path[len(mount["mountPath"].rstrip("/")) + 1:]
            keys = {i["path"]: i["key"] for i in secret.get("items", [])} or {name: name}
            return secret["secretName"], keys.get(name)
    return None


def assert_kafka_credentials(workload: dict, user: str) -> None:
    env = env_of(workload)
    label = workload["metadata"]["name"]
    assert env["PDZ_KAFKA_SECURITY_PROTOCOL"]["value"] == "SASL_SSL", label
    assert env["PDZ_KAFKA_SASL_MECHANISM"]["value"] == "SCRAM-SHA-512", label
    assert env["PDZ_KAFKA_SASL_USERNAME"]["value"] == user, label
    # The User Operator's Secret is named after the KafkaUser; its key `password`.
    assert env["PDZ_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": user, "key": "password"}, label
    # The cluster CA Strimzi keeps as <cluster>-cluster-ca-cert, key ca.crt.
    assert mounted_file(workload, env["PDZ_KAFKA_SSL_CAFILE"]["value"]) == ("pdz-cluster-ca-cert", "ca.crt"), label


def test_every_workload_that_talks_to_kafka_has_its_own_credentials(infra, suite):
    kafka_users = users(infra)
    seen = set()
    for workload in suite:
        if workload["kind"] not in ("Deployment", "Job"):
            continue
        command = " ".join(workload["spec"]["template"]["spec"]["containers"][0]["command"])
        if re.fullmatch(r"pdz-\w+-(relay|consumer)", command):
            assert_kafka_credentials(workload, command)
            seen.add(command)
        elif "pdz topics create" in command:
            assert_kafka_credentials(workload, "pdz-provision")
            seen.add("pdz-provision")
        else:
            # The APIs do not talk to Kafka: no Kafka login where none is needed.
            assert not any(name.startswith("PDZ_KAFKA_SASL") for name in env_of(workload)), command
    assert seen == set(kafka_users)
