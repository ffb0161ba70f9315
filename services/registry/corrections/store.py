"""Correction requests persistence: plain SQL on the tenant's registry database."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from services.registry.sql import update_versioned

COLUMNS = ("seq, id, stakeholder_id, stakeholder_name, stakeholder_version, current, changes, reason, status,"
           " requested_by, requested_at, decided_by, decided_at, rejection_reason, applied_version, version")


def represents(conn: psycopg.Connection, *, subject: str, stakeholder_id) -> bool:
    """Whether `subject` filed an application that admitted this organisation: then it represents it."""
    return conn.execute("SELECT EXISTS (SELECT 1 FROM applications WHERE submitted_by = %s AND stakeholder_id = %s"
                        " AND status = 'admitted')", (subject, stakeholder_id)).fetchone()[0]


def insert(conn: psycopg.Connection, **values) -> dict:
    values = {**values, "current": Jsonb(values["current"]), "changes": Jsonb(values["changes"])}
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO correction_requests (id, stakeholder_id, stakeholder_name, stakeholder_version, current,"
            " changes, reason, requested_by) VALUES (%(id)s, %(stakeholder_id)s, %(stakeholder_name)s,"
            f" %(stakeholder_version)s, %(current)s, %(changes)s, %(reason)s, %(requested_by)s) RETURNING {COLUMNS}",
            values).fetchone()


def get(conn: psycopg.Connection, correction_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM correction_requests WHERE id = %s{lock}",
                           (correction_id,)).fetchone()


def pending_of(conn: psycopg.Connection, stakeholder_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM correction_requests WHERE stakeholder_id = %s"
                           " AND status = 'pending'", (stakeholder_id,)).fetchone()


def decide(conn: psycopg.Connection, correction_id, **changes) -> dict:
    return update_versioned(conn, table="correction_requests", row_id=correction_id, changes=changes,
                            returning=COLUMNS, stamp="decided_at")


def page(conn: psycopg.Connection, *, status: str | None, stakeholder_id, only_of: str | None,
         after_seq: int, limit: int) -> list[dict]:
    """`only_of`: the one representative whose requests may be listed (None: every request)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM correction_requests WHERE seq > %(after)s"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " AND (%(stakeholder_id)s::uuid IS NULL OR stakeholder_id = %(stakeholder_id)s)"
            " AND (%(only_of)s::text IS NULL OR requested_by = %(only_of)s)"
            " ORDER BY seq LIMIT %(limit)s",
            {"after": after_seq, "status": status, "stakeholder_id": stakeholder_id, "only_of": only_of,
             "limit": limit}).fetchall()
