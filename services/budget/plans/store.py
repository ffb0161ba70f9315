"""Plans, versions and history persistence: plain SQL."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

PLAN = ("p.id, p.seq, p.first_year, p.last_year, p.title, p.current_version, p.version, p.created_at,"
        " p.updated_at, v.kind, v.reference_year, v.state,"
        " (SELECT max(s.number) FROM plan_versions s WHERE s.plan_id = p.id AND s.state = 'signed')"
        " AS in_force_version")
PLAN_FROM = " FROM plans p JOIN plan_versions v ON v.plan_id = p.id AND v.number = p.current_version"
VERSION = ("plan_id, number, kind, reference_year, state, remarks, approval_act, signed_on, signatories,"
           " created_at")
HISTORY = "seq, number, from_state, to_state, by_subject, by_role, at, note"


def _one(conn, query: str, params) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchone()


def _all(conn, query: str, params) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def insert_plan(conn: psycopg.Connection, *, plan_id, first_year: int, title: str, by: str) -> None:
    conn.execute("INSERT INTO plans (id, first_year, last_year, title, created_by) VALUES (%s, %s, %s, %s, %s)",
                 (plan_id, first_year, first_year + 2, title, by))


def overlapping(conn: psycopg.Connection, *, first_year: int) -> dict | None:
    """The plan whose years meet those of a triennium starting in `first_year`, if any."""
    return _one(conn, "SELECT id, first_year, last_year FROM plans"
                      " WHERE int4range(first_year, last_year, '[]') && int4range(%s, %s, '[]')",
                (first_year, first_year + 2))


def get_plan(conn: psycopg.Connection, plan_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE OF p" if for_update else ""
    return _one(conn, f"SELECT {PLAN}{PLAN_FROM} WHERE p.id = %s{lock}", (plan_id,))


def page_plans(conn: psycopg.Connection, *, year: int | None, after_seq: int, limit: int) -> list[dict]:
    return _all(conn, f"SELECT {PLAN}{PLAN_FROM} WHERE p.seq > %s"
                      " AND (%s::int IS NULL OR %s::int BETWEEN p.first_year AND p.last_year)"
                      " ORDER BY p.seq LIMIT %s", (after_seq, year, year, limit))


def bump_plan(conn: psycopg.Connection, plan_id, *, current_version: int) -> None:
    """The plan changed (a transition, a new version): a new ETag."""
    conn.execute("UPDATE plans SET current_version = %s, version = version + 1, updated_at = now() WHERE id = %s",
                 (current_version, plan_id))


def insert_version(conn: psycopg.Connection, *, plan_id, number: int, kind: str, reference_year: int) -> None:
    conn.execute("INSERT INTO plan_versions (plan_id, number, kind, reference_year) VALUES (%s, %s, %s, %s)",
                 (plan_id, number, kind, reference_year))


def get_version(conn: psycopg.Connection, plan_id, number: int, *, snapshot: bool = False,
                for_update: bool = False) -> dict | None:
    columns = VERSION + (", snapshot" if snapshot else "")
    lock = " FOR UPDATE" if for_update else ""
    return _one(conn, f"SELECT {columns} FROM plan_versions WHERE plan_id = %s AND number = %s{lock}",
                (plan_id, number))


def list_versions(conn: psycopg.Connection, plan_id) -> list[dict]:
    return _all(conn, f"SELECT {VERSION} FROM plan_versions WHERE plan_id = %s ORDER BY number", (plan_id,))


def update_version(conn: psycopg.Connection, plan_id, number: int, *, state: str, **changes) -> None:
    """Set the state and the act columns a transition records (snapshot as JSON)."""
    values = {"state": state, **{k: Jsonb(v) if k == "snapshot" else v for k, v in changes.items()}}
    assignments = ", ".join(f"{name} = %({name})s" for name in values)
    conn.execute(f"UPDATE plan_versions SET {assignments} WHERE plan_id = %(plan_id)s AND number = %(number)s",
                 {**values, "plan_id": plan_id, "number": number})


def add_history(conn: psycopg.Connection, *, plan_id, number: int, from_state: str | None, to_state: str,
                by_subject: str, by_role: str, note: str | None) -> dict:
    return _one(conn, "INSERT INTO plan_history (plan_id, number, from_state, to_state, by_subject, by_role, note)"
                      f" VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING {HISTORY}",
                (plan_id, number, from_state, to_state, by_subject, by_role, note))


def page_history(conn: psycopg.Connection, plan_id, *, number: int | None, after_seq: int, limit: int) -> list[dict]:
    return _all(conn, f"SELECT {HISTORY} FROM plan_history WHERE plan_id = %s AND seq > %s"
                      " AND (%s::int IS NULL OR number = %s::int) ORDER BY seq LIMIT %s",
                (plan_id, after_seq, number, number, limit))


def organisation_statuses(conn: psycopg.Connection, ids: list) -> dict:
    """organisation_id -> status, from the register replica, for those of `ids` it holds; `revoked` for one
    marked revoked (its former Ambito no longer shares its register: services/budget/revoke.py)."""
    rows = conn.execute("SELECT organisation_id, CASE WHEN revoked_at IS NULL THEN status ELSE 'revoked' END"
                        " FROM organisations WHERE organisation_id = ANY(%s)", (list(ids),)).fetchall()
    return {r[0]: r[1] for r in rows}


def content(conn: psycopg.Connection, plan_id) -> dict:
    """The plan's live content, as snapshot.build takes it."""
    interventions = _all(conn, "SELECT * FROM interventions WHERE plan_id = %s ORDER BY seq", (plan_id,))
    ids = [r["id"] for r in interventions]
    proposals: dict = {}
    for intervention_id, proposal_id in conn.execute(
            "SELECT intervention_id, proposal_id FROM intervention_proposals WHERE intervention_id = ANY(%s)",
            (ids,)).fetchall():
        proposals.setdefault(intervention_id, []).append(proposal_id)
    return {
        "interventions": interventions,
        "proposals": proposals,
        "allocations": _all(conn, "SELECT intervention_id, fund_code, year, amount FROM allocations"
                                  " WHERE intervention_id = ANY(%s)", (ids,)),
        "cofinancing": _all(conn, "SELECT intervention_id, year, total, population_as_of FROM cofinancing"
                                  " WHERE intervention_id = ANY(%s)", (ids,)),
        "shares": _all(conn, "SELECT * FROM cofinancing_shares WHERE intervention_id = ANY(%s)", (ids,)),
    }
