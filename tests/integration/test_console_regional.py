"""The regional admin's pages (issue 13 item 4) through Flask's test client, logged in by the development login:
the region's Ambiti with their phase, Piano and completeness equal to the API's /v1/regions answers; the
drill-down's indicators equal /v1/regions/{region}/indicators; roles (reviewer read-only without
indicators, operator 403, anonymous to the login), another region's admin 403, unknown region or Ambito 404.

Facts enter the regional read model as the consumer writes them (reporting's projectors through apply_rows).
"""
from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import psycopg
import pytest
import yaml

from shared.cli.provision import provision
from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token

from services.reporting import freshness
from services.reporting.portal import labels
from services.reporting.portal.indicators import value_text
from services.reporting.projector import project
from tests.conftest import random_slug

pytestmark = pytest.mark.integration
KEY = "console-regional-key-" + "c" * 32


def _budget(tenant, type_, aggregate, **data):
    return new_event(type="it.pdz.budget." + type_, service="budget", tenant=tenant, aggregate_id=aggregate, data=data)


def _plan(tenant, moves):
    """A plan 2024-2026 created on 3 June 2024, then (action, from, to, day) moves."""
    plan_id = str(uuid.uuid4())
    events = [_budget(tenant, "plan.created.v1", plan_id, plan_id=plan_id, first_year=2024, last_year=2026,
                      title="Piano", number=1, kind="triennial", state="draft",
                      created_at="2024-06-03T09:00:00+00:00", version=1)]
    for version, (action, from_, to, day) in enumerate(moves, start=2):
        events.append(_budget(tenant, "plan.transitioned.v1", plan_id, plan_id=plan_id, first_year=2024,
                              last_year=2026, number=1, kind="triennial", reference_year=2024, action=action,
                              **{"from": from_}, to=to, by_role="operator", at=f"{day}T10:00:00+01:00",
                              version=version))
    return events


SIGNED = [("adopt", "draft", "adopted", "2024-09-02"), ("approve", "adopted", "approved", "2024-09-20"),
          ("send", "approved", "sent", "2024-10-30"), ("accept", "sent", "accepted", "2024-12-02"),
          ("sign", "accepted", "signed", "2024-12-20")]
SENT_LATE = SIGNED[:2] + [("send", "approved", "sent", "2024-11-04")]


def _paid(tenant, *, fund="FNA", year=2025):
    ids = {k: str(uuid.uuid4()) for k in ("payment_id", "commitment_id", "allocation_id", "intervention_id", "plan_id")}
    made = _budget(tenant, "allocation.made.v1", ids["allocation_id"], allocation_id=ids["allocation_id"],
                   intervention_id=ids["intervention_id"], plan_id=ids["plan_id"], fund=fund, year=year,
                   amount="1000.00", previous_amount=None, committed="0.00", version=1)
    return [made, _budget(tenant, "payment.recorded.v1", ids["allocation_id"], **ids, fund=fund, year=year,
                          allocation={"allocated": "1000.00", "committed": "400.00", "paid": "100.00"},
                          amount="100.00", act_date="2025-05-20", act_reference="Determina n. 1",
                          commitment={"committed": "400.00", "paid": "100.00"},
                          recorded_at="2025-05-21T10:00:00+02:00")]


def _closed(tenant, *, fund="FNA", year=2025):
    return _budget(tenant, "fund_year.closed.v1", f"{fund}/{year}", fund=fund, year=year,
                   closed_at="2026-03-02T11:00:00+01:00", assigned="1000.00", residui_in="0.00",
                   allocated="1000.00", committed="400.00", carried="600.00", to_year=year + 1, origin=[])


def _call_published(tenant):
    call_id = str(uuid.uuid4())
    return new_event(type="it.pdz.registry.call.published.v1", service="registry", tenant=tenant,
                     aggregate_id=call_id, data={"call_id": call_id, "title": "Avviso per la rete", "areas": ["3"],
                                                 "opens_at": "2025-01-10T09:00:00+01:00",
                                                 "closes_at": "2025-02-10T12:00:00+01:00",
                                                 "status": "published", "version": 2})


def _consultation(tenant):
    """A thematic table and one session held at it."""
    table_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
    table = new_event(type="it.pdz.consultation.table.created.v1", service="consultation", tenant=tenant,
                      aggregate_id=table_id, data={"table_id": table_id, "kind": "thematic", "title": "Anziani",
                                                   "areas": ["3"], "status": "active", "version": 1})
    held = new_event(type="it.pdz.consultation.session.held.v1", service="consultation", tenant=tenant,
                     aggregate_id=session_id, data={"session_id": session_id, "table_id": table_id,
                                                    "title": "Prima sessione", "starts_at": "2025-03-04T10:00:00+01:00",
                                                    "status": "held", "version": 2})
    return [table, held]


class Region:
    """A region of five Ambiti (signed, late, with a call only, silent; one in Puglia) in a fresh read model."""

    def __init__(self, catalogue_factory, settings, tmp_path, monkeypatch):
        self.signed, self.late, self.caller, self.talk, self.silent = (
            random_slug(p) for p in ("firm", "late", "call", "talk", "quiet"))
        self.elsewhere, self.former = random_slug("pug"), random_slug("former")
        self.catalogue = catalogue_factory([self.late, self.caller, self.talk, self.silent], extra=[
            {"slug": self.elsewhere, "name": "Ambito di Fasano", "region": "puglia"},
            {"slug": self.signed, "name": "Ambito nato da una fusione", "region": "basilicata",
             "merged_from": [self.former]},
            {"slug": self.former, "name": "Ambito confluito", "region": "basilicata", "status": "merged",
             "merged_into": self.signed}])
        provision(self.catalogue, report=lambda *_: None)
        path = tmp_path / "campaigns.yaml"
        path.write_text(yaml.safe_dump({"offices": {}, "campaigns": {"basilicata": {2025: [
            {"code": "piano-2024-2026", "kind": "plan_submission", "first_year": 2024, "due": date(2024, 10, 31)},
            {"code": "rendicontazione-fna-2025", "kind": "fund_reporting", "fund": "FNA", "fund_year": 2025,
             "due": date(2026, 6, 30)}]}}}))
        monkeypatch.setenv("PDZ_CAMPAIGNS_FILE", str(path))
        events = (_plan(self.signed, SIGNED) + _plan(self.late, SENT_LATE) + _plan(self.elsewhere, SIGNED)
                  + _paid(self.signed) + [_closed(self.signed), _call_published(self.caller), _call_published(self.talk)]
                  + _consultation(self.talk))
        with psycopg.connect(self.catalogue.regional_url("reporting")) as conn:
            for event in events:   # with its freshness mark, as the consumer's projectors write it
                apply_rows(conn, [*project(event), freshness.mark(event)])
            self.as_of = max(when for when in freshness.as_of(conn).values() if when is not None)
        self.settings = Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                                 database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap)

    def app(self):
        from services.reporting.app import create_app
        return create_app(settings=self.settings)


@pytest.fixture
def region(catalogue_factory, settings, tmp_path, monkeypatch):
    monkeypatch.delenv("PDZ_REGION", raising=False)
    return Region(catalogue_factory, settings, tmp_path, monkeypatch)


def login(app, role: str, tenant: str | None = None):
    """A test client logged in through the development login page."""
    client = app.test_client()
    form = client.get("/accesso/sviluppo")
    token = _attribute(form.text, 'name="csrf_token" value="')
    answer = client.post("/accesso/sviluppo", data={"csrf_token": token, "ruolo": role, "ambito": tenant or "",
                                                    "soggetto": "ufficio-regionale"})
    assert answer.status_code in (302, 303), answer.text
    return client


def _attribute(html: str, before: str) -> str:
    start = html.index(before) + len(before)
    return html[start:html.index('"', start)]


def api(app, path: str):
    token = mint_dev_token(key=KEY, subject="u", roles=["regional-admin"], tenants=[])
    answer = app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.get_json()


class Cells(HTMLParser):
    """What the tests read: per element with data-* attributes, its text, with the data-* of its ancestors."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[dict, str]] = []
        self._stack: list[tuple[str, dict, list]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "input", "meta", "link", "img", "hr"):
            return
        data = {k[5:]: v for k, v in attrs if k.startswith("data-")}
        inherited = dict(self._stack[-1][1]) if self._stack else {}
        self._stack.append((tag, {**inherited, **data}, []))

    def handle_endtag(self, tag):
        while self._stack:
            opened, data, text = self._stack.pop()
            joined = " ".join("".join(text).split())
            if self._stack:
                self._stack[-1][2].append("".join(text))
            if data:
                self.found.append((data, joined))
            if opened == tag:
                break

    def handle_data(self, text):
        if self._stack:
            self._stack[-1][2].append(text)

    def having(self, key: str) -> list[tuple[dict, str]]:
        """The innermost elements carrying `key` themselves (its value with its ancestors' data)."""
        return [(data, text) for data, text in self.found if key in data]


def test_the_regions_ambiti_with_phase_plan_and_completeness_equal_the_campaign_api(region):
    app = region.app()
    page = login(app, "regional-admin").get("/regioni/basilicata/?anno=2025")
    assert page.status_code == 200, page.text
    cells = Cells(page.text)
    phases = {d["ambito"]: d["fase"] for d, _ in cells.having("fase")}
    assert phases == {region.signed: "signed", region.late: "plan", region.caller: "network",
                      region.talk: "consultation", region.silent: "none"}
    counts = {(d["ambito"], d["cifra"]): text for d, text in cells.having("cifra")}
    assert (counts[(region.talk, "tables")], counts[(region.talk, "sessions_held")]) == ("1", "1")
    assert counts[(region.caller, "calls")] == "1 (0)"   # published, closed by its date: none open
    assert counts[(region.silent, "calls")] == "0 (0)" and counts[(region.caller, "tables")] == "0"
    plans = {d["ambito"]: d["piano"] for d, _ in cells.having("piano")}
    assert plans[region.signed] == "signed" and plans[region.late] == "sent" and plans[region.silent] == ""
    assert region.elsewhere not in page.text   # another region's Ambito is not listed
    assert region.former not in phases   # merged into another: not in the cycle, linked below for reading
    assert f'href="/regioni/basilicata/ambiti/{region.former}?anno=2025"' in page.text.split('id="confluiti"')[1]

    shown = {(d["scadenza"], d["ambito"]): d["stato"] for d, _ in cells.having("stato")}
    answer = api(app, "/v1/regions/basilicata/campaigns?year=2025")
    expected = {(d["code"], a["tenant"]): a["status"] for d in answer["deadlines"] for a in d["ambiti"]}
    assert shown == expected and len(expected) == 10
    assert shown[("piano-2024-2026", region.late)] == "late"
    for deadline in answer["deadlines"]:   # what is missing, word for word
        for a in deadline["ambiti"]:
            for missing in a["missing"]:
                assert missing in unescape(page.text), missing
    summaries = {(d["scadenza"], d["riepilogo"]): text for d, text in cells.having("riepilogo")}
    for deadline in answer["deadlines"]:
        for status, count in deadline["summary"].items():
            assert summaries[(deadline["code"], status)].endswith(f": {count}")
    [(_, as_of)] = [(d, text) for d, text in Cells(page.text.replace('id="aggiornati-al"', 'data-al="1"')).having("al")]
    assert as_of == labels.moment(region.as_of) and "registro" in page.text   # the newest event, per service too


def test_the_drill_down_shows_the_ambitos_indicators_as_the_regional_api_and_links_to_its_pages(region):
    app = region.app()
    client = login(app, "regional-admin")
    overview = client.get("/regioni/basilicata/?anno=2025").text
    link = f"/regioni/basilicata/ambiti/{region.signed}?anno=2025"
    assert f'href="{link}"' in overview
    page = client.get(f"{link}&periodo=2025")
    assert page.status_code == 200, page.text
    cells = Cells(page.text)
    rows = [(d, text) for d, text in cells.having("territorio") if d["territorio"] == f"ambito:{region.signed}"]
    answer = api(app, "/v1/regions/basilicata/indicators?period=2025")
    figures = {(i["code"], json.dumps(f["dimension"], sort_keys=True)): (Decimal(f["value"]), i["unit"])
               for i in answer["indicators"] for f in i["figures"]
               if f["territory"] == region.signed and f["level"] == "ambito"}
    assert rows, "no indicator of the Ambito on its page"
    for data, text in rows:
        dimension = json.dumps({k: str(v) for k, v in json.loads(data["dimensione"]).items()}, sort_keys=True)
        value, unit = figures[(data["indicatore"], dimension)]
        assert text == value_text(value, unit), (data, text, value)
    assert any(text == "1.000,00 €" for _, text in rows)   # the FNA 2025 allocation
    stato = {d["scadenza"]: d["stato"] for d, _ in cells.having("stato")}
    assert stato == {"piano-2024-2026": "done", "rendicontazione-fna-2025": "done"}
    services = {d["servizio"]: text for d, text in cells.having("servizio")}
    web = region.settings.extra.get("web")
    assert web is None   # the environment's (local) URLs: each service's own pages of this Ambito
    assert f'href="http://127.0.0.1:58081/{region.signed}/"' in page.text
    assert set(services) == {"registry", "consultation", "budget", "reporting"}
    assert f'href="http://127.0.0.1:58083/{region.signed}/"' in page.text


def test_a_merged_ambito_is_read_not_judged(region):
    page = login(region.app(), "regional-admin").get(f"/regioni/basilicata/ambiti/{region.former}?anno=2025")
    assert page.status_code == 200, page.text
    assert unescape(page.text).count("L'Ambito non risponde più alla Regione (confluito in un altro).") == 2


def test_roles_reviewer_reads_without_indicators_operator_403_anonymous_to_login(region):
    app = region.app()
    reviewer = login(app, "regional-reviewer")
    assert reviewer.get("/regioni/basilicata/").status_code == 200
    drill = reviewer.get(f"/regioni/basilicata/ambiti/{region.signed}")
    assert drill.status_code == 200 and 'id="indicatori-periodo"' not in drill.text
    assert "riservati all'amministratore regionale" in unescape(drill.text)
    operator = login(app, "operator", region.signed)
    for path in ("/regioni/basilicata/", f"/regioni/basilicata/ambiti/{region.signed}", "/regioni/"):
        refused = operator.get(path)
        assert refused.status_code == 403 and "Accesso non consentito" in refused.text, path
    anonymous = app.test_client().get("/regioni/basilicata/?anno=2025")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == "/accesso?next=/regioni/basilicata/%3Fanno%3D2025"


def test_a_regional_login_without_next_lands_on_the_regions_pages(region):
    client = region.app().test_client()
    form = client.get("/accesso/sviluppo")
    answer = client.post("/accesso/sviluppo", data={
        "csrf_token": _attribute(form.text, 'name="csrf_token" value="'), "ruolo": "regional-admin", "ambito": "",
        "soggetto": "ufficio-regionale"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/regioni/"


def test_unknown_region_or_ambito_is_the_italian_404_page(region):
    client = login(region.app(), "regional-admin")
    for path in ("/regioni/molise/", "/regioni/basilicata/ambiti/nessuno",
                 f"/regioni/basilicata/ambiti/{region.elsewhere}"):   # an Ambito of another region
        missing = client.get(path)
        assert missing.status_code == 404 and "Pagina non trovata" in missing.text, path
        assert missing.headers["Content-Type"].startswith("text/html") and 'lang="it"' in missing.text


def test_the_admin_of_another_region_gets_the_italian_403_page(region, monkeypatch):
    monkeypatch.setenv("PDZ_REGION", "puglia")   # this deployment's identity provider is Puglia's
    client = login(region.app(), "regional-admin")
    refused = client.get("/regioni/basilicata/")
    assert refused.status_code == 403 and "vale per un'altra regione" in unescape(refused.text)
    assert client.get(f"/regioni/basilicata/ambiti/{region.signed}").status_code == 403
    assert client.get("/regioni/puglia/").status_code == 200
    landing = client.get("/regioni/")   # one region: straight to it
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/regioni/puglia/")


def test_outside_development_an_unset_region_opens_none_of_several():
    from services.reporting.console.access import governed_regions

    class T:
        def __init__(self, region):
            self.region = region
    several = [T("basilicata"), T("puglia")]
    production = Settings(env="production")
    assert governed_regions(settings=production, catalogue=several, environ={}) == frozenset()
    assert governed_regions(settings=production, catalogue=several[:1], environ={}) == {"basilicata"}
    assert governed_regions(settings=production, catalogue=several, environ={"PDZ_REGION": "puglia"}) == {"puglia"}
    assert governed_regions(settings=Settings(), catalogue=several, environ={}) == {"basilicata", "puglia"}
