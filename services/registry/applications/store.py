"""Applications persistence: plain SQL."""
from __future__ import annotations

import uuid

import psycopg
from psycopg.rows import dict_row

from services.registry.applications.domain import STANDING
from services.registry.sql import update_versioned
from psycopg.types.json import Jsonb

COLUMNS = ("id, seq, call_id, protocol_year, protocol_seq, protocol_number, organisation_name,"
           " organisation_type, tax_code, runts_section, runts_number, seat_istat, areas, declarations,"
           " status, rejection_reason, stakeholder_id, submitted_by, submitted_at, reviewed_by,"
           " reviewed_at, version")
PEOPLE = "id, application_id, stakeholder_id, role, full_name, tax_code, email, phone"


def next_protocol_number(conn: psycopg.Connection, year: int) -> int:
    """The year's next number; the counter row stays locked until the transaction ends."""
    return conn.execute(
        "INSERT INTO protocol_counters (year, last_number) VALUES (%s, 1)"
        " ON CONFLICT (year) DO UPDATE SET last_number = protocol_counters.last_number + 1"
        " RETURNING last_number", (year,)).fetchone()[0]


def insert(conn: psycopg.Connection, **values) -> dict:
    values = {**values, "declarations": Jsonb(values["declarations"])}
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO applications (id, call_id, protocol_year, protocol_seq, protocol_number,"
            " organisation_name, organisation_type, tax_code, runts_section, runts_number, seat_istat, areas,"
            " declarations, submitted_by, submitted_at) VALUES (%(id)s, %(call_id)s, %(protocol_year)s,"
            " %(protocol_seq)s, %(protocol_number)s, %(organisation_name)s, %(organisation_type)s,"
            " %(tax_code)s, %(runts_section)s, %(runts_number)s, %(seat_istat)s, %(areas)s, %(declarations)s,"
            f" %(submitted_by)s, %(submitted_at)s) RETURNING {COLUMNS}", values).fetchone()


def insert_person(conn: psycopg.Connection, *, application_id, role: str, person: dict) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO people (id, application_id, role, full_name, tax_code, email, phone)"
            f" VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING {PEOPLE}",
            (uuid.uuid4(), application_id, role, person["full_name"], person.get("tax_code"),
             person.get("email"), person.get("phone"))).fetchone()


def get(conn: psycopg.Connection, application_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM applications WHERE id = %s{lock}",
                           (application_id,)).fetchone()


def people_of(conn: psycopg.Connection, application_id) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {PEOPLE} FROM people WHERE application_id = %s ORDER BY role",
                           (application_id,)).fetchall()


def review(conn: psycopg.Connection, application_id, **changes) -> dict:
    return update_versioned(conn, table="applications", row_id=application_id, changes=changes,
                            returning=COLUMNS, stamp="reviewed_at")


def link_people(conn: psycopg.Connection, application_id, stakeholder_id) -> None:
    conn.execute("UPDATE people SET stakeholder_id = %s WHERE application_id = %s", (stakeholder_id, application_id))


def standing(conn: psycopg.Connection, *, call_id, tax_code: str) -> dict | None:
    """The application that holds this organisation's place in a call (submitted or admitted), if any."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM applications WHERE call_id = %s AND tax_code = %s"
                           " AND status = ANY(%s)", (call_id, tax_code, list(STANDING))).fetchone()


def page(conn: psycopg.Connection, *, call_id, status: str | None, submitted_by: str | None,
         after_seq: int, limit: int, tax_code: str | None = None, only_of: str | None = None) -> list[dict]:
    """`submitted_by` is a filter; `only_of` the one submitter a representative may see (both apply)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM applications WHERE seq > %(after)s"
            " AND (%(call_id)s::uuid IS NULL OR call_id = %(call_id)s)"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " AND (%(by)s::text IS NULL OR submitted_by = %(by)s)"
            " AND (%(only_of)s::text IS NULL OR submitted_by = %(only_of)s)"
            " AND (%(tax_code)s::text IS NULL OR tax_code = %(tax_code)s)"
            " ORDER BY seq LIMIT %(limit)s",
            {"after": after_seq, "call_id": call_id, "status": status, "by": submitted_by,
             "only_of": only_of, "tax_code": tax_code, "limit": limit}).fetchall()
