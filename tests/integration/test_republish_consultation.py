"""Consultation's backfill on the real PostgreSQL and Kafka: needs, the map of services, tables with their
members and proposals of a tenant, as they stand in its own database, reach Kafka through its outbox and
the real relay as snapshots marked `pdzreplay`, one per record, each equal to the record and valid against
the event catalogue, with no account in any."""
import uuid
from datetime import datetime, timezone

import psycopg
from psycopg.rows import dict_row

from shared.consumer.routes import TenantRoute
from shared.consumer.rows import apply_rows
from shared.db.pools import PoolRegistry
from shared.events.envelope import from_kafka, new_event
from shared.events.topics import service_topic
from shared.kafka.clients import idempotent_producer
from shared.outbox.relay import Relay
from shared.outbox.republish import republish
from shared.sharing import Share, Sharing

from decimal import Decimal

from services.consultation.contributions import needs_store, proposals_store
from services.consultation.offer import store as offer_store
from services.consultation.projectors import PROJECTORS, project
from services.consultation.republish import BUILDERS
from tests.contract.catalogue import assert_valid_event
from tests.integration.conftest import read_topic
from tests.integration.test_consumer import make_runner, poll_until, processed


def organisation(conn, tenant):
    sid = str(uuid.uuid4())
    apply_rows(conn, project(new_event(
        type="it.pdz.registry.stakeholder.registered.v1", service="registry", tenant=tenant, aggregate_id=sid,
        data={"stakeholder_id": sid, "name": "ODV Amici del Pollino", "type": "ets", "runts_section": "b",
              "areas": ["3"], "status": "active", "version": 1, "registered_at": "2020-03-01T09:00:00+00:00"})))
    return uuid.UUID(sid)


def world(conn, tenant):
    """5 needs (two closed since: version 2) and 3 offers (one retired: version 2) of one table."""
    org = organisation(conn, tenant)
    table = uuid.uuid4()
    conn.execute("INSERT INTO consultation_tables (id, kind, title, areas, coordinator, created_by)"
                 " VALUES (%s, 'thematic', 'Tavolo anziani', '{3}', 'coord-1', 'op')", (table,))
    needs = [needs_store.insert(conn, id=uuid.uuid4(), table_id=table, session_id=None, organisation_id=org,
                                title=f"Bisogno {n}", description="Trasporto sociale", area="3",
                                target_group="anziani", comuni=["076042"], evidence="", on_behalf=False,
                                recorded_by="rep-1", recorded_by_role="stakeholder") for n in range(5)]
    for need in needs[:2]:
        needs_store.update(conn, need["id"], status="closed", closed_at=datetime.now(timezone.utc))
    offers = [offer_store.insert(conn, id=uuid.uuid4(), organisation_id=org, recorded_by_office=True, by="op",
                                 name=f"Centro diurno {n}", area="3", target_group="anziani", comuni=["076042"])
              for n in range(3)]
    offer_store.retire(conn, offers[0]["id"], by="op", reason="chiuso")
    # Two memberships of the table (one ended since), a second table with none.
    other = organisation(conn, tenant)
    for org_id in (org, other):
        conn.execute("INSERT INTO table_members (id, table_id, organisation_id, accounts, state, joined_version,"
                     " added_by) VALUES (%s, %s, %s, '{rep-1}', 'member', 1, 'op')", (uuid.uuid4(), table, org_id))
    conn.execute("UPDATE table_members SET state = 'left', ended_reason = 'removed', left_at = now(), ended_by = 'op',"
                 " version = 2 WHERE organisation_id = %s", (other,))
    conn.execute("INSERT INTO consultation_tables (id, kind, title, areas, coordinator, created_by)"
                 " VALUES (%s, 'thematic', 'Tavolo minori', '{1}', 'coord-1', 'op')", (uuid.uuid4(),))
    # Two proposals answering the needs, the second merged into the first.
    made = [proposals_store.insert(conn, id=uuid.uuid4(), table_id=table, organisation_id=org, title=f"Proposta {n}",
                                   description="Navetta sociale", expected_outcome="60 anziani serviti",
                                   deliverers=[org], estimated_cost=Decimal("17250.50"), on_behalf=False,
                                   recorded_by="rep-1", recorded_by_role="stakeholder") for n in range(2)]
    for proposal in made:
        proposals_store.set_needs(conn, proposal["id"], [needs[2]["id"], needs[3]["id"]])
    proposals_store.update(conn, made[1]["id"], status="merged", merged_into=made[0]["id"], valuators=["val-1"],
                           answer="Accolta nella proposta 0.", decided_at=datetime.now(timezone.utc))


def test_needs_and_services_are_republished_as_they_stand(tenants, settings, topic_prefix):
    a = tenants.slugs()[0]
    url = tenants.url_for(tenants.get(a), "consultation")
    with psycopg.connect(url) as conn:
        world(conn, a)
        conn.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")  # long gone
        done = [republish(conn, BUILDERS[name], tenant=a, data=name, batch_size=2)
                for name in ("consultation.needs", "consultation.services", "consultation.tables",
                             "consultation.proposals")]
    # needs 5 (pages 2+2+1), offers 3 (2+1), tables 2 with 2 members (2+empty), proposals 2 (2+empty)
    assert [(d.events, d.transactions) for d in done] == [(5, 3), (3, 2), (4, 2), (2, 2)]
    relay = Relay(service="consultation", catalogue=tenants, pools=PoolRegistry(max_per_pool=1), batch_size=50,
                  producer=idempotent_producer(settings.kafka_bootstrap, client_id="test-relay"))
    assert relay.sweep() == 14

    records = read_topic(settings.kafka_bootstrap, service_topic("consultation"), expect=14)
    events = [from_kafka(r.value, r.headers) for r in records]
    assert len(events) == 14 and all(e.replay and e.tenantid == a for e in events)
    for event in events:
        assert_valid_event(event.type, event.data)
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        needs = {str(r["id"]): r for r in cur.execute("SELECT * FROM needs").fetchall()}
        offers = {str(r["id"]): r for r in cur.execute("SELECT * FROM service_offers").fetchall()}
    snapshots = {e.subject: e for e in events if e.type == "it.pdz.consultation.need.snapshot.v1"}
    assert set(snapshots) == set(needs)
    for need_id, need in needs.items():
        data = snapshots[need_id].data
        assert (data["title"], data["status"], data["version"], data["comuni"], data["organisation_id"]) == \
            (need["title"], need["status"], need["version"], need["comuni"], str(need["organisation_id"]))
        assert "changed" not in data and "recorded_by" not in data   # no change, and never an account
    offered = {e.subject: e.data for e in events if e.type == "it.pdz.consultation.service_offer.updated.v1"}
    assert set(offered) == set(offers)
    for offer_id, offer in offers.items():
        assert (offered[offer_id]["name"], offered[offer_id]["status"], offered[offer_id]["version"],
                offered[offer_id]["changed"]) == (offer["name"], offer["status"], offer["version"], [])
        assert "contact_phone" not in offered[offer_id]

    tables = {e.subject: e.data for e in events if e.type == "it.pdz.consultation.table.snapshot.v1"}
    assert sorted(t["title"] for t in tables.values()) == ["Tavolo anziani", "Tavolo minori"]
    members = [(r.key.decode(), from_kafka(r.value, r.headers).data) for r in records
               if from_kafka(r.value, r.headers).type == "it.pdz.consultation.table_member.changed.v1"]
    [table_id] = [i for i, t in tables.items() if t["title"] == "Tavolo anziani"]
    assert {key for key, _ in members} == {f"{a}/{table_id}"}   # under the table's key, as always
    assert sorted((m["state"], m["version"], m.get("reason")) for _, m in members) == \
        [("left", 2, "removed"), ("member", 1, None)]
    assert all("accounts" not in m for _, m in members)
    proposals = {e.data["title"]: e.data for e in events if e.type == "it.pdz.consultation.proposal.snapshot.v1"}
    assert proposals["Proposta 0"]["status"] == "submitted" and "answer" not in proposals["Proposta 0"]
    assert (proposals["Proposta 1"]["status"], proposals["Proposta 1"]["merged_into"],
            proposals["Proposta 1"]["answer"], proposals["Proposta 1"]["version"]) == \
        ("merged", proposals["Proposta 0"]["proposal_id"], "Accolta nella proposta 0.", 2)
    by_title = {need["title"]: need_id for need_id, need in needs.items()}
    assert proposals["Proposta 1"]["need_ids"] == [by_title["Bisogno 2"], by_title["Bisogno 3"]]
    assert proposals["Proposta 0"]["estimated_cost"] == "17250.50" and "recorded_by" not in proposals["Proposta 0"]
    for account in ("rep-1", "val-1", "coord-1"):   # accounts may be people's user names: never in an event
        assert all(account not in str(e.data) for e in events)


DATA = ("consultation.needs", "consultation.services", "consultation.tables", "consultation.proposals")
# (owner's query, receiver's query of origin %s): the same columns, in the same order
SAME = {
    "needs": ("SELECT id, table_id, organisation_id, title, description, area, target_group, comuni, evidence, status,"
              " on_behalf, recorded_by_role, version FROM needs ORDER BY id",
              "SELECT id, table_id, organisation_id, title, description, area, target_group, comuni, evidence, status,"
              " on_behalf, recorded_by_role, version FROM replica_needs WHERE origin = %s ORDER BY id"),
    "tables": ("SELECT id, kind, title, areas, membership, status, version FROM consultation_tables ORDER BY id",
               "SELECT id, kind, title, areas, membership, status, version FROM replica_tables WHERE origin = %s"
               " ORDER BY id"),
    "members": ("SELECT id, table_id, organisation_id, state, ended_reason, version FROM table_members ORDER BY id",
                "SELECT id, table_id, organisation_id, state, reason, version FROM replica_table_members"
                " WHERE origin = %s ORDER BY id"),
    "proposals": ("SELECT id, table_id, organisation_id, title, status, version, answer, decided_at, merged_into,"
                  " description, expected_outcome, estimated_cost, on_behalf, recorded_by_role,"
                  " ARRAY(SELECT need_id FROM proposal_needs n WHERE n.proposal_id = p.id ORDER BY position)"
                  " FROM proposals p ORDER BY id",
                  "SELECT id, table_id, organisation_id, title, status, version, answer, decided_at, merged_into,"
                  " description, expected_outcome, estimated_cost, on_behalf, recorded_by_role, need_ids"
                  " FROM replica_proposals WHERE origin = %s ORDER BY id"),
    "offers": ("SELECT id, organisation_id, name, area, target_group, comuni, accredited, status, version"
               " FROM service_offers ORDER BY id",
               "SELECT id, organisation_id, name, area, target_group, comuni, accredited, status, version"
               " FROM replica_offer WHERE origin = %s ORDER BY id"),
}


def query(url, sql, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def test_a_receivers_replicas_built_by_backfill_equal_the_owners_data(tenants, settings, topic_prefix):
    a, b = tenants.slugs()
    url, receiver = (tenants.url_for(tenants.get(t), "consultation") for t in (a, b))
    with psycopg.connect(url) as conn:
        world(conn, a)
        conn.execute("UPDATE outbox SET published_at = now() WHERE published_at IS NULL")  # long gone
    group = f"test-backfill-{uuid.uuid4().hex[:8]}"
    runner = make_runner(settings, group, route=TenantRoute(tenants, "consultation", Sharing([Share(a, b, DATA)])),
                         projectors=PROJECTORS, topics=[service_topic("consultation")])
    relay = Relay(service="consultation", catalogue=tenants, pools=PoolRegistry(max_per_pool=1), batch_size=50,
                  producer=idempotent_producer(settings.kafka_bootstrap, client_id="test-relay"))

    def backfill():
        with psycopg.connect(url) as conn:
            written = sum(republish(conn, BUILDERS[name], tenant=a, data=name).events for name in DATA)
        assert relay.sweep() == written == 14

    def replicas():
        return {name: query(receiver, mine, a) for name, (_theirs, mine) in SAME.items()}

    try:
        backfill()
        assert poll_until(runner, lambda: sum(map(len, replicas().values())) == 14)
        owner = {name: query(url, theirs) for name, (theirs, _mine) in SAME.items()}
        assert {name: len(found) for name, found in owner.items()} == \
            {"needs": 5, "tables": 2, "members": 2, "proposals": 2, "offers": 3}
        assert replicas() == owner   # field by field, every record of every shared data set
        before = {t: query(receiver, f"SELECT * FROM {t} ORDER BY id") for t in (
            "replica_needs", "replica_tables", "replica_table_members", "replica_proposals", "replica_offer")}
        backfill()   # again: read and recorded, and nothing changes
        assert poll_until(runner, lambda: processed(receiver, group) == 28)
        assert {t: query(receiver, f"SELECT * FROM {t} ORDER BY id") for t in before} == before
    finally:
        runner.close()
