"""Fixtures for the pages of any service in a real browser (issue 13): serve an app over HTTP on a fresh
tenant database, and log in through the development login page as a role.

Use in a test module of tests/browser/ (the fixtures are registered by tests/browser/conftest.py):

    def test_something(web_service, page):
        site = web_service("registry")                 # the registry's app on a fresh Ambito, over HTTP
        login(page, site, role="operator")             # through /accesso/sviluppo, as the Ambito's operator
        page.goto(site.url(f"/{site.slug}/avvisi"))

`web_site(app_factory)` serves an app built by `app_factory(settings)` instead (a test's own pages).
Screenshots go under test-artifacts/console/ (`ARTIFACTS`).
"""
from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from werkzeug.serving import make_server

from shared.cli.provision import provision
from shared.config import Settings
from shared.tenants import Catalogue, load_catalogue
from shared.web.settings import WebSettings
from tests.conftest import random_database, random_slug

KEY = "console-browser-key-" + "c" * 32
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
SERIOUS = ("serious", "critical")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@dataclass
class Site:
    """One app served over HTTP: its base URL, the fresh Ambito, and the settings the app was built with."""

    base: str
    slug: str
    catalogue: Catalogue
    settings: Settings
    app: object
    other_slugs: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def fresh_catalogue(folder: Path, *, tenants: int = 2) -> tuple[Path, list[str], Catalogue]:
    """A catalogue of `tenants` fresh Ambiti (random slugs), every database created and migrated."""
    slugs = [random_slug("web") for _ in range(tenants)]
    path = folder / "tenants.yaml"
    path.write_text(yaml.safe_dump({
        "tenants": [{"slug": s, "name": f"Ambito di prova {s}", "region": "basilicata"} for s in slugs],
        "regional_databases": {"reporting": random_database("reporting")}}))
    catalogue = load_catalogue(path, Settings.from_env().database_url)
    provision(catalogue, report=lambda *_: None)
    return path, slugs, catalogue


def site_settings(tenants_file: Path, *, base_url: str, service: str, urls: dict | None = None) -> Settings:
    """Development settings (dev token key, dev login) whose navigation points at `base_url` for `service`.

    The cookie is not Secure: the test server speaks plain http (allowed in development only)."""
    base = Settings.from_env()
    urls = {**(urls or WebSettings().urls), service: base_url}   # `urls`: a site served beside, linked to
    return Settings(tenants_file=tenants_file, jwt_dev_key=KEY, database_url=base.database_url,
                    kafka_bootstrap=base.kafka_bootstrap,
                    extra={"web": WebSettings(cookie_secure=False, urls=urls)})


class _Server:
    """A werkzeug server on a free loopback port, in a thread, serving whatever app it is given later."""

    def __init__(self):
        self.app = None
        self.server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def web_site(tmp_path_factory):
    """Factory: web_site(app_factory, service="registry") -> Site; app_factory(settings) builds the app."""
    servers: list[_Server] = []
    made: dict = {}

    def serve(app_factory, *, service: str = "registry", tenants: int = 2, beside: Site | None = None) -> Site:
        """`beside`: serve on the same Ambiti as that site, each linking to the other (one login for both)."""
        key = (app_factory, service, id(beside))
        if key not in made:
            if beside is None:
                path, slugs, catalogue = fresh_catalogue(tmp_path_factory.mktemp("web"), tenants=tenants)
            else:
                path, slugs, catalogue = beside.settings.tenants_file, [beside.slug, *beside.other_slugs], beside.catalogue
            server = _Server()
            servers.append(server)
            settings = site_settings(path, base_url=server.base, service=service,
                                     urls=beside.settings.extra["web"].urls if beside else None)
            server.app = app_factory(settings)
            made[key] = Site(server.base, slugs[0], catalogue, settings, server.app, other_slugs=slugs[1:])
        return made[key]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield serve
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def web_service(web_site):
    """Factory: web_service("registry" | "consultation" | "budget" | "reporting") -> that service's Site."""
    def serve(service: str) -> Site:
        create_app = importlib.import_module(f"services.{service}.app").create_app
        return web_site(_AppOf(create_app), service=service)
    return serve


@dataclass(frozen=True)
class _AppOf:
    create_app: object

    def __call__(self, settings):
        return self.create_app(settings=settings)


def login(page, site: Site, *, role: str, tenant: str | None = None, subject: str = "utente-prova",
          next_path: str | None = None) -> None:
    """Log in through the development login page as `role` in `tenant` (the site's Ambito by default)."""
    query = f"?next={next_path}" if next_path else ""
    page.goto(site.url(f"/accesso/sviluppo{query}"))
    page.select_option("#ruolo", role)
    if role not in ("regional-admin", "regional-reviewer"):
        page.select_option("#ambito", tenant or site.slug)
    page.fill("#soggetto", subject)
    with page.expect_navigation():
        page.click("#entra")


def logout(page) -> None:
    """Log out with the layout's button."""
    with page.expect_navigation():
        page.click("#esci")


def axe_findings(page, name: str) -> list:
    """axe-core's serious and critical findings on the page (every finding is saved beside the screenshot)."""
    import json

    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    (ARTIFACTS / f"{name}-axe.json").write_text(json.dumps(results.response["violations"], indent=1))
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in SERIOUS]


def page_checker(prefix: str):
    """The browser tests' `check(page, kind)`: Italian, one h1; axe-core (WCAG 2.1 AA, best practices): no
    serious or critical finding; the page saved as `<prefix>-<kind>` under test-artifacts/console/."""
    def check(page, kind: str):
        assert page.locator("html").get_attribute("lang") == "it"
        assert page.locator("h1").count() == 1
        assert axe_findings(page, f"{prefix}-{kind}") == [], kind
    return check


def tick(page, box) -> None:
    """Tick a checkbox as a person does, on its label (Bootstrap Italia draws the box on the label)."""
    if not box.is_checked():
        page.locator(f"label[for='{box.get_attribute('id')}']").click()
    assert box.is_checked()
