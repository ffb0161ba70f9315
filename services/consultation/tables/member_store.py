"""Memberships' persistence: plain SQL. Each row comes with what the register replica says of its
organisation (name, status, every replicated (version, status)), so that its state can be computed."""
from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

MEMBER_COLUMNS = ("id, seq, table_id, organisation_id, accounts, state, joined_version, joined_at, added_by,"
                  " left_at, ended_reason, ended_by, version")
# The member row, its organisation as replicated, and the organisation's status history.
_SELECT = ("SELECT m.id, m.seq, m.table_id, m.organisation_id, m.accounts, m.state AS stored_state,"
           " m.joined_version, m.joined_at, m.added_by, m.left_at, m.ended_reason, m.ended_by, m.version,"
           " o.name AS organisation_name, o.status AS organisation_status, o.version AS organisation_version,"
           " (SELECT coalesce(jsonb_agg(jsonb_build_array(s.version, s.status)), '[]'::jsonb)"
           "    FROM organisation_statuses s WHERE s.organisation_id = m.organisation_id) AS history"
           " FROM table_members m JOIN organisations o ON o.organisation_id = m.organisation_id")


def organisation(conn: psycopg.Connection, organisation_id) -> dict | None:
    """The register replica's row as the membership rules read it, a revoked one (014) included: refused
    by name (members/domain.py), not as unknown."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT organisation_id AS id, origin, name, status, version, revoked_at"
                           " FROM organisations WHERE organisation_id = %s", (organisation_id,)).fetchone()


def active_organisations(conn: psycopg.Connection, *, tenant: str, origins) -> list[dict]:
    """The active, not revoked organisations of the registers of `origins`: the Ambito's own first, each
    register in arrival order."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT organisation_id AS id, origin FROM organisations"
                           " WHERE origin = ANY(%s) AND status = 'active' AND revoked_at IS NULL"
                           " ORDER BY origin <> %s, origin, seq", (sorted(origins), tenant)).fetchall()


def insert(conn: psycopg.Connection, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO table_members (id, table_id, organisation_id, accounts, state, joined_version, added_by)"
            " VALUES (%(id)s, %(table_id)s, %(organisation_id)s, %(accounts)s, %(state)s, %(joined_version)s,"
            f" %(added_by)s) RETURNING {MEMBER_COLUMNS}", values).fetchone()


def get(conn: psycopg.Connection, table_id, member_id, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE OF m" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"{_SELECT} WHERE m.table_id = %s AND m.id = %s{lock}", (table_id, member_id)).fetchone()


def standing_for(conn: psycopg.Connection, table_id, organisation_id) -> dict | None:
    """The organisation's requested or member row at the table (at most one: 003's unique index), locked."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"{_SELECT} WHERE m.table_id = %s AND m.organisation_id = %s"
                           " AND m.state IN ('requested', 'member') FOR UPDATE OF m",
                           (table_id, organisation_id)).fetchone()


def update(conn: psycopg.Connection, member_id, **changes) -> None:
    """Set `changes` and bump the version (the ETag)."""
    sets = [sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes]
    sets.append(sql.SQL("version = version + 1"))
    conn.execute(sql.SQL("UPDATE table_members SET {} WHERE id = %(__id)s").format(sql.SQL(", ").join(sets)),
                 {**changes, "__id": member_id})


def page(conn: psycopg.Connection, *, table_id, stored_states: tuple[str, ...] | None, organisation_id,
         after_seq: int, limit: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"{_SELECT} WHERE m.table_id = %(table)s AND m.seq > %(after)s"
            " AND (%(states)s::text[] IS NULL OR m.state = ANY(%(states)s::text[]))"
            " AND (%(organisation)s::uuid IS NULL OR m.organisation_id = %(organisation)s::uuid)"
            " ORDER BY m.seq LIMIT %(limit)s",
            {"table": table_id, "after": after_seq, "states": list(stored_states) if stored_states else None,
             "organisation": organisation_id, "limit": limit}).fetchall()


def all_standing(conn: psycopg.Connection, table_id) -> list[dict]:
    """Every requested or member row of the table (for the access rules of sessions and contributions)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"{_SELECT} WHERE m.table_id = %s AND m.state IN ('requested', 'member')"
                           " ORDER BY m.seq", (table_id,)).fetchall()


# A replica table's members (issue 9): what the owner's events said, never accounts or who acted; the
# organisation's name and status only if its register is shared too (else null).
_REPLICA_SELECT = ("SELECT m.id, m.table_id, m.organisation_id, m.state, m.version, m.origin,"
                   " NULL::text[] AS accounts, NULL::text AS added_by, NULL::text AS ended_by,"
                   " NULL::timestamptz AS joined_at, NULL::timestamptz AS left_at,"
                   " o.name AS organisation_name, o.status AS organisation_status"
                   " FROM replica_table_members m LEFT JOIN organisations o ON o.organisation_id = m.organisation_id")


def replica_page(conn: psycopg.Connection, *, origin: str, table_id, state: str | None, organisation_id,
                 offset: int, limit: int) -> list[dict]:
    """A page of a replica table's members in a fixed order (organisation, id); replica rows carry no seq."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"{_REPLICA_SELECT} WHERE m.origin = %(origin)s AND m.table_id = %(table)s"
            " AND (%(state)s::text IS NULL OR m.state = %(state)s)"
            " AND (%(organisation)s::uuid IS NULL OR m.organisation_id = %(organisation)s::uuid)"
            " ORDER BY m.organisation_id, m.id OFFSET %(offset)s LIMIT %(limit)s",
            {"origin": origin, "table": table_id, "state": state, "organisation": organisation_id,
             "offset": offset, "limit": limit}).fetchall()
