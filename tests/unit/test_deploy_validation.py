"""Offline validation of the deployment manifests (issue 12, item 9).

Every kustomization under deploy/k8s renders; every rendered object validates
against its schema: built-in kinds with kubernetes-validate's strict schemas
for two Kubernetes versions, custom resources with their operator's CRD schema
at a pinned release (an object of a kind with no such schema fails: add the
schema before the kind); docker-compose.yml against the compose-spec schema;
and every Deployment is hardened (probes, resources, securityContext, a
PodDisruptionBudget). docs/deployment.md, "## Offline validation", says how to
refresh the schemas. Everything is rendered and loaded once per session.
"""

from __future__ import annotations

import pytest
import yaml

from tests.deploy_validation import download_schemas as d
from tests.deploy_validation import render as r
from tests.deploy_validation import schemas as s

# Two Kubernetes minor versions the manifests must be valid for: the oldest one
# the region's managed clusters may still run and a current one. Both must be
# shipped by the pinned kubernetes-validate (pyproject.toml, test extras).
K8S_VERSIONS = ("1.31", "1.35")

DIRS = r.kustomization_dirs()
OBJECTS = r.unique_objects() if r.kubectl() else ()


def _schemas_root():
    root = s.schemas_root()
    if root is None:
        # Third-party files, downloaded at set-up (schemas.py): `make test` runs `make schemas` first and stops
        # on a failed download, so only a run of pytest alone on a fresh checkout gets here.
        pytest.skip("CRD/compose schemas not downloaded: run `make schemas` (docs/deployment.md, Offline validation)")
    return root


def _validation_errors(validator, obj) -> str:
    errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
    return "\n".join(f"  {'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}" for e in errors[:10])


def test_kubectl_is_available():
    assert r.kubectl(), r.KUBECTL_MISSING


def test_kustomizations_are_discovered():
    assert {"base", "infra"} <= set(DIRS), DIRS


@pytest.mark.parametrize("rel", DIRS)
def test_kustomization_renders(rel):
    rendered = r.render(rel)
    assert rendered.ok, f"kubectl kustomize deploy/k8s/{rel} failed:\n{rendered.output}"
    assert rendered.objects() or r.is_component(rel), f"deploy/k8s/{rel} renders no object"


def test_the_pinned_kubernetes_validate_ships_both_versions():
    assert set(K8S_VERSIONS) <= set(s.shipped_k8s_versions()), s.shipped_k8s_versions()


# A built-in kind must exist in both versions: one served by the newer only fails for the older.
BUILTIN_CASES = [pytest.param(text, version, id=f"{ident}@{version}")
                 for ident, text, api, kind in OBJECTS if any(s.is_builtin(api, kind, v) for v in K8S_VERSIONS)
                 for version in K8S_VERSIONS]
CUSTOM_CASES = [pytest.param(text, id=ident) for ident, text, api, kind in OBJECTS
                if not any(s.is_builtin(api, kind, v) for v in K8S_VERSIONS)]


@pytest.mark.parametrize("text,version", BUILTIN_CASES)
def test_builtin_object_is_valid_strict(text, version):
    obj = r.load(text)
    assert s.is_builtin(obj["apiVersion"], obj["kind"], version), \
        f"{r.object_id(obj)}: {obj['apiVersion']} {obj['kind']} is not served by Kubernetes {version}"
    errors = _validation_errors(s.builtin_validator(version, obj["apiVersion"], obj["kind"]), obj)
    assert not errors, f"{r.object_id(obj)} is not a valid {obj['apiVersion']} {obj['kind']} " \
                       f"for Kubernetes {version} (strict):\n{errors}"


@pytest.mark.parametrize("text", CUSTOM_CASES)
def test_custom_resource_matches_its_crd_schema(text):
    obj = r.load(text)
    root = _schemas_root()
    entry = s.crd_index(root).get((obj["apiVersion"], obj["kind"]))
    assert entry, (f"{r.object_id(obj)}: no schema for {obj['apiVersion']} {obj['kind']} (neither built into "
                   f"Kubernetes {' nor '.join(K8S_VERSIONS)} nor a CRD under {root}/crds): "
                   "add its CRD to tests/deploy_validation/schemas.lock.toml first (docs/deployment.md, "
                   "Offline validation)")
    path, source = entry
    errors = _validation_errors(s.crd_validator(path), obj)
    assert not errors, f"{r.object_id(obj)} does not match the {source} CRD schema:\n{errors}"


def test_docker_compose_matches_the_compose_spec():
    root = _schemas_root()
    compose = yaml.safe_load((r.ROOT / "docker-compose.yml").read_text())
    errors = _validation_errors(s.compose_validator(root), compose)
    assert not errors, f"docker-compose.yml does not match the compose-spec schema:\n{errors}"


# --- the basilicata overlay's exposure: Ingress (as committed) or Gateway API (one line changed) --------

OVERLAY = "overlays/basilicata"
EXPOSURE_LINE = "  - exposure/ingress"
REGION_HOSTS = {f"{svc}.pdz.basilicata.example.it" for svc in ("registry", "consultation", "budget", "reporting")}


def _gateway_choice() -> r.Rendered:
    return r.render_variant(OVERLAY, EXPOSURE_LINE, "  - exposure/gateway")


GATEWAY_CHOICE_CASES = [
    pytest.param(r.dump(obj), id=f"{OVERLAY}+gateway:{r.object_id(obj)}")
    for obj in (_gateway_choice().objects() if r.kubectl() else [])
    if r.dump(obj) not in {text for _, text, _, _ in OBJECTS}]


def test_the_gateway_choice_renders_and_differs_only_by_its_exposure():
    rendered = _gateway_choice()
    assert rendered.ok, rendered.output
    kinds = {o["kind"] for o in rendered.objects()}
    assert {"Gateway", "HTTPRoute"} <= kinds and "Ingress" not in kinds, kinds
    assert {r.object_id(o) for o in rendered.objects()} - {r.object_id(o) for o in r.render(OVERLAY).objects()} == {
        "Gateway/pdz-basilicata/pdz", "NetworkPolicy/pdz-basilicata/pdz-api-from-gateway",
        *(f"HTTPRoute/pdz-basilicata/{n}" for n in ("registry-api", "consultation-api", "budget-api",
                                                     "reporting-api", "pdz-https-redirect"))}


@pytest.mark.parametrize("text", GATEWAY_CHOICE_CASES)
def test_gateway_choice_object_is_valid(text):
    obj = r.load(text)
    if any(s.is_builtin(obj["apiVersion"], obj["kind"], v) for v in K8S_VERSIONS):
        for version in K8S_VERSIONS:
            assert not _validation_errors(s.builtin_validator(version, obj["apiVersion"], obj["kind"]), obj)
    else:
        path, source = s.crd_index(_schemas_root())[(obj["apiVersion"], obj["kind"])]
        errors = _validation_errors(s.crd_validator(path), obj)
        assert not errors, f"{r.object_id(obj)} does not match the {source} CRD schema:\n{errors}"


def _public_hosts(objects: list[dict]) -> set[str]:
    config = next(o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("pdz-config"))
    return {v.split("/")[2] for k, v in config["data"].items() if k.startswith("PDZ_PUBLIC_URL_")}


def test_both_exposure_choices_serve_the_region_hosts_the_config_names():
    ingress_objects, gateway_objects = r.render(OVERLAY).objects(), _gateway_choice().objects()
    assert not {"Gateway", "HTTPRoute"} & {o["kind"] for o in ingress_objects}
    [ingress] = [o for o in ingress_objects if o["kind"] == "Ingress"]
    assert {rule["host"] for rule in ingress["spec"]["rules"]} == REGION_HOSTS
    assert {h for entry in ingress["spec"]["tls"] for h in entry["hosts"]} == REGION_HOSTS
    routes = [o for o in gateway_objects if o["kind"] == "HTTPRoute" and o["spec"].get("hostnames")]
    assert {h for route in routes for h in route["spec"]["hostnames"]} == REGION_HOSTS
    [gateway] = [o for o in gateway_objects if o["kind"] == "Gateway"]
    assert {listener["hostname"] for listener in gateway["spec"]["listeners"]} == {"*.pdz.basilicata.example.it"}
    for objects in (ingress_objects, gateway_objects):
        assert _public_hosts(objects) <= REGION_HOSTS and _public_hosts(objects)
        assert {o["metadata"].get("namespace") for o in objects if o["kind"] in
                {"Ingress", "Gateway", "HTTPRoute", "NetworkPolicy"}} == {"pdz-basilicata"}


# PostgreSQL 15's GUC_REPORT parameters a client can change: the only ones PgBouncer's track_extra_parameters
# can keep per client (its documentation); any other one is not applied per client (docs/deployment.md).
REPORTED_PARAMETERS = {"application_name", "client_encoding", "datestyle", "default_transaction_read_only",
                       "intervalstyle", "standard_conforming_strings", "timezone", "session_authorization"}


def test_the_pooler_tracks_only_parameters_postgres_reports():
    poolers = [o for o in r.render("infra").objects() if o["kind"] == "Pooler"]
    assert poolers
    for pooler in poolers:
        tracked = (pooler["spec"]["pgbouncer"].get("parameters") or {}).get("track_extra_parameters", "")
        names = {n.strip().lower() for n in tracked.split(",") if n.strip()}
        assert names <= REPORTED_PARAMETERS, f"{r.object_id(pooler)} tracks {names - REPORTED_PARAMETERS}"


# --- every Deployment is hardened ---------------------------------------------------------------

DEPLOYMENTS = [pytest.param(rel, obj["metadata"]["name"], id=f"{rel}:{obj['metadata']['name']}")
               for rel in DIRS for obj in r.render(rel).objects() if obj.get("kind") == "Deployment"] \
    if r.kubectl() else []


def _effective(pod_ctx: dict, ctr_ctx: dict, key: str):
    # A container's securityContext overrides the pod's for the fields both have.
    return ctr_ctx.get(key, pod_ctx.get(key))


def hardening_problems(deployment: dict, budgets: list[dict]) -> list[str]:
    """What a Deployment lacks: probes, requests and limits, a restricted securityContext, a PDB."""
    pod = deployment["spec"]["template"]["spec"]
    pod_ctx = pod.get("securityContext") or {}
    problems = []
    for ctr in pod.get("initContainers", []) + pod["containers"]:
        name, ctx = ctr["name"], ctr.get("securityContext") or {}
        is_init = ctr in pod.get("initContainers", [])
        if not is_init:
            for probe in ("livenessProbe", "readinessProbe"):
                if not ctr.get(probe):
                    problems.append(f"{name}: no {probe}")
        res = ctr.get("resources") or {}
        # Requests need cpu and memory (scheduling, HPA); limits at least memory (a CPU limit only throttles).
        for part, needed in (("requests", {"cpu", "memory"}), ("limits", {"memory"})):
            if not needed <= set(res.get(part) or {}):
                problems.append(f"{name}: resources.{part} lacks {'/'.join(sorted(needed))}")
        if _effective(pod_ctx, ctx, "runAsNonRoot") is not True:
            problems.append(f"{name}: runAsNonRoot is not true")
        if ctx.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{name}: readOnlyRootFilesystem is not true")
        if ctx.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation is not false")
        if "ALL" not in ((ctx.get("capabilities") or {}).get("drop") or []):
            problems.append(f"{name}: capabilities do not drop ALL")
        if (_effective(pod_ctx, ctx, "seccompProfile") or {}).get("type") != "RuntimeDefault":
            problems.append(f"{name}: seccompProfile is not RuntimeDefault")
    labels = deployment["spec"]["template"]["metadata"].get("labels") or {}
    namespace = deployment["metadata"].get("namespace")
    selecting = [b for b in budgets if b["metadata"].get("namespace") == namespace
                 and _selects(b["spec"].get("selector") or {}, labels)]
    if not selecting:
        problems.append("no PodDisruptionBudget selects its pods")
    return problems


def _selects(selector: dict, labels: dict) -> bool:
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        return False  # an empty selector in policy/v1 selects every pod: not a budget for this one
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


@pytest.mark.parametrize("rel,name", DEPLOYMENTS)
def test_deployment_is_hardened(rel, name):
    objects = r.render(rel).objects()
    deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == name)
    budgets = [o for o in objects if o["kind"] == "PodDisruptionBudget"]
    problems = hardening_problems(deployment, budgets)
    assert not problems, f"Deployment {name} (deploy/k8s/{rel}):\n  " + "\n  ".join(problems)


# --- the checks above can fail: each rejects a broken object -----------------------------------

def _first(kind: str) -> dict:
    return next(r.load(text) for _, text, _, k in OBJECTS if k == kind)


def test_strict_builtin_validation_rejects_an_unknown_field_and_a_wrong_type():
    deployment = _first("Deployment")
    deployment["spec"]["replicaz"] = 2
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] = {"x": 1}
    for version in K8S_VERSIONS:
        errors = _validation_errors(s.builtin_validator(version, "apps/v1", "Deployment"), deployment)
        assert "replicaz" in errors and "memory" in errors, errors


def test_crd_validation_rejects_an_unknown_field_but_not_a_preserved_one():
    kafka = _first("Kafka")
    path, _ = s.crd_index(_schemas_root())[("kafka.strimzi.io/v1", "Kafka")]
    # spec.kafka.config is x-kubernetes-preserve-unknown-fields: any broker setting is accepted.
    kafka["spec"]["kafka"].setdefault("config", {})["any.broker.setting"] = 1
    assert not _validation_errors(s.crd_validator(path), kafka)
    kafka["spec"]["kafka"]["replicaz"] = 3
    assert "replicaz" in _validation_errors(s.crd_validator(path), kafka)


def test_cnpg_validation_rejects_a_wrong_type_an_unknown_field_and_a_bad_enum():
    cluster, pooler = _first("Cluster"), _first("Pooler")
    cluster_path, source = s.crd_index(_schemas_root())[("postgresql.cnpg.io/v1", "Cluster")]
    pooler_path, _ = s.crd_index(_schemas_root())[("postgresql.cnpg.io/v1", "Pooler")]
    assert source.startswith("cnpg ") and not _validation_errors(s.crd_validator(cluster_path), cluster)
    cluster["spec"]["instances"] = "three"
    cluster["spec"]["postgresql"]["max_connectionz"] = "1000"
    errors = _validation_errors(s.crd_validator(cluster_path), cluster)
    assert "spec.instances" in errors and "max_connectionz" in errors, errors
    assert not _validation_errors(s.crd_validator(pooler_path), pooler)
    pooler["spec"]["pgbouncer"]["poolMode"] = "statement-ish"
    assert "spec.pgbouncer.poolMode" in _validation_errors(s.crd_validator(pooler_path), pooler)


def test_strimzi_validation_rejects_a_bad_acl_operation():
    user = _first("KafkaUser")
    path, _ = s.crd_index(_schemas_root())[("kafka.strimzi.io/v1", "KafkaUser")]
    assert not _validation_errors(s.crd_validator(path), user)
    user["spec"]["authorization"]["acls"][0]["operations"] = ["Scribble"]
    assert "spec.authorization.acls.0.operations" in _validation_errors(s.crd_validator(path), user)


def test_compose_validation_rejects_an_unknown_service_key():
    compose = yaml.safe_load((r.ROOT / "docker-compose.yml").read_text())
    service = next(iter(compose["services"].values()))
    service["restartt"] = "always"
    assert "restartt" in _validation_errors(s.compose_validator(_schemas_root()), compose)


def test_the_schema_folder_was_built_from_the_current_lock():
    root = _schemas_root()
    assert d.is_current(root), (f"{root} was built from another schemas.lock.toml (or by hand): "
                                "run `make schemas`")
    built = {(path.parent.parent.name, path.parent.name) for path, _ in s.crd_index(root).values()}
    locked = {(src["name"], src["release"]) for src in d.load_lock() if not any("out" in f for f in src["file"])}
    assert built == locked


def test_the_lock_pins_a_release_a_source_and_a_sum_per_file():
    sources = d.load_lock()
    assert {"strimzi", "cnpg", "prometheus-operator", "gateway-api", "external-secrets", "cert-manager",
            "compose-spec"} == {src["name"] for src in sources}
    for src in sources:
        pinned = src.get("go_module", "").endswith("@" + src["release"]) or \
            all(coord.endswith(":" + src["release"]) for coord in src.get("maven", ["-"]))
        assert pinned, src["name"]
        for entry in src["file"]:
            assert len(entry["sha256"]) == 64 and int(entry["sha256"], 16) >= 0, entry
            assert entry["url"].startswith(src["project"] + "/blob/") and entry["url"].endswith("/" + entry["path"])


def test_a_file_that_differs_from_the_lock_is_refused(tmp_path):
    crd = tmp_path / "crd.yaml"
    crd.write_text("kind: CustomResourceDefinition\n")
    d.check_sha256(crd, d.sha256_of(crd), "crd.yaml")
    with pytest.raises(d.SchemaDownloadError, match="differs from the lock"):
        d.check_sha256(crd, "0" * 64, "crd.yaml")


def test_an_unknown_custom_kind_has_no_schema():
    assert ("example.org/v1", "Widget") not in s.crd_index(_schemas_root())
    assert not any(s.is_builtin("example.org/v1", "Widget", v) for v in K8S_VERSIONS)


def test_a_bare_deployment_is_not_hardened():
    bare = {"metadata": {"name": "x"}, "spec": {"template": {"metadata": {"labels": {"app": "x"}},
                                                             "spec": {"containers": [{"name": "c"}]}}}}
    problems = "\n".join(hardening_problems(bare, []))
    for missing in ("livenessProbe", "readinessProbe", "resources.requests", "resources.limits", "runAsNonRoot",
                    "readOnlyRootFilesystem", "allowPrivilegeEscalation", "drop ALL", "seccompProfile",
                    "PodDisruptionBudget"):
        assert missing in problems, missing
    budget = {"metadata": {}, "spec": {"selector": {"matchLabels": {"app": "x"}}}}
    assert "PodDisruptionBudget" not in "\n".join(hardening_problems(bare, [budget]))
