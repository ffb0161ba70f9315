"""Budget's read API over its replicas, on the real PostgreSQL: /organisations, /accepted-proposals, /territory.

The replica rows are written by the consumer's own row writer (shared.consumer.rows.apply_rows) from the
projectors' output, as the consumer does; the consumer itself, with Kafka and the sharing between Ambiti,
is tested in test_budget_consumer.py. A row of another origin stands for a former Ambito's.
"""
import uuid

import psycopg
import pytest

from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.http.auth import mint_dev_token

from services.budget.app import create_app
from services.budget.projectors import PROJECTORS
from tests.unit.test_budget_projectors import LAURIA, NEMOLI, RIVELLO, accepted, profile, stakeholder

KEY = "budget-replicas-key-" + "r" * 32
READERS = ("operator", "coordinator", "stakeholder", "auditor", "regional-admin")


class Api:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()

    def write(self, *events, into=None):
        """The rows of `events` into a budget database (the slug's, unless `into`), in one batch, as the consumer
        writes them: an event of another tenant stands for one received from a former Ambito."""
        url = self.tenants.url_for(self.tenants.get(into or self.slug), "budget")
        with psycopg.connect(url) as conn:
            apply_rows(conn, [row for event in events for row in PROJECTORS[event.type](event)])
        return events

    def get(self, path, *roles, tenant=None, grants=None):
        token = mint_dev_token(key=KEY, subject="lettore", roles=list(roles),
                               tenants=[tenant or self.slug] if set(roles) - {"regional-admin"} else [],
                               grants=grants)
        return self.client.get(f"/v1/{tenant or self.slug}{path}", headers={"Authorization": f"Bearer {token}"})

    def ok(self, path, role="operator"):
        response = self.get(path, role)
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture
def api(tenants, settings, tmp_path):
    return Api(tenants, settings, tmp_path / "tenants.yaml")


def problem(response, status, slug):
    assert response.status_code == status, response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.get_json()["type"].endswith(slug), response.get_json()
    return response.get_json()


def walk(api, path):
    """Every item of a list, one page at a time (limit=1), following next_cursor."""
    items, cursor = [], ""
    while True:
        body = api.ok(f"{path}{'&' if '?' in path else '?'}limit=1&after={cursor}")
        items += body["items"]
        if body["next_cursor"] is None:
            return items
        cursor = body["next_cursor"]


def test_every_reader_of_the_ambito_reads_the_replicas_and_nobody_else(api):
    api.write(stakeholder(api.slug), profile(api.slug), accepted(api.slug))
    for role in READERS:
        for path in ("/organisations", "/accepted-proposals", "/territory"):
            assert api.get(path, role).status_code == 200, (role, path)
    for path in ("/organisations", "/accepted-proposals", "/territory"):
        problem(api.get(path, grants={api.other: ["operator"]}), 403, "forbidden")
        assert api.client.get(f"/v1/{api.slug}{path}").status_code == 401
        assert api.get(path, "operator", tenant="no-such-ambito").status_code == 404


def test_organisations_with_their_origin_filtered_and_paged(api):
    own = api.write(stakeholder(api.slug, name="ODV Amici del Pollino"),
                    stakeholder(api.slug, name="Cooperativa Sociale Il Sentiero"))
    sid = str(uuid.uuid4())
    api.write(stakeholder(api.slug, sid, name="APS Borghi Solidali"))
    api.write(stakeholder(api.slug, sid, version=2, status="suspended", name="APS Borghi Solidali"))
    former = api.write(stakeholder(api.other, name="Comunità Montana del Pollino"))  # a former Ambito's
    everything = walk(api, "/organisations")
    assert [(o["name"], o["origin"], o["status"]) for o in everything] == [
        ("ODV Amici del Pollino", api.slug, "active"), ("Cooperativa Sociale Il Sentiero", api.slug, "active"),
        ("APS Borghi Solidali", api.slug, "suspended"), ("Comunità Montana del Pollino", api.other, "active")]
    first = everything[0]
    assert first["id"] == own[0].data["stakeholder_id"] and first["version"] == 1 and first["tax_code"] is None
    assert (first["type"], first["runts_section"]) == ("ets", "a")
    names = lambda query: [o["name"] for o in api.ok(f"/organisations?{query}")["items"]]  # noqa: E731
    assert names("status=suspended") == ["APS Borghi Solidali"]
    assert names(f"origin={api.other}") == ["Comunità Montana del Pollino"]
    assert names("q=pollino") == ["ODV Amici del Pollino", "Comunità Montana del Pollino"]
    assert names("q=100%25") == []  # % is a plain character
    one = api.ok(f"/organisations/{former[0].data['stakeholder_id']}")
    assert one["origin"] == api.other and one["name"] == "Comunità Montana del Pollino"
    problem(api.get(f"/organisations/{uuid.uuid4()}", "operator"), 404, "not-found")
    problem(api.get("/organisations?after=not*a*cursor", "operator"), 422, "validation-error")
    problem(api.get("/organisations?status=deleted", "operator"), 422, "validation-error")


def test_accepted_proposals_with_their_needs_and_cost_filtered_and_paged(api):
    # One written alone (a single statement), two in one batch (one JSON document): the same rows.
    [alone] = api.write(accepted(api.slug, title="Navetta sociale delle frazioni", area="3"))
    api.write(accepted(api.slug, title="Centro diurno disabili", area="4", target_group="disabilita",
                       cost="125000.50"),
              accepted(api.other, title="Sportello povertà del Pollino", area="5",
                       target_group="poverta_emarginazione"), into=api.slug)
    items = walk(api, "/accepted-proposals")
    assert [(p["title"], p["origin"]) for p in items] == [
        ("Navetta sociale delle frazioni", api.slug), ("Centro diurno disabili", api.slug),
        ("Sportello povertà del Pollino", api.other)]
    first = items[0]
    assert first["id"] == alone.data["proposal_id"] and first["status"] == "accepted" and first["version"] == 6
    assert first["needs"] == alone.data["needs"] and first["need_ids"] == alone.data["need_ids"]
    assert first["estimated_cost"] == "18500.00" and items[1]["estimated_cost"] == "125000.50"
    assert items[1]["needs"][0]["target_group"] == "disabilita" and items[2]["needs"][0]["area"] == "5"
    titles = lambda query: [p["title"] for p in api.ok(f"/accepted-proposals?{query}")["items"]]  # noqa: E731
    assert titles("area=4") == ["Centro diurno disabili"]
    assert titles(f"origin={api.other}") == ["Sportello povertà del Pollino"]
    assert titles("target_group=anziani") == ["Navetta sociale delle frazioni"]
    assert titles("area=9") == []
    assert api.ok(f"/accepted-proposals/{alone.data['proposal_id']}")["title"] == "Navetta sociale delle frazioni"
    problem(api.get(f"/accepted-proposals/{uuid.uuid4()}", "auditor"), 404, "not-found")
    problem(api.get("/accepted-proposals?target_group=nessuno", "operator"), 422, "validation-error")


def test_the_territory_is_the_latest_profile_and_a_former_ambitos_is_asked_by_origin(api):
    problem(api.get("/territory", "operator"), 404, "not-found")
    api.write(profile(api.slug, 1, (LAURIA, NEMOLI)))
    api.write(profile(api.slug, 2, (NEMOLI, LAURIA, RIVELLO)), profile(api.other, 3, (RIVELLO,)))
    own = api.ok("/territory", "stakeholder")
    assert (own["origin"], own["version"], own["total_population"]) == (api.slug, 2, 16700)
    assert [(c["istat_code"], c["population"]) for c in own["comuni"]] == [("076052", 1500), ("076042", 12500),
                                                                           ("076066", 2700)]
    assert own["comuni"][0]["population_date"] == "2025-01-01" and own["other_origins"] == [api.other]
    former = api.ok(f"/territory?origin={api.other}")
    assert (former["origin"], former["version"], [c["name"] for c in former["comuni"]]) == (api.other, 3, ["Rivello"])
    problem(api.get("/territory?origin=nessun-ambito", "operator"), 404, "not-found")
    problem(api.get("/territory?origin=Non_Valido", "operator"), 422, "validation-error")
