"""Proposals persistence: plain SQL (proposals, the needs they answer, the valuators' assessments)."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from services.consultation.contributions.store import update_versioned

COLUMNS = ("id, seq, table_id, organisation_id, title, description, expected_outcome, deliverers, estimated_cost,"
           " status, valuators, evaluation_started_at, answer, merged_into, decided_at, decided_by, on_behalf,"
           " recorded_by, recorded_by_role, version, created_at, updated_at, updated_by")
ASSESSMENT = "proposal_id, valuator, feasibility, feasibility_note, assessed_cost, cost_note, assessed_at"


def insert(conn: psycopg.Connection, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO proposals (id, table_id, organisation_id, title, description, expected_outcome, deliverers,"
            " estimated_cost, on_behalf, recorded_by, recorded_by_role, updated_by)"
            " VALUES (%(id)s, %(table_id)s, %(organisation_id)s, %(title)s, %(description)s, %(expected_outcome)s,"
            " %(deliverers)s, %(estimated_cost)s, %(on_behalf)s, %(recorded_by)s, %(recorded_by_role)s,"
            f" %(recorded_by)s) RETURNING {COLUMNS}", values).fetchone()


def get(conn: psycopg.Connection, proposal_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM proposals WHERE id = %s{lock}", (proposal_id,)).fetchone()


def update(conn: psycopg.Connection, proposal_id, **changes) -> dict:
    return update_versioned(conn, table="proposals", row_id=proposal_id, changes=changes, returning=COLUMNS)


def set_needs(conn: psycopg.Connection, proposal_id, need_ids: list) -> None:
    """The needs the proposal answers, in the order given (replacing those it had)."""
    conn.execute("DELETE FROM proposal_needs WHERE proposal_id = %s", (proposal_id,))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO proposal_needs (proposal_id, need_id, position) VALUES (%s, %s, %s)",
                        [(proposal_id, need_id, i) for i, need_id in enumerate(need_ids)])


def needs_of(conn: psycopg.Connection, proposal_ids) -> dict:
    """For each proposal id, the needs it answers (id, area, target_group, comuni), in its order."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT pn.proposal_id, n.id, n.area, n.target_group, n.comuni FROM proposal_needs pn"
            " JOIN needs n ON n.id = pn.need_id WHERE pn.proposal_id = ANY(%s)"
            " ORDER BY pn.proposal_id, pn.position", (list(proposal_ids),)).fetchall()
    found: dict = {pid: [] for pid in proposal_ids}
    for row in rows:
        found[row.pop("proposal_id")].append(row)
    return found


def upsert_assessment(conn: psycopg.Connection, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO proposal_assessments (proposal_id, valuator, feasibility, feasibility_note, assessed_cost,"
            " cost_note) VALUES (%(proposal_id)s, %(valuator)s, %(feasibility)s, %(feasibility_note)s,"
            " %(assessed_cost)s, %(cost_note)s) ON CONFLICT (proposal_id, valuator) DO UPDATE SET"
            " feasibility = EXCLUDED.feasibility, feasibility_note = EXCLUDED.feasibility_note,"
            " assessed_cost = EXCLUDED.assessed_cost, cost_note = EXCLUDED.cost_note, assessed_at = now()"
            f" RETURNING {ASSESSMENT}", values).fetchone()


def assessments_of(conn: psycopg.Connection, proposal_ids) -> dict:
    """For each proposal id, its assessments in the order they were first recorded."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT {ASSESSMENT} FROM proposal_assessments WHERE proposal_id = ANY(%s)"
                           " ORDER BY seq", (list(proposal_ids),)).fetchall()
    found: dict = {pid: [] for pid in proposal_ids}
    for row in rows:
        found[row["proposal_id"]].append(row)
    return found


def merged_from(conn: psycopg.Connection, proposal_ids) -> dict:
    """For each proposal id, the proposals merged into it, oldest first."""
    rows = conn.execute("SELECT merged_into, id FROM proposals WHERE merged_into = ANY(%s) ORDER BY seq",
                        (list(proposal_ids),)).fetchall()
    found: dict = {pid: [] for pid in proposal_ids}
    for target, source in rows:
        found[target].append(source)
    return found


def page(conn: psycopg.Connection, *, filters: dict, after_seq: int, limit: int) -> list[dict]:
    """Proposals in submission order; filters table_id, status, organisation_id, need_id, area narrow each other."""
    params = {"after": after_seq, "limit": limit, **{k: filters.get(k) for k in (
        "table_id", "status", "organisation_id", "need_id", "area")}}
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM proposals p WHERE seq > %(after)s"
            " AND (%(table_id)s::uuid IS NULL OR table_id = %(table_id)s)"
            " AND (%(status)s::text IS NULL OR status = %(status)s)"
            " AND (%(organisation_id)s::uuid IS NULL OR organisation_id = %(organisation_id)s)"
            " AND (%(need_id)s::uuid IS NULL OR EXISTS (SELECT 1 FROM proposal_needs pn"
            "      WHERE pn.proposal_id = p.id AND pn.need_id = %(need_id)s))"
            " AND (%(area)s::text IS NULL OR EXISTS (SELECT 1 FROM proposal_needs pn JOIN needs n"
            "      ON n.id = pn.need_id WHERE pn.proposal_id = p.id AND n.area = %(area)s))"
            " ORDER BY seq LIMIT %(limit)s", params).fetchall()
