"""The registry migrations of issue 7 applied to a database that already holds data (a tenant
provisioned before them): what was true stays true, and the new rules hold (real PostgreSQL)."""
import unicodedata
import uuid

import psycopg
import pytest
from psycopg.types.json import Jsonb

from shared.cli.provision import ensure_database, migrations_folder
from shared.db.migrations import apply_migrations, service_migrations
from shared.tenants import database_url
from tests.conftest import random_database

BEFORE = "registry/006"   # the last registry migration before issue 7
TAX_CODE = "01114601006"
NAME = "Società Cooperativa Perché Sì"


@pytest.fixture
def old_db(settings):
    """A registry database at registry/006, with a call, applications and the register as they were written."""
    url = database_url(settings.database_url, random_database("regup"))
    ensure_database(url)
    migrations = service_migrations("registry", migrations_folder("registry"))
    old = [m for m in migrations if m.version.startswith("platform/") or m.version <= BEFORE]
    assert len(old) < len(migrations), "no migration after registry/006 yet"
    with psycopg.connect(url) as conn:
        apply_migrations(conn, old)
    return url


def _seed(conn):
    call, rejected, admitted, direct = (uuid.uuid4() for _ in range(4))
    conn.execute("INSERT INTO calls (id, title, areas, opens_at, closes_at, status)"
                 " VALUES (%s, 'Avviso', '{3}', now() - interval '1 day', now() + interval '9 days', 'published')",
                 (call,))
    # The same transaction time stamps an admission's application review and the stakeholder's history.
    with conn.transaction():
        conn.execute("INSERT INTO stakeholders (id, name, type, tax_code, areas)"
                     " VALUES (%s, %s, 'social_cooperative', '02000000007', '{3}')",
                     (admitted, unicodedata.normalize("NFD", NAME)))
        conn.execute("INSERT INTO stakeholder_history (stakeholder_id, version, change, changes, changed_by)"
                     " VALUES (%s, 1, 'registered', %s, 'op')", (admitted, Jsonb({"name": NAME, "areas": ["3"]})))
        conn.execute(
            "INSERT INTO applications (id, call_id, protocol_year, protocol_seq, protocol_number, organisation_name,"
            " organisation_type, tax_code, seat_istat, areas, declarations, status, stakeholder_id, submitted_by,"
            " reviewed_by, reviewed_at) VALUES (%s, %s, 2026, 2, '2026/000002', 'Coop', 'social_cooperative',"
            " '02000000007', '076042', '{3}', '{}', 'admitted', %s, 'rep', 'op', now())", (uuid.uuid4(), call, admitted))
    conn.execute(
        "INSERT INTO applications (id, call_id, protocol_year, protocol_seq, protocol_number, organisation_name,"
        " organisation_type, tax_code, seat_istat, areas, declarations, status, submitted_by, reviewed_by,"
        " reviewed_at) VALUES (%s, %s, 2026, 1, '2026/000001', 'Squatter', 'social_cooperative', %s, '076042',"
        " '{3}', '{}', 'rejected', 'squatter', 'op', now())", (rejected, call, TAX_CODE))
    conn.execute("INSERT INTO stakeholders (id, name, type, tax_code) VALUES (%s, 'Comune', 'comune', '00000000000')",
                 (direct,))
    conn.execute("INSERT INTO stakeholder_history (stakeholder_id, version, change, changes, changed_by)"
                 " VALUES (%s, 1, 'registered', %s, 'op')", (direct, Jsonb({"name": "Comune"})))
    return call, admitted, direct


def _apply(conn, call, number, status="submitted"):
    conn.execute(
        "INSERT INTO applications (id, call_id, protocol_year, protocol_seq, protocol_number, organisation_name,"
        " organisation_type, tax_code, seat_istat, areas, declarations, status, submitted_by)"
        " VALUES (%s, %s, 2026, %s, %s, 'Coop', 'social_cooperative', %s, '076042', '{3}', '{}', %s, 'rep')",
        (uuid.uuid4(), call, number, f"2026/{number:06d}", TAX_CODE, status))


def test_the_issue_7_migrations_upgrade_a_database_with_data(old_db, settings):
    with psycopg.connect(old_db, autocommit=True) as conn:
        call, admitted, direct = _seed(conn)
        with pytest.raises(psycopg.errors.UniqueViolation):
            _apply(conn, call, 3)   # before: the rejected squatter locks the organisation out
    with psycopg.connect(old_db) as conn:
        applied = apply_migrations(conn, service_migrations("registry", migrations_folder("registry")))
    assert applied
    with psycopg.connect(old_db, autocommit=True) as conn:
        _apply(conn, call, 3)       # after: a rejected application no longer counts ...
        with pytest.raises(psycopg.errors.UniqueViolation):
            _apply(conn, call, 4)   # ... one standing application per organisation and call still does
        # The admission that created a stakeholder is named in its first history entry.
        rows = conn.execute("SELECT h.stakeholder_id, h.change, h.changes, h.protocol_number"
                            " FROM stakeholder_history h ORDER BY h.id").fetchall()
        assert rows == [(admitted, "admitted_from_application",
                         {"name": {"from": None, "to": NAME}, "areas": {"from": None, "to": ["3"]}}, "2026/000002"),
                        (direct, "registered", {"name": "Comune"}, None)]
        # Names written before normalisation are composed now.
        assert conn.execute("SELECT name FROM stakeholders WHERE id = %s", (admitted,)).fetchone()[0] == NAME
        # The access log refuses a resource it does not know.
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO personal_data_access_log (subject, action, resource, resource_id)"
                         " VALUES ('x', 'read', 'stakeholder', '1')")
