"""The portal's browser tests: the reporting app served over HTTP on a fresh regional database, and
Debian's chromium driven by Playwright (pytest-playwright). Playwright's own browser download is not
reachable from these machines: the browser is the `chromium` package `make system-libs` installs.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import psycopg
import pytest
import yaml
from werkzeug.serving import make_server

from shared.cli.provision import provision
from shared.config import Settings
from shared.tenants import load_catalogue
from tests.browser import world
from tests.browser.web import web_service, web_site  # noqa: F401  (the pages' fixtures, issue 13)
from tests.conftest import random_database, random_slug

KEY = "portal-browser-key-" + "p" * 32
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "portal"
NAMES = {"A": "Ambito Socio Territoriale Lagonegrese", "B": "Ambito Socio Territoriale Pollino",
         "C": "Ambito Socio Territoriale Lagonegrese-Pollino", "D": "Ambito Territoriale Sociale di Fasano"}


def chromium() -> str:
    """Debian's chromium (PDZ_CHROMIUM overrides); its absence is a set-up error, not a reason to skip."""
    path = os.environ.get("PDZ_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed: run `make system-libs` (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": chromium(), "headless": True}


class Portal:
    def __init__(self, base: str, slugs: dict, catalogue, url: str, events: list):
        self.base, self.slugs, self.catalogue, self.url, self.events = base, slugs, catalogue, url, events

    def page(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The reporting API (with the portal) on a fresh reporting database holding world.py's region."""
    folder = tmp_path_factory.mktemp("portal")
    slugs = {"A": random_slug("lag"), "B": random_slug("pol"), "C": random_slug("lagpol"), "D": random_slug("fas")}
    tenants = [{"slug": slugs[k], "name": NAMES[k], "region": world.REGION[k]} for k in "ABD"]
    tenants.append({"slug": slugs["C"], "name": NAMES["C"], "region": "basilicata",
                    "merged_from": [slugs["A"], slugs["B"]]})
    path = folder / "tenants.yaml"
    path.write_text(yaml.safe_dump({"tenants": tenants, "regional_databases": {"reporting": random_database("reporting")}}))
    base_settings = Settings.from_env()
    catalogue = load_catalogue(path, base_settings.database_url)
    provision(catalogue, report=lambda *_: None)
    url = catalogue.regional_url("reporting")
    written = world.load(url, slugs, {k: NAMES[k] for k in slugs})
    from services.reporting.app import create_app
    app = create_app(settings=Settings(tenants_file=path, jwt_dev_key=KEY, database_url=base_settings.database_url,
                                       kafka_bootstrap=base_settings.kafka_bootstrap))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield Portal(f"http://127.0.0.1:{server.server_port}", slugs, catalogue, url, written)
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def read_model(portal):
    with psycopg.connect(portal.url) as conn:
        yield conn
