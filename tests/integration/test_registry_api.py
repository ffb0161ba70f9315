"""The registry API against the real PostgreSQL (Flask test client, no Kafka needed)."""
import psycopg
import pytest

from shared.config import Settings
from shared.http.auth import mint_dev_token

from services.registry.app import create_app
from tests.contract.catalogue import assert_valid_event

KEY = "integration-key-" + "k" * 32
LAURIA_CF = "RSSMRA85T10A562S"


@pytest.fixture
def api(tenants, settings, tmp_path):
    # `tenants` wrote its catalogue to tmp_path/tenants.yaml: the app reads the same file.
    app_settings = Settings(tenants_file=tmp_path / "tenants.yaml", jwt_dev_key=KEY,
                            database_url=settings.database_url, kafka_bootstrap=settings.kafka_bootstrap)
    return create_app(settings=app_settings).test_client()


def auth(slug, *roles):
    return {"Authorization": "Bearer " + mint_dev_token(key=KEY, subject="op", roles=list(roles or ["operator"]),
                                                         tenants=[slug])}


def counts(tenants, slug):
    with psycopg.connect(tenants.url_for(tenants.get(slug), "registry")) as conn:
        return (conn.execute("SELECT count(*) FROM stakeholders").fetchone()[0],
                conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def outbox_events(tenants, slug):
    with psycopg.connect(tenants.url_for(tenants.get(slug), "registry")) as conn:
        return conn.execute("SELECT type, tenant, subject, data FROM outbox ORDER BY id").fetchall()


def test_register_read_and_list(api, tenants):
    slug = tenants.slugs()[0]
    created = api.post(f"/v1/{slug}/stakeholders", headers=auth(slug),
                       json={"name": "Comune di Lauria", "type": "comune", "tax_code": "01114601006"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["name"] == "Comune di Lauria" and body["tax_code"] == "01114601006"
    got = api.get(f"/v1/{slug}/stakeholders/{body['id']}", headers=auth(slug, "auditor"))
    assert got.status_code == 200 and got.get_json() == body
    listed = api.get(f"/v1/{slug}/stakeholders", headers=auth(slug)).get_json()
    assert [s["id"] for s in listed["items"]] == [body["id"]] and listed["next_cursor"] is None


def test_the_event_is_in_the_outbox_matches_the_catalogue_and_carries_no_personal_data(api, tenants):
    slug = tenants.slugs()[0]
    api.post(f"/v1/{slug}/stakeholders", headers=auth(slug),
             json={"name": "Impresa individuale Rossi", "type": "enterprise", "tax_code": LAURIA_CF})
    [(type_, tenant, subject, data)] = outbox_events(tenants, slug)
    assert type_ == "it.pdz.registry.stakeholder.registered.v1" and tenant == slug
    assert data["stakeholder_id"] == subject
    assert_valid_event(type_, data)
    assert LAURIA_CF not in str(data)


def test_cursor_pagination_walks_every_row_once(api, tenants):
    from shared.cli.demo import demo_tax_code
    slug = tenants.slugs()[0]
    names = [f"Associazione {i}" for i in range(7)]
    for name in names:
        assert api.post(f"/v1/{slug}/stakeholders", headers=auth(slug), json={
            "name": name, "type": "ets", "runts_section": "b",
            "tax_code": demo_tax_code(name, "076")}).status_code == 201
    seen, cursor = [], None
    while True:
        page = api.get(f"/v1/{slug}/stakeholders", headers=auth(slug),
                       query_string={"limit": 3, **({"after": cursor} if cursor else {})}).get_json()
        seen += [s["name"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == names
    bad = api.get(f"/v1/{slug}/stakeholders", headers=auth(slug), query_string={"after": "%%%"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "after"


def test_duplicate_tax_code_is_409_and_writes_nothing(api, tenants):
    slug = tenants.slugs()[0]
    body = {"name": "Coop Aurora", "type": "social_cooperative", "tax_code": "01114601006"}
    assert api.post(f"/v1/{slug}/stakeholders", headers=auth(slug), json=body).status_code == 201
    before = counts(tenants, slug)
    again = api.post(f"/v1/{slug}/stakeholders", headers=auth(slug), json={**body, "name": "Altro nome"})
    assert again.status_code == 409
    assert again.get_json()["field"] == "tax_code"
    assert counts(tenants, slug) == before


@pytest.mark.parametrize("kind, request_kwargs, status", [
    ("malformed json", {"data": '{"name": "x"', "content_type": "application/json"}, 400),
    ("missing field", {"json": {"name": "Coop"}}, 422),
    ("invalid tax code", {"json": {"name": "Coop", "type": "enterprise", "tax_code": "01114601007"}}, 422),
])
def test_bad_input_writes_nothing(api, tenants, kind, request_kwargs, status):
    slug = tenants.slugs()[0]
    before = counts(tenants, slug)
    response = api.post(f"/v1/{slug}/stakeholders", headers=auth(slug), **request_kwargs)
    assert response.status_code == status, (kind, response.get_json())
    assert response.mimetype == "application/problem+json"
    assert counts(tenants, slug) == before


def test_tenants_do_not_see_each_other(api, tenants):
    a, b = tenants.slugs()
    made = api.post(f"/v1/{a}/stakeholders", headers=auth(a),
                    json={"name": "Solo in A", "type": "school", "tax_code": "01114601006"}).get_json()
    assert api.get(f"/v1/{b}/stakeholders", headers=auth(b)).get_json()["items"] == []
    assert api.get(f"/v1/{b}/stakeholders/{made['id']}", headers=auth(b)).status_code == 404
    assert api.get(f"/v1/{b}/stakeholders/{made['id']}", headers=auth(a)).status_code == 403
    # The same tax code may exist in two Ambiti: each register is its own.
    assert api.post(f"/v1/{b}/stakeholders", headers=auth(b),
                    json={"name": "Solo in B", "type": "school", "tax_code": "01114601006"}).status_code == 201


def test_the_row_and_its_event_commit_together_or_not_at_all(tenants, monkeypatch):
    from services.registry.stakeholders import service

    slug = tenants.slugs()[0]
    url = tenants.url_for(tenants.get(slug), "registry")

    def outbox_down(conn, event):
        raise psycopg.OperationalError("outbox write failed")

    monkeypatch.setattr(service, "add_event", outbox_down)
    # Autocommit: nothing but the service's own transaction can undo the writes made before the
    # outbox fails (a plain connection would roll them back by itself, and the test could not fail).
    with psycopg.connect(url, autocommit=True) as conn, pytest.raises(psycopg.OperationalError):
        service.register_stakeholder(conn=conn, tenant=slug, by="test", name="Comune di Nemoli", type="comune",
                                     tax_code="01114601006", runts_section=None)
    assert counts(tenants, slug) == (0, 0)
    monkeypatch.undo()
    with psycopg.connect(url, autocommit=True) as conn:  # autocommit: only the explicit transaction holds
        service.register_stakeholder(conn=conn, tenant=slug, by="test", name="Comune di Nemoli", type="comune",
                                     tax_code="01114601006", runts_section=None)
    assert counts(tenants, slug) == (1, 1)
