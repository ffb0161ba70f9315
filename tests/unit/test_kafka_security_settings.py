"""Kafka listener security (PDZ_KAFKA_SECURITY_PROTOCOL, SASL, CA file) reaches every Kafka client the suite builds.

Plaintext with nothing set (the local stack); SASL_SSL + SCRAM-SHA-512 as Kubernetes sets it
(deploy/k8s/base/patches/kafka-tls.yaml and each process's KafkaUser Secret). The clients are
replaced by recorders: no broker is contacted.
"""
import pytest

from shared.config import kafka_security
from shared.events.topics import TopicSpec
from shared.kafka import clients
from services.reporting import replay_kafka

SECURITY_KEYS = {"security_protocol", "sasl_mechanism", "sasl_plain_username", "sasl_plain_password",
                 "ssl_cafile"}
KUBERNETES = {
    "PDZ_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "PDZ_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "PDZ_KAFKA_SASL_USERNAME": "pdz-registry-relay",
    "PDZ_KAFKA_SASL_PASSWORD": "not-a-real-password",
    "PDZ_KAFKA_SSL_CAFILE": "/etc/pdz-kafka/ca.crt",
}
EXPECTED = {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": "pdz-registry-relay", "sasl_plain_password": "not-a-real-password",
            "ssl_cafile": "/etc/pdz-kafka/ca.crt"}


class Recorder:
    """Stands in for KafkaProducer / KafkaConsumer / KafkaAdminClient: keeps the keyword arguments."""
    made: list = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        Recorder.made.append(self)

    def list_topics(self):
        return ["pdz.registry.v1"]

    def list_consumer_group_offsets(self, group):
        return {}

    def close(self, *args, **kwargs):
        pass


@pytest.fixture
def recorded(monkeypatch):
    for name in list(KUBERNETES):
        monkeypatch.delenv(name, raising=False)
    Recorder.made = []
    for module in (clients, replay_kafka):
        for cls in ("KafkaProducer", "KafkaConsumer", "KafkaAdminClient"):
            if hasattr(module, cls):
                monkeypatch.setattr(module, cls, Recorder)
    return Recorder.made


def build_every_client():
    """One of each client the processes and the reporting replay build."""
    clients.idempotent_producer("kafka:9092", client_id="pdz-registry-relay")
    clients.manual_commit_consumer("kafka:9092", group_id="pdz.consultation.replicas", topics=["pdz.registry.v1"])
    clients.ensure_topics("kafka:9092", [TopicSpec("pdz.registry.v1", 12, 1000)])
    replay_kafka.assigned_consumer("kafka:9092", group="pdz.reporting.replay.x", max_poll_records=10)
    replay_kafka.committed("kafka:9092", "pdz.reporting.projections")


def test_nothing_set_is_plaintext_as_before(recorded):
    build_every_client()
    assert len(recorded) == 5
    for client in recorded:
        assert client.kwargs["bootstrap_servers"] == "kafka:9092"
        assert not SECURITY_KEYS & set(client.kwargs), client.kwargs


def test_kubernetes_settings_reach_every_client(recorded, monkeypatch):
    for name, value in KUBERNETES.items():
        monkeypatch.setenv(name, value)
    build_every_client()
    assert len(recorded) == 5
    for client in recorded:
        assert {k: client.kwargs.get(k) for k in SECURITY_KEYS} == EXPECTED
        assert client.kwargs["bootstrap_servers"] == "kafka:9092"


def test_defaults_and_tls_only():
    assert kafka_security({}) == {}
    assert kafka_security({"PDZ_KAFKA_SECURITY_PROTOCOL": "plaintext"}) == {}
    # SASL mechanism defaults to SCRAM-SHA-512 (what Strimzi's scram-sha-512 listener speaks).
    sasl = kafka_security({"PDZ_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                           "PDZ_KAFKA_SASL_USERNAME": "u", "PDZ_KAFKA_SASL_PASSWORD": "p"})
    assert sasl == {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
                    "sasl_plain_username": "u", "sasl_plain_password": "p"}
    # TLS alone (e.g. mTLS done elsewhere): no SASL keys; the CA only when given.
    assert kafka_security({"PDZ_KAFKA_SECURITY_PROTOCOL": "SSL"}) == {"security_protocol": "SSL"}
    assert kafka_security({"PDZ_KAFKA_SECURITY_PROTOCOL": "SSL", "PDZ_KAFKA_SSL_CAFILE": "/ca"}) == {
        "security_protocol": "SSL", "ssl_cafile": "/ca"}


@pytest.mark.parametrize("environ, names", [
    ({"PDZ_KAFKA_SECURITY_PROTOCOL": "TLS"}, "PDZ_KAFKA_SECURITY_PROTOCOL"),
    ({"PDZ_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "PDZ_KAFKA_SASL_USERNAME": "u"}, "PDZ_KAFKA_SASL_PASSWORD"),
    ({"PDZ_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "PDZ_KAFKA_SASL_PASSWORD": "p"}, "PDZ_KAFKA_SASL_USERNAME"),
    ({"PDZ_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "PDZ_KAFKA_SASL_MECHANISM": "GSSAPI",
      "PDZ_KAFKA_SASL_USERNAME": "u", "PDZ_KAFKA_SASL_PASSWORD": "p"}, "PDZ_KAFKA_SASL_MECHANISM"),
])
def test_half_configured_security_is_refused_naming_the_variable(environ, names):
    # Never a silent anonymous connection: the process stops at start, saying what is missing.
    with pytest.raises(ValueError, match=names):
        kafka_security(environ)
