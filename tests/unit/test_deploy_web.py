"""The pages' settings in the rendered manifests (issue 13), offline: every API Deployment whose service
serves pages starts the web layer's own start-up check (shared/web/settings.py `checked`) on the settings
the Deployment would get, so a setting it requires at start that the manifests lack fails here and not in
the cluster; the secret ones come from Secrets only; the pages' URLs, the cookie domain and the routed
paths agree with the region's hosts, with the Ingress and with the Gateway API choice alike.
docs/deployment.md, "The pages: settings, Keycloak client, routing".
"""
from __future__ import annotations

import ast
import copy
import re
from dataclasses import fields
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from shared.web.settings import SERVICES, WebSettings, checked
from tests.deploy_validation import render as r

pytestmark = pytest.mark.skipif(r.kubectl() is None, reason="kubectl is needed to render the manifests")

ROOT = Path(__file__).resolve().parents[2]
OVERLAY = "overlays/basilicata"
EXPOSURE_LINE = "  - exposure/ingress"
PROBES = ("/livez", "/readyz", "/metrics")


def services_with_pages() -> set[str]:
    """The services whose app passes `pages=` to create_service_app (read from the code, not listed here)."""
    found = set()
    for app in sorted((ROOT / "services").glob("*/app.py")):
        for node in ast.walk(ast.parse(app.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
                    == "create_service_app" and any(k.arg == "pages" for k in node.keywords)):
                found.add(app.parent.name)
    return found


def setting_names() -> dict[str, str]:
    """WebSettings field -> the variable WebSettings.from_env reads it from (from its source)."""
    source = Path(__import__("shared.web.settings", fromlist=["x"]).__file__).read_text()
    [from_env] = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef) and n.name == "from_env"]
    [built] = [n for n in ast.walk(from_env) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "cls"]
    names = {}
    for keyword in built.keywords:
        read = [c.value for c in ast.walk(keyword.value) if isinstance(c, ast.Constant) and
                isinstance(c.value, str) and c.value.startswith("PDZ_")]
        if read:
            names[keyword.arg] = read[0]
    return names


SECRET_SETTINGS = {setting_names()[f.name] for f in fields(WebSettings)
                   if "secret" in f.name and f.name in setting_names()}


def config_maps(objects: list[dict]) -> dict[str, dict]:
    return {o["metadata"]["name"]: o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"}


def environment(deployment: dict, objects: list[dict]) -> dict[str, str]:
    """The variables the main container gets: its ConfigMaps, then its env; a Secret's value stands as
    a stand-in as long as a real one must be (the check would refuse a short one)."""
    maps = config_maps(objects)
    [container] = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "pdz"]
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(maps[source["configMapRef"]["name"]])
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        elif "secretKeyRef" in var.get("valueFrom", {}):
            ref = var["valueFrom"]["secretKeyRef"]
            env[var["name"]] = f"value-of-secret-{ref['name']}-{ref['key']}".ljust(48, "x")
    return env


def start_check(env: dict[str, str]) -> str | None:
    """What the web layer says when a process with `env` starts serving pages; None: it starts."""
    try:
        checked(WebSettings.from_env(env), env=env.get("PDZ_ENV") or "production")
    except ValueError as exc:
        return str(exc)
    return None


def page_deployments(objects: list[dict]) -> dict[str, dict]:
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    wanted = {f"{service}-api" for service in services_with_pages()}
    assert wanted <= set(deployments), f"no Deployment for {wanted - set(deployments)}"
    return {name: deployments[name] for name in sorted(wanted)}


@pytest.fixture(scope="module")
def overlay() -> list[dict]:
    rendered = r.render(OVERLAY)
    assert rendered.ok, rendered.output
    return rendered.objects()


@pytest.fixture(scope="module")
def gateway_choice() -> list[dict]:
    rendered = r.render_variant(OVERLAY, EXPOSURE_LINE, "  - exposure/gateway")
    assert rendered.ok, rendered.output
    return rendered.objects()


def test_the_code_has_services_with_pages_and_settings_to_read():
    assert {"registry", "consultation", "budget"} <= services_with_pages()
    names = setting_names()
    assert {names["secret"], names["oidc_discovery_url"], names["oidc_client_id"]} == {
        "PDZ_WEB_SECRET", "PDZ_OIDC_DISCOVERY_URL", "PDZ_OIDC_CLIENT_ID"}
    assert SECRET_SETTINGS == {"PDZ_WEB_SECRET", "PDZ_OIDC_CLIENT_SECRET"}


@pytest.mark.parametrize("rel", ["base", OVERLAY])
def test_every_deployment_serving_pages_passes_the_web_layers_start_check(rel):
    rendered = r.render(rel)
    assert rendered.ok, rendered.output
    objects = rendered.objects()
    for name, deployment in page_deployments(objects).items():
        env = environment(deployment, objects)
        assert env.get("PDZ_ENV", "production") != "development", name
        assert start_check(env) is None, f"{name} would refuse to start: {start_check(env)}"


def test_the_check_fails_for_a_deployment_lacking_any_required_setting(overlay):
    """The oracle can fail: each setting the manifests give, taken away, is one the check names."""
    deployment = page_deployments(overlay)["registry-api"]
    for name in ("PDZ_WEB_SECRET", "PDZ_OIDC_DISCOVERY_URL", "PDZ_OIDC_CLIENT_ID"):
        env = environment(deployment, overlay)
        del env[name]
        assert name in (start_check(env) or ""), name
    stripped = copy.deepcopy(deployment)
    container = stripped["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [v for v in container["env"] if v["name"] != "PDZ_WEB_SECRET"]
    assert "PDZ_WEB_SECRET" in start_check(environment(stripped, overlay))


def test_secret_settings_come_from_secrets_only(overlay):
    for name, value in ((k, v) for data in config_maps(overlay).values() for k, v in data.items()):
        assert name not in SECRET_SETTINGS, f"{name} is in a ConfigMap"
        assert "PDZ_WEB_SECRET" not in str(value)
    for name, deployment in page_deployments(overlay).items():
        for var in deployment["spec"]["template"]["spec"]["containers"][0].get("env", []):
            if var["name"] in SECRET_SETTINGS:
                assert "secretKeyRef" in var.get("valueFrom", {}), f"{name}: {var['name']} not from a Secret"
    # Only the services with pages hold the session secret.
    for deployment in (o for o in overlay if o["kind"] in ("Deployment", "Job")):
        if deployment["metadata"]["name"] not in page_deployments(overlay):
            names = {v["name"] for c in deployment["spec"]["template"]["spec"]["containers"] for v in c.get("env", [])}
            assert not names & SECRET_SETTINGS, deployment["metadata"]["name"]


def routed_hosts(objects: list[dict]) -> dict[str, set[str]]:
    """service -> the hosts the Ingress or the HTTPRoutes send to its API."""
    hosts: dict[str, set[str]] = {}
    for o in objects:
        if o["kind"] == "Ingress":
            for rule in o["spec"]["rules"]:
                for path in rule["http"]["paths"]:
                    hosts.setdefault(path["backend"]["service"]["name"].removesuffix("-api"), set()).add(rule["host"])
        if o["kind"] == "HTTPRoute":
            for rule in o["spec"]["rules"]:
                for backend in rule.get("backendRefs", []):
                    hosts.setdefault(backend["name"].removesuffix("-api"), set()).update(o["spec"].get("hostnames", []))
    return hosts


def test_the_pages_urls_and_cookie_domain_are_the_regions_hosts(overlay, gateway_choice):
    for name, deployment in page_deployments(overlay).items():
        web = WebSettings.from_env(environment(deployment, overlay))
        for objects in (overlay, gateway_choice):
            hosts = routed_hosts(objects)
            for service in SERVICES:
                url = urlsplit(web.urls[service])
                assert url.scheme == "https" and {url.netloc} == hosts.get(service), (name, service, url)
        domain = web.cookie_domain
        assert domain, f"{name}: no cookie domain, so each service would need its own login"
        assert all(urlsplit(u).netloc.endswith("." + domain.lstrip(".")) for u in web.urls.values()), domain
        assert web.oidc_discovery_url.startswith("https://") and web.oidc_discovery_url.endswith(
            "/.well-known/openid-configuration")


def page_paths(objects: list[dict], service: str) -> list[tuple[str, str]]:
    """(match type, path) of every route to `service`'s API, Ingress or HTTPRoute alike."""
    kinds = {"Prefix": "PathPrefix", "Exact": "Exact", "ImplementationSpecific": "RegularExpression"}
    found = []
    for o in objects:
        if o["kind"] == "Ingress":
            regex = o["metadata"].get("annotations", {}).get("nginx.ingress.kubernetes.io/use-regex") == "true"
            found += [(kinds[p["pathType"]] if regex or p["pathType"] != "ImplementationSpecific" else "?", p["path"])
                      for rule in o["spec"]["rules"] for p in rule["http"]["paths"]
                      if p["backend"]["service"]["name"] == f"{service}-api"]
        if o["kind"] == "HTTPRoute":
            found += [(m["path"]["type"], m["path"]["value"]) for rule in o["spec"]["rules"]
                      if any(b["name"] == f"{service}-api" for b in rule.get("backendRefs", []))
                      for m in rule["matches"]]
    return found


def is_routed(paths: list[tuple[str, str]], path: str) -> bool:
    for kind, value in paths:
        if kind == "Exact" and path == value:
            return True
        if kind == "PathPrefix" and (path == value.rstrip("/") or path.startswith(value.rstrip("/") + "/")):
            return True
        if kind == "RegularExpression" and re.match(value, path):   # nginx anchors at the start: ~* "^<path>"
            return True
    return False


def catalogue_slugs(objects: list[dict]) -> list[str]:
    [tenants] = [o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("pdz-tenants")]
    return [t["slug"] for t in yaml.safe_load(tenants["data"]["tenants.yaml"])["tenants"]]


def test_the_pages_of_every_ambito_are_routed_and_the_probes_are_not(overlay, gateway_choice):
    slugs = catalogue_slugs(overlay)
    assert slugs
    for objects in (overlay, gateway_choice):
        for service in services_with_pages():
            paths = page_paths(objects, service)
            wanted = ["/accesso", "/accesso/ritorno", "/uscita", "/risorse/bootstrap-italia/css/x.css",
                      *[f"/{slug}/" for slug in slugs], *[f"/{slug}/avvisi/nuovo" for slug in slugs]]
            assert [p for p in wanted if not is_routed(paths, p)] == [], service
            assert [p for p in PROBES if is_routed(paths, p)] == [], service


def test_the_path_check_can_fail():
    paths = [("PathPrefix", "/v1/"), ("RegularExpression", "/[a-z0-9][a-z0-9-]*/.*")]
    assert not is_routed(paths[:1], "/matera/") and is_routed(paths, "/matera/")
    assert not is_routed([("PathPrefix", "/accesso")], "/accessorio")
    assert not is_routed(paths, "/livez")


def interpolated(value: str) -> str:
    """A compose value with `${VAR:-default}` as Compose resolves it when VAR is unset."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", str(value))


def test_the_compose_apis_start_with_their_pages_and_link_to_their_published_ports():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for service in services_with_pages():
        api = compose[f"{service}-api"]
        env = {k: interpolated(v) for k, v in api["environment"].items()}
        assert env["PDZ_ENV"] == "development" and start_check(env) is None, service
        web = WebSettings.from_env(env)
        for other in SERVICES:
            [published] = [p.split(":")[1] for p in compose[f"{other}-api"]["ports"]]
            assert web.urls[other] == f"http://127.0.0.1:{published}", (service, other)
