"""Tables and their members over the HTTP API, on the real PostgreSQL (Flask test client).

The register replica's rows are written as the consumer writes them (the projectors' rows through
shared.consumer.rows.apply_rows), so a suspension or a withdrawal reaches the tables as it would in
production: by an event, in the replica, read when the membership is read.
"""
import uuid

import psycopg
import pytest

from shared.config import Settings
from shared.consumer.rows import apply_rows
from shared.events.envelope import new_event
from shared.http.auth import mint_dev_token

from services.consultation.app import create_app
from services.consultation.projectors import project
from services.consultation.tables import membership
from services.consultation.tables.access import Caller, acting_for
from tests.contract.catalogue import assert_valid_event

KEY = "consultation-tables-key-" + "t" * 32


def stakeholder_event(tenant, sid, name, *, status="active", version=1):
    kind, stamp = ("registered", "registered_at") if version == 1 else ("updated", "updated_at")
    data = {"stakeholder_id": sid, "name": name, "type": "ets", "runts_section": "b", "areas": ["3"],
            "status": status, "version": version, stamp: f"2026-03-0{min(version, 9)}T09:00:00+00:00"}
    if kind == "updated":
        data["changed"] = ["status"]
    return new_event(type=f"it.pdz.registry.stakeholder.{kind}.v1", service="registry", tenant=tenant,
                     aggregate_id=sid, data=data)


class Api:
    def __init__(self, tenants, settings, catalogue_path):
        app_settings = Settings(tenants_file=catalogue_path, jwt_dev_key=KEY, database_url=settings.database_url,
                                kafka_bootstrap=settings.kafka_bootstrap)
        self.client = create_app(settings=app_settings).test_client()
        self.tenants = tenants
        self.slug, self.other = tenants.slugs()
        self.url = tenants.url_for(tenants.get(self.slug), "consultation")

    def organisation(self, name, *, status="active"):
        """A new organisation in the replica (registered, then in `status` if not active); its id."""
        sid = str(uuid.uuid4())
        self.replicate(sid, name, "active", 1)
        if status != "active":
            self.replicate(sid, name, status, 2)
        return sid

    def replicate(self, sid, name, status, version):
        with psycopg.connect(self.url) as conn:
            apply_rows(conn, project(stakeholder_event(self.slug, sid, name, status=status, version=version)))

    def call(self, method, path, *roles, subject="ufficio", tenant=None, json=None, **headers):
        tenant = tenant or self.slug
        token = mint_dev_token(key=KEY, subject=subject, roles=list(roles),
                               tenants=[tenant] if set(roles) - {"regional-admin"} else [])
        headers = {"Authorization": f"Bearer {token}", **{k.replace("_", "-"): v for k, v in headers.items()}}
        return self.client.open(f"/v1/{tenant}{path}", method=method, json=json, headers=headers)

    def table(self, **overrides):
        body = {"kind": "thematic", "title": "Tavolo tematico Persone anziane", "areas": ["3"], **overrides}
        response = self.call("POST", "/tables", "operator", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def add(self, table_id, organisation_id, accounts=(), *roles, subject="ufficio"):
        return self.call("POST", f"/tables/{table_id}/members", *(roles or ("operator",)), subject=subject,
                         json={"organisation_id": organisation_id, "accounts": list(accounts)})

    def outbox(self):
        with psycopg.connect(self.url) as conn:
            return conn.execute("SELECT type, tenant, subject, data FROM outbox ORDER BY id").fetchall()


@pytest.fixture
def api(tenants, settings, tmp_path):
    return Api(tenants, settings, tmp_path / "tenants.yaml")


def ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def problem(response, status, slug):
    assert response.status_code == status, response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.get_json()["type"].endswith(f"/{slug}"), response.get_json()
    return response.get_json()


def test_the_office_creates_tables_everyone_of_the_ambito_reads_them(api):
    table = api.table(description="Anziani soli e non autosufficienti", coordinator="coord-anziani",
                      membership="open")
    assert (table["kind"], table["areas"], table["coordinator"], table["membership"], table["status"]) == (
        "thematic", ["3"], "coord-anziani", "open", "active")
    for role in ("operator", "coordinator", "stakeholder", "auditor", "regional-admin"):
        listed = ok(api.call("GET", "/tables", role))
        assert [t["id"] for t in listed["items"]] == [table["id"]], role
        got = api.call("GET", f"/tables/{table['id']}", role)
        assert ok(got)["title"] == table["title"] and got.headers["ETag"] == '"1"'
    for role in ("coordinator", "stakeholder", "auditor"):
        problem(api.call("POST", "/tables", role, json={"kind": "plenary", "title": "Plenaria"}), 403, "forbidden")
    assert api.client.get(f"/v1/{api.slug}/tables").status_code == 401
    token = mint_dev_token(key=KEY, subject="x", grants={api.other: ["operator"]})
    assert api.client.get(f"/v1/{api.slug}/tables", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    # Each Ambito its own tables.
    assert ok(api.call("GET", "/tables", "operator", tenant=api.other))["items"] == []
    problem(api.call("GET", f"/tables/{uuid.uuid4()}", "operator"), 404, "not-found")


def test_areas_are_the_regions_and_only_the_plenary_may_have_none(api):
    unknown = problem(api.call("POST", "/tables", "operator",
                               json={"kind": "thematic", "title": "Tavolo", "areas": ["3", "socio-educativa"]}),
                      422, "validation-error")
    assert [e["field"] for e in unknown["errors"]] == ["areas.1"]
    missing = problem(api.call("POST", "/tables", "operator", json={"kind": "standing", "title": "Tavolo"}),
                      422, "validation-error")
    assert missing["errors"][0]["field"] == "areas"
    plenary = api.table(kind="plenary", title="Sessione plenaria", areas=[])
    assert plenary["areas"] == [] and plenary["membership"] == "closed" and plenary["coordinator"] is None
    assert api.table(areas=["5", "3", "5"])["areas"] == ["5", "3"]
    problem(api.call("POST", "/tables", "operator", json={"kind": "round", "title": "Tavolo"}), 422,
            "validation-error")
    blank = problem(api.call("POST", "/tables", "operator", json={"kind": "plenary", "title": "    "}), 422,
                    "validation-error")
    assert blank["errors"][0]["field"] == "title"


def test_an_idempotency_key_creates_one_table(api):
    body = {"kind": "plenary", "title": "Sessione plenaria"}
    first = api.call("POST", "/tables", "operator", json=body, Idempotency_Key="plenaria-1")
    again = api.call("POST", "/tables", "operator", json=body, Idempotency_Key="plenaria-1")
    assert ok(first, 201)["id"] == ok(again, 201)["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert len(ok(api.call("GET", "/tables", "auditor"))["items"]) == 1
    assert [t for t, *_ in api.outbox()] == ["it.pdz.consultation.table.created.v1"]


def test_filters_and_cursor_pagination(api):
    made = [api.table(title=f"Tavolo {i}", areas=[str(1 + i % 3)]) for i in range(5)]
    plenary = api.table(kind="plenary", title="Plenaria", areas=[])
    closed = api.call("POST", f"/tables/{made[0]['id']}/close", "operator", If_Match='"1"')
    assert ok(closed)["status"] == "closed" and ok(closed)["closed_at"]
    titles = lambda r: [t["title"] for t in ok(r)["items"]]  # noqa: E731
    assert titles(api.call("GET", "/tables?kind=plenary", "auditor")) == ["Plenaria"]
    assert titles(api.call("GET", "/tables?area=2", "auditor")) == ["Tavolo 1", "Tavolo 4"]
    assert titles(api.call("GET", "/tables?status=closed", "auditor")) == ["Tavolo 0"]
    assert titles(api.call("GET", "/tables?status=active&kind=thematic&area=1", "auditor")) == ["Tavolo 3"]
    seen, after = [], ""
    while True:
        page = ok(api.call("GET", f"/tables?limit=2&after={after}", "stakeholder"))
        seen += [t["id"] for t in page["items"]]
        if not page["next_cursor"]:
            break
        after = page["next_cursor"]
    assert seen == [t["id"] for t in made] + [plenary["id"]]
    problem(api.call("GET", "/tables?after=zzz!", "operator"), 422, "validation-error")


def test_updates_need_if_match_the_office_changes_all_the_coordinator_the_description(api):
    table = api.table(coordinator="coord-anziani")
    path = f"/tables/{table['id']}"
    problem(api.call("PATCH", path, "operator", json={"title": "Nuovo titolo"}), 428, "if-match-required")
    changed = api.call("PATCH", path, "operator", json={"title": "Tavolo anziani", "areas": ["3", "6"]},
                       If_Match='"1"')
    assert ok(changed)["areas"] == ["3", "6"] and changed.headers["ETag"] == '"2"'
    problem(api.call("PATCH", path, "operator", json={"title": "Altro"}, If_Match='"1"'), 412, "stale-etag")
    problem(api.call("PATCH", path, "operator", json={"areas": []}, If_Match='"2"'), 422, "validation-error")
    # The coordinator the table names: the description only.
    mine = api.call("PATCH", path, "coordinator", subject="coord-anziani", json={"description": "Ordine del giorno"},
                    If_Match='"2"')
    assert ok(mine)["description"] == "Ordine del giorno" and ok(mine)["version"] == 3
    problem(api.call("PATCH", path, "coordinator", subject="coord-anziani", json={"title": "Mio"}, If_Match='"3"'),
            403, "forbidden")
    problem(api.call("PATCH", path, "coordinator", subject="coord-anziani", json={"coordinator": "altro"},
                     If_Match='"3"'), 403, "forbidden")
    # A coordinator the table does not name, a representative: not at all.
    problem(api.call("PATCH", path, "coordinator", subject="coord-altro", json={"description": "x"},
                     If_Match='"3"'), 403, "forbidden")
    problem(api.call("PATCH", path, "stakeholder", json={"description": "x"}, If_Match='"3"'), 403, "forbidden")
    # Only the office names (or changes) the coordinator.
    assert ok(api.call("PATCH", path, "operator", json={"coordinator": "coord-nuovo"}, If_Match='"3"'))[
        "coordinator"] == "coord-nuovo"
    problem(api.call("PATCH", path, "coordinator", subject="coord-anziani", json={"description": "y"},
                     If_Match='"4"'), 403, "forbidden")
    problem(api.call("POST", f"{path}/close", "coordinator", subject="coord-nuovo", If_Match='"4"'), 403, "forbidden")
    ok(api.call("POST", f"{path}/close", "operator", If_Match='"4"'))
    problem(api.call("PATCH", path, "operator", json={"title": "Dopo"}, If_Match='"5"'), 409, "table-closed")
    problem(api.call("POST", f"{path}/close", "operator", If_Match='"5"'), 409, "table-closed")
    updated = [d for t, _, _, d in api.outbox() if t == "it.pdz.consultation.table.updated.v1"]
    assert [d["changed"] for d in updated] == [["areas", "title"], ["description"], ["coordinator"]]


def test_the_office_adds_organisations_that_may_take_part(api):
    table = api.table(coordinator="coord-anziani")
    active = api.organisation("ODV Amici degli Anziani")
    suspended = api.organisation("APS Sospesa", status="suspended")
    withdrawn = api.organisation("APS Ritirata", status="withdrawn")
    path = f"/tables/{table['id']}/members"
    added = api.add(table["id"], active, ["rep-amici", "rep-amici", "rep-2"])
    member = ok(added, 201)
    assert (member["state"], member["accounts"], member["organisation_name"]) == (
        "member", ["rep-amici", "rep-2"], "ODV Amici degli Anziani")
    assert added.headers["ETag"] == '"1"'
    problem(api.add(table["id"], active), 409, "already-member")
    problem(api.add(table["id"], suspended), 409, "organisation-suspended")
    problem(api.add(table["id"], withdrawn), 409, "organisation-withdrawn")
    problem(api.add(table["id"], str(uuid.uuid4())), 409, "unknown-organisation")
    # The named coordinator adds too; another coordinator and a representative may not.
    second = api.organisation("Cooperativa Sociale Il Faro")
    problem(api.add(table["id"], second, (), "coordinator", subject="coord-altro"), 403, "forbidden")
    problem(api.add(table["id"], second, (), "stakeholder", subject="rep-amici"), 403, "forbidden")
    ok(api.add(table["id"], second, ["rep-faro"], "coordinator", subject="coord-anziani"), 201)
    problem(api.add(uuid.uuid4(), second), 404, "not-found")
    assert [m["organisation_id"] for m in ok(api.call("GET", path, "auditor"))["items"]] == [active, second]


def test_an_idempotency_key_adds_one_member(api):
    table, organisation = api.table(), api.organisation("ODV Una Volta")
    body = {"organisation_id": organisation, "accounts": ["rep"]}
    first = api.call("POST", f"/tables/{table['id']}/members", "operator", json=body, Idempotency_Key="m-1")
    again = api.call("POST", f"/tables/{table['id']}/members", "operator", json=body, Idempotency_Key="m-1")
    assert ok(first, 201)["id"] == ok(again, 201)["id"]
    assert len(ok(api.call("GET", f"/tables/{table['id']}/members", "operator"))["items"]) == 1


def test_accounts_are_shown_to_the_office_and_to_the_members_own_representatives_only(api):
    table = api.table(coordinator="coord-anziani")
    first, second = api.organisation("ODV Prima"), api.organisation("ODV Seconda")
    ok(api.add(table["id"], first, ["rep-prima"]), 201)
    ok(api.add(table["id"], second, ["rep-seconda"]), 201)
    path = f"/tables/{table['id']}/members"

    def accounts(*roles, subject):
        return [m["accounts"] for m in ok(api.call("GET", path, *roles, subject=subject))["items"]]

    assert accounts("operator", subject="ufficio") == [["rep-prima"], ["rep-seconda"]]
    assert accounts("coordinator", subject="coord-anziani") == [["rep-prima"], ["rep-seconda"]]
    assert accounts("stakeholder", subject="rep-prima") == [["rep-prima"], None]
    assert accounts("coordinator", subject="coord-altro") == [None, None]
    assert accounts("auditor", subject="revisore") == [None, None]
    assert accounts("regional-admin", subject="regione") == [None, None]
    listed = ok(api.call("GET", path, "stakeholder", subject="rep-terzo"))["items"]
    assert [m["organisation_name"] for m in listed] == ["ODV Prima", "ODV Seconda"]
    assert all(m["accounts"] is None and m["added_by"] is None for m in listed)
    one = ok(api.call("GET", f"{path}/{listed[0]['id']}", "stakeholder", subject="rep-seconda"))
    assert one["accounts"] is None and one["organisation_id"] == first
    assert "rep-prima" not in str(api.outbox()) and "rep-seconda" not in str(api.outbox())


def test_a_suspension_pauses_and_a_withdrawal_ends_a_membership_for_good(api):
    table = api.table()
    organisation = api.organisation("APS Borghi Solidali")
    member = ok(api.add(table["id"], organisation, ["rep-borghi"]), 201)
    path = f"/tables/{table['id']}/members"
    state = lambda: ok(api.call("GET", f"{path}/{member['id']}", "operator"))["state"]  # noqa: E731
    rep = Caller("rep-borghi", frozenset({"stakeholder"}))

    def in_force():
        with psycopg.connect(api.url) as conn:
            return acting_for(rep, membership.members_in_force(conn=conn, table_id=table["id"]))

    assert state() == "member" and in_force() == [uuid.UUID(organisation)]
    api.replicate(organisation, "APS Borghi Solidali", "suspended", 2)
    assert state() == "suspended" and in_force() == []
    api.replicate(organisation, "APS Borghi Solidali", "active", 3)
    assert state() == "member" and in_force() == [uuid.UUID(organisation)]
    api.replicate(organisation, "APS Borghi Solidali", "withdrawn", 4)
    assert state() == "ended" and in_force() == []
    problem(api.add(table["id"], organisation), 409, "organisation-withdrawn")
    # Re-admitted by the registry: the old membership stays ended; the office may add it again, as new.
    api.replicate(organisation, "APS Borghi Solidali", "active", 5)
    assert state() == "ended" and in_force() == []
    assert [m["id"] for m in ok(api.call("GET", f"{path}?state=ended", "auditor"))["items"]] == [member["id"]]
    again = ok(api.add(table["id"], organisation, ["rep-borghi"]), 201)
    assert again["id"] != member["id"] and again["state"] == "member" and in_force() == [uuid.UUID(organisation)]
    assert state() == "ended"   # recorded now as ended by the withdrawal (left, reason withdrawn)
    left = [d for t, _, _, d in api.outbox() if t == "it.pdz.consultation.table_member.left.v1"]
    assert [(d["member_id"], d["reason"]) for d in left] == [(member["id"], "withdrawn")]


def test_a_representative_asks_to_join_an_open_table_the_coordinator_decides(api):
    table = api.table(coordinator="coord-anziani", membership="open")
    closed = api.table(title="Tavolo chiuso")
    first, second = api.organisation("ODV Richiedente"), api.organisation("APS Seconda Richiesta")
    requests = f"/tables/{table['id']}/requests"
    asked = ok(api.call("POST", requests, "stakeholder", subject="rep-rich", json={"organisation_id": first}), 201)
    assert (asked["state"], asked["accounts"]) == ("requested", ["rep-rich"])
    problem(api.call("POST", requests, "stakeholder", subject="rep-altro", json={"organisation_id": first}),
            409, "already-member")
    problem(api.call("POST", f"/tables/{closed['id']}/requests", "stakeholder", subject="rep-rich",
                     json={"organisation_id": first}), 409, "membership-closed")
    problem(api.call("POST", requests, "operator", json={"organisation_id": second}), 403, "forbidden")
    other = ok(api.call("POST", requests, "stakeholder", subject="rep-sec", json={"organisation_id": second}), 201)
    # A requested organisation does not act yet.
    rep = Caller("rep-rich", frozenset({"stakeholder"}))
    with psycopg.connect(api.url) as conn:
        assert acting_for(rep, membership.members_in_force(conn=conn, table_id=table["id"])) == []
    member = f"/tables/{table['id']}/members/{asked['id']}"
    problem(api.call("POST", f"{member}/admit", "coordinator", subject="coord-altro", If_Match='"1"'), 403, "forbidden")
    problem(api.call("POST", f"{member}/admit", "stakeholder", subject="rep-rich", If_Match='"1"'), 403, "forbidden")
    problem(api.call("POST", f"{member}/admit", "coordinator", subject="coord-anziani"), 428, "if-match-required")
    admitted = ok(api.call("POST", f"{member}/admit", "coordinator", subject="coord-anziani", If_Match='"1"'))
    assert admitted["state"] == "member" and admitted["version"] == 2
    with psycopg.connect(api.url) as conn:
        assert acting_for(rep, membership.members_in_force(conn=conn, table_id=table["id"])) == [uuid.UUID(first)]
    problem(api.call("POST", f"{member}/admit", "coordinator", subject="coord-anziani", If_Match='"2"'),
            409, "member-state")
    # Suspended meanwhile: the request stays pending, and cannot be admitted until reactivated.
    api.replicate(second, "APS Seconda Richiesta", "suspended", 2)
    other_path = f"/tables/{table['id']}/members/{other['id']}"
    problem(api.call("POST", f"{other_path}/admit", "operator", If_Match='"1"'), 409, "organisation-suspended")
    refused = ok(api.call("POST", f"{other_path}/refuse", "coordinator", subject="coord-anziani", If_Match='"1"'))
    assert refused["state"] == "refused" and refused["left_at"]
    states = {m["organisation_id"]: m["state"] for m in ok(api.call("GET", f"/tables/{table['id']}/members",
                                                                     "auditor"))["items"]}
    assert states == {first: "member", second: "refused"}


def test_accounts_change_with_if_match_and_removal_keeps_the_row(api):
    table = api.table()
    organisation = api.organisation("Cooperativa Sociale Aurora")
    member = ok(api.add(table["id"], organisation, ["rep-1"]), 201)
    path = f"/tables/{table['id']}/members/{member['id']}"
    problem(api.call("PATCH", path, "operator", json={"accounts": ["rep-2"]}), 428, "if-match-required")
    changed = api.call("PATCH", path, "operator", json={"accounts": ["rep-2", "rep-3"]}, If_Match='"1"')
    assert ok(changed)["accounts"] == ["rep-2", "rep-3"] and changed.headers["ETag"] == '"2"'
    problem(api.call("PATCH", path, "operator", json={"accounts": []}, If_Match='"1"'), 412, "stale-etag")
    removed = ok(api.call("POST", f"{path}/remove", "operator", If_Match='"2"'))
    assert removed["state"] == "left" and removed["ended_by"] == "ufficio" and removed["left_at"]
    problem(api.call("POST", f"{path}/remove", "operator", If_Match='"3"'), 409, "member-state")
    problem(api.call("PATCH", path, "operator", json={"accounts": ["x"]}, If_Match='"3"'), 409, "member-state")
    # Never deleted; the organisation may be added again, as a new membership.
    again = ok(api.add(table["id"], organisation, ["rep-2"]), 201)
    listed = ok(api.call("GET", f"/tables/{table['id']}/members", "operator"))["items"]
    assert [(m["id"], m["state"]) for m in listed] == [(member["id"], "left"), (again["id"], "member")]
    # A closed table changes no membership.
    ok(api.call("POST", f"/tables/{table['id']}/close", "operator", If_Match='"1"'))
    problem(api.call("POST", f"/tables/{table['id']}/members/{again['id']}/remove", "operator", If_Match='"1"'),
            409, "table-closed")
    problem(api.add(table["id"], api.organisation("ODV Tardiva")), 409, "table-closed")


def test_member_pages_filtered_by_state_walk_every_row_once(api, monkeypatch):
    monkeypatch.setattr(membership, "SCAN", 2)   # the state filter reads rows a few at a time
    table = api.table()
    ids = [api.organisation(f"ODV {i}") for i in range(7)]
    for organisation in ids:
        ok(api.add(table["id"], organisation), 201)
    for organisation in ids[1::2]:
        api.replicate(organisation, "ODV", "suspended", 2)
    path = f"/tables/{table['id']}/members"

    def walk(query):
        seen, after = [], ""
        while True:
            page = ok(api.call("GET", f"{path}?limit=2&after={after}{query}", "operator"))
            assert len(page["items"]) <= 2
            seen += [m["organisation_id"] for m in page["items"]]
            if not page["next_cursor"]:
                return seen
            after = page["next_cursor"]

    assert walk("") == ids
    assert walk("&state=member") == ids[0::2]
    assert walk("&state=suspended") == ids[1::2]
    assert walk("&state=left") == []
    assert walk(f"&organisation_id={ids[3]}") == [ids[3]]
    problem(api.call("GET", f"/tables/{uuid.uuid4()}/members", "operator"), 404, "not-found")


def test_every_change_writes_its_event_in_the_outbox_as_the_catalogue_says(api):
    table = api.table(coordinator="coord-anziani", membership="open")
    path = f"/tables/{table['id']}"
    organisation, requester = api.organisation("ODV Eventi"), api.organisation("APS Richiedente")
    member = ok(api.add(table["id"], organisation, ["rep-eventi"]), 201)
    ok(api.call("PATCH", f"{path}/members/{member['id']}", "operator", json={"accounts": ["rep-nuovo"]},
                If_Match='"1"'))
    ok(api.call("POST", f"{path}/members/{member['id']}/remove", "operator", If_Match='"2"'))
    asked = ok(api.call("POST", f"{path}/requests", "stakeholder", subject="rep-rich",
                        json={"organisation_id": requester}), 201)
    ok(api.call("POST", f"{path}/members/{asked['id']}/admit", "operator", If_Match='"1"'))
    again = ok(api.add(table["id"], organisation), 201)
    ok(api.call("PATCH", path, "operator", json={"membership": "closed"}, If_Match='"1"'))
    ok(api.call("POST", f"{path}/close", "operator", If_Match='"2"'))
    events = api.outbox()
    assert [".".join(t.split(".")[3:5]) for t, *_ in events] == [
        "table.created", "table_member.added", "table_member.changed", "table_member.left",
        "table_member.requested", "table_member.admitted", "table_member.added", "table.updated", "table.closed"]
    for type_, tenant, subject, data in events:
        assert tenant == api.slug and subject == table["id"] and data["table_id"] == table["id"]
        assert_valid_event(type_, data)
        assert "rep-" not in str(data) and "coord-" not in str(data) and "ufficio" not in str(data)
    assert events[3][3]["reason"] == "removed" and events[6][3]["member_id"] == again["id"]
    # A refusal too (on a table of its own: this one is closed).
    other = api.table(membership="open")
    asked = ok(api.call("POST", f"/tables/{other['id']}/requests", "stakeholder", subject="rep-x",
                        json={"organisation_id": organisation}), 201)
    ok(api.call("POST", f"/tables/{other['id']}/members/{asked['id']}/refuse", "operator", If_Match='"1"'))
    type_, _, _, data = api.outbox()[-1]
    assert type_ == "it.pdz.consultation.table_member.refused.v1" and data["reason"] == "refused"
    assert_valid_event(type_, data)


def test_nothing_is_written_when_the_outbox_write_fails(api, monkeypatch):
    from services.consultation.tables import service

    def outbox_down(conn, event):
        raise psycopg.OperationalError("outbox write failed")

    monkeypatch.setattr(service, "add_event", outbox_down)
    with psycopg.connect(api.url, autocommit=True) as conn, pytest.raises(psycopg.OperationalError):
        service.create_table(conn=conn, tenant=api.slug, by="test", kind="plenary", title="Plenaria",
                             description="", areas=[], coordinator=None, membership="closed")
    with psycopg.connect(api.url) as conn:
        assert conn.execute("SELECT count(*) FROM consultation_tables").fetchone()[0] == 0


def test_two_offices_adding_one_organisation_at_once_make_one_member_and_a_409(api):
    import threading
    import time

    from services.consultation.tables.domain import AlreadyMember

    table, organisation = api.table(), api.organisation("ODV Contesa")
    office = Caller("ufficio", frozenset({"operator"}))
    add = dict(tenant=api.slug, caller=office, table_id=uuid.UUID(table["id"]),
               organisation_id=uuid.UUID(organisation), accounts=[])
    outcome = {}
    with psycopg.connect(api.url) as first, psycopg.connect(api.url) as second:
        first.execute("SELECT 1")   # a transaction is open: add_member's becomes a savepoint, not committed
        membership.add_member(conn=first, **add)
        pid = second.info.backend_pid

        def race():
            try:
                outcome["second"] = membership.add_member(conn=second, **add)
            except AlreadyMember as exc:
                outcome["second"] = exc

        thread = threading.Thread(target=race)
        thread.start()
        # The second waits on the unique index for the first's transaction: poll until it does.
        deadline = time.monotonic() + 30
        with psycopg.connect(api.url, autocommit=True) as watcher:
            while watcher.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                                  (pid,)).fetchone()[0] != "Lock":
                assert time.monotonic() < deadline, "the second insert never waited for the first"
        first.commit()
        thread.join(30)
    assert isinstance(outcome["second"], AlreadyMember)
    assert len(ok(api.call("GET", f"/tables/{table['id']}/members", "operator"))["items"]) == 1
    assert [t for t, *_ in api.outbox()].count("it.pdz.consultation.table_member.added.v1") == 1
