"""Each login line `make demo` prints is true (issue 13 item 7): the address it prints opens the service's
development login filled in with the role, the Ambito and the user name the line names; "Entra" lands on
the page the address names, and that page answers 200 to that role. On fresh Ambiti (the demo's slugs
stand for them) with each service's real app and databases, through Flask's test client as a browser."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from shared.cli.demo_logins import demo_logins, login_lines
from shared.config import Settings
from shared.web.settings import LOCAL_URLS
from tests.integration.test_console_registry import Page, csrf

from services.budget.app import create_app as budget_app
from services.consultation.app import create_app as consultation_app
from services.registry.app import create_app as registry_app
from services.reporting.app import create_app as reporting_app

pytestmark = pytest.mark.integration
APPS = {"registry": registry_app, "consultation": consultation_app, "budget": budget_app,
        "reporting": reporting_app}


@pytest.fixture
def apps(tenants, settings, tmp_path):
    built = {}

    def app(service: str):
        if service not in built:
            built[service] = APPS[service](settings=Settings(
                tenants_file=tmp_path / "tenants.yaml", jwt_dev_key="demo-logins-" + "d" * 32,
                database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap))
        return built[service]
    return app


def test_every_printed_login_logs_in_and_lands_on_its_page(tenants, apps):
    slug, other = tenants.slugs()[:2]
    logins = demo_logins(ambiti=[slug, other], featured=slug, region="basilicata")
    lines = login_lines(logins, urls=LOCAL_URLS, names={s: tenants.get(s).name for s in (slug, other)})
    addresses = [line.strip() for line in lines if line.strip().startswith("http://")]
    assert len(addresses) == len(logins) >= 7
    for login, address in zip(logins, addresses):
        url = urlsplit(address)
        client = apps(login.service).test_client()
        form = client.get(f"{url.path}?{url.query}")
        assert form.status_code == 200, (address, form.text[:300])
        page = Page(form.text)
        assert page.fields.get("next", {}).get("value") == login.landing, address   # the form carries `next`
        offered = form.text   # the address fills the form in: the role, the Ambito and the user name chosen
        assert f'value="{login.role}" selected' in offered, (address, login.role)
        if login.tenant:
            assert f'value="{login.tenant}" selected' in offered and tenants.get(login.tenant).name in offered
        assert page.fields["soggetto"].get("value") == login.subject, address
        answer = client.post(url.path, data={**csrf(form.text), "next": login.landing, "ruolo": login.role,
                                             "ambito": login.tenant or "", "soggetto": login.subject})
        assert answer.status_code == 303, (address, answer.status_code, answer.text[:300])
        assert urlsplit(answer.headers["Location"]).path == login.landing, address
        landed = client.get(login.landing)
        assert landed.status_code == 200, (address, login.role, landed.status_code, landed.text[:300])
        assert login.subject in landed.text, (address, "the page does not show who is logged in")
