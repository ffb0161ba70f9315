"""Exposure, network policies and autoscaling of the rendered manifests (issue 12, items 2-4),
offline: the Ingress and the Gateway API routes send every API's public prefixes to its `http`
port with TLS and never to `metrics`; every API Service has both ports apart; a namespace-wide
default deny exists and every Deployment is selected by policies allowing what it needs; every
API has an HPA whose target exists and whose minimum keeps the PodDisruptionBudget satisfiable.
docs/deployment.md, "Exposure, network policies and scaling"."""
from __future__ import annotations

import pytest

from tests.deploy_validation import render as r

pytestmark = pytest.mark.skipif(r.kubectl() is None, reason="kubectl is needed to render the manifests")

APIS = ("registry", "consultation", "budget", "reporting")
# What each API's host must route (reporting's open data is under /v1/regions/<region>/opendata/).
PUBLIC = {api: {"/v1", "/docs", "/openapi.json"} for api in APIS}
PUBLIC["reporting"] |= {"/portale"}
OVERLAY = "overlays/basilicata"


def objects(rel: str, kind: str) -> list[dict]:
    rendered = r.render(rel)
    assert rendered.ok, rendered.output
    return [o for o in rendered.objects() if o["kind"] == kind]


def services() -> dict[str, dict]:
    return {s["metadata"]["name"]: s for s in objects("base", "Service")}


def service_port(service: dict, ref: dict | int | str) -> dict:
    """The Service port a backend names (by name or number)."""
    if isinstance(ref, dict):
        ref = ref.get("name", ref.get("number"))
    for port in service["spec"]["ports"]:
        if ref in (port.get("name"), port["port"]):
            return port
    raise AssertionError(f"{service['metadata']['name']} has no port {ref!r}")


def check_backend(name: str, port_ref) -> None:
    port = service_port(services()[name], port_ref)
    assert port["name"] == "http" and port["targetPort"] != "metrics", f"{name}: routed to {port}"


# --- the Ingress ---------------------------------------------------------------------------

def test_the_ingress_routes_every_api_prefix_with_tls():
    [ingress] = objects("ingress", "Ingress")
    tls_hosts = {h for entry in ingress["spec"]["tls"] for h in entry["hosts"] if entry.get("secretName")}
    routed: dict[str, set[str]] = {}
    for rule in ingress["spec"]["rules"]:
        assert rule["host"] in tls_hosts, f"{rule['host']} is served without TLS"
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            check_backend(backend["name"], backend["port"])
            routed.setdefault(backend["name"].removesuffix("-api"), set()).add(path["path"].rstrip("/"))
    for api, prefixes in PUBLIC.items():
        assert prefixes <= routed.get(api, set()), f"{api}: {prefixes - routed.get(api, set())} not routed"
    assert not any(p in {"/metrics", "/livez", "/readyz", ""} for ps in routed.values() for p in ps)
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"


# --- the Gateway API alternative -----------------------------------------------------------

def test_the_httproutes_route_every_api_prefix_through_the_https_listener():
    [gateway] = objects("gateway", "Gateway")
    https = {l["name"]: l for l in gateway["spec"]["listeners"] if l["protocol"] == "HTTPS"}
    assert https and all(l["tls"]["certificateRefs"] for l in https.values())
    routed: dict[str, set[str]] = {}
    for route in objects("gateway", "HTTPRoute"):
        parents = route["spec"]["parentRefs"]
        assert all(p["name"] == gateway["metadata"]["name"] for p in parents)
        for rule in route["spec"]["rules"]:
            backends = rule.get("backendRefs", [])
            if not backends:  # the plain-HTTP listener only redirects
                assert [f["type"] for f in rule["filters"]] == ["RequestRedirect"]
                assert rule["filters"][0]["requestRedirect"]["scheme"] == "https"
                continue
            assert all(p.get("sectionName") in https for p in parents), f"{route['metadata']['name']}: not on HTTPS"
            for backend in backends:
                check_backend(backend["name"], backend["port"])
                for match in rule["matches"]:
                    routed.setdefault(backend["name"].removesuffix("-api"), set()).add(
                        match["path"]["value"].rstrip("/"))
    for api, prefixes in PUBLIC.items():
        assert prefixes <= routed.get(api, set()), f"{api}: {prefixes - routed.get(api, set())} not routed"


# --- ports ---------------------------------------------------------------------------------

def test_every_api_service_has_separate_http_and_metrics_ports():
    config = {k: v for cm in objects("base", "ConfigMap") if cm["metadata"]["name"].startswith("pdz-config")
              for k, v in cm["data"].items()}
    deployments = {d["metadata"]["name"]: d for d in objects("base", "Deployment")}
    for api in APIS:
        ports = {p["name"]: p for p in services()[f"{api}-api"]["spec"]["ports"]}
        assert {"http", "metrics"} <= set(ports), f"{api}-api: ports {sorted(ports)}"
        assert ports["http"]["targetPort"] != ports["metrics"]["targetPort"]
        [container] = deployments[f"{api}-api"]["spec"]["template"]["spec"]["containers"]
        declared = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert declared["metrics"] != declared["http"]
        # The process listens where the Service points: PDZ_METRICS_PORT of pdz-config.
        assert str(declared["metrics"]) == config["PDZ_METRICS_PORT"]


# --- network policies ----------------------------------------------------------------------

def selects(selector: dict, labels: dict) -> bool:
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        present, value = expr["key"] in labels, labels.get(expr["key"])
        ok = {"In": present and value in expr.get("values", []),
              "NotIn": not present or value not in expr.get("values", []),
              "Exists": present, "DoesNotExist": not present}[expr["operator"]]
        if not ok:
            return False
    return True


def allows(policies: list[dict], direction: str, pod: dict, port, peer=lambda p: True) -> bool:
    """Some policy selecting `pod` allows `direction` traffic on `port` with a peer accepted by `peer`."""
    for policy in policies:
        if direction not in policy["spec"].get("policyTypes", []) or not selects(policy["spec"]["podSelector"], pod):
            continue
        for rule in policy["spec"].get(direction.lower(), []):
            ports = rule.get("ports")
            peers = rule.get("to" if direction == "Egress" else "from")
            if (ports is None or any(p.get("port") == port for p in ports)) and (not peers or any(map(peer, peers))):
                return True
    return False


POSTGRES = {"cnpg.io/cluster": "pdz-pg", "cnpg.io/podRole": "instance"}
POOLER = {"cnpg.io/poolerName": "pdz-pg-pooler-rw", "cnpg.io/podRole": "pooler"}
KAFKA = {"strimzi.io/cluster": "pdz", "strimzi.io/kind": "Kafka", "strimzi.io/name": "pdz-kafka"}


def to_pods(labels: dict):
    return lambda peer: "podSelector" in peer and "namespaceSelector" not in peer and selects(peer["podSelector"], labels)


def from_namespace(peer) -> bool:
    return "namespaceSelector" in peer and bool(peer["namespaceSelector"].get("matchLabels"))


def pods() -> dict[str, dict]:
    labels = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"]
              for d in objects(OVERLAY, "Deployment")}
    labels.update({j["metadata"]["name"]: j["spec"]["template"]["metadata"]["labels"] for j in objects(OVERLAY, "Job")})
    return labels


def test_a_default_deny_covers_the_whole_namespace():
    deny = [p for p in objects(OVERLAY, "NetworkPolicy")
            if p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert deny, "no namespace-wide default deny (ingress and egress)"


@pytest.mark.parametrize("name", sorted(pods()) if r.kubectl() else [])
def test_every_workload_is_allowed_what_it_needs_and_no_more(name):
    policies = objects(OVERLAY, "NetworkPolicy")
    pod = pods()[name]
    component = pod.get("app.kubernetes.io/component")
    assert allows(policies, "Egress", pod, 53), f"{name}: no DNS"
    assert allows(policies, "Egress", pod, 5432, to_pods(POSTGRES)), f"{name}: cannot reach PostgreSQL"
    if component in ("api", "consumer"):
        assert allows(policies, "Egress", pod, 5432, to_pods(POOLER)), f"{name}: cannot reach the Pooler"
    assert allows(policies, "Egress", pod, 9092, to_pods(KAFKA)), f"{name}: cannot reach Kafka"
    # ... and the other end admits it.
    assert allows(policies, "Ingress", POSTGRES, 5432, to_pods(pod)), f"PostgreSQL refuses {name}"
    assert allows(policies, "Ingress", KAFKA, 9092, to_pods(pod)), f"Kafka refuses {name}"
    assert not allows(policies, "Egress", pod, 5432, to_pods({"app": "anything-else"}))
    if component == "provision":
        return
    assert allows(policies, "Ingress", pod, "metrics", from_namespace), f"{name}: Prometheus cannot scrape it"
    if component == "api":
        assert allows(policies, "Ingress", pod, "http", from_namespace), f"{name}: the ingress cannot reach it"
    else:
        assert not allows(policies, "Ingress", pod, "http"), f"{name}: reachable though it serves no API"
    # Nothing from arbitrary pods of the namespace.
    assert not allows(policies, "Ingress", pod, "http", to_pods({"app": "intruder"}))
    assert not allows(policies, "Ingress", pod, "metrics", to_pods({"app": "intruder"}))


def test_postgres_and_kafka_admit_their_operators_and_not_strangers():
    policies = objects(OVERLAY, "NetworkPolicy")
    assert allows(policies, "Ingress", POSTGRES, 8000, from_namespace)       # the CNPG operator
    assert allows(policies, "Ingress", KAFKA, 9091, from_namespace)          # the Strimzi operator
    stranger = to_pods({"app": "intruder"})
    assert not allows(policies, "Ingress", POSTGRES, 5432, stranger)
    assert not allows(policies, "Ingress", POOLER, 5432, stranger)
    assert not allows(policies, "Ingress", KAFKA, 9092, stranger)


# --- autoscaling ---------------------------------------------------------------------------

def test_every_api_has_an_hpa_consistent_with_its_disruption_budget():
    deployments = {d["metadata"]["name"]: d for d in objects(OVERLAY, "Deployment")}
    budgets = {b["metadata"]["name"]: b for b in objects(OVERLAY, "PodDisruptionBudget")}
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in objects(OVERLAY, "HorizontalPodAutoscaler")}
    apis = [n for n, d in deployments.items() if d["metadata"]["labels"].get("app.kubernetes.io/component") == "api"]
    assert sorted(apis) == sorted(f"{a}-api" for a in APIS)
    for target, hpa in hpas.items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment" and target in deployments, f"HPA for {target}"
    for name in apis:
        hpa = hpas.get(name)
        assert hpa, f"{name} has no HPA"
        spec = hpa["spec"]
        assert {m["resource"]["name"] for m in spec["metrics"] if m["type"] == "Resource"} >= {"cpu"}
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"]
        # A drain must leave a pod standing at the minimum: minAvailable < minReplicas.
        assert budgets[name]["spec"]["minAvailable"] < spec["minReplicas"]
        assert deployments[name]["spec"]["replicas"] == spec["minReplicas"]
