"""Sessions and invitations: plain SQL; the tables, members and replica rows they need, read only."""
from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

COLUMNS = ("id, seq, table_id, title, starts_at, ends_at, place, video_link, agenda, seat_limit, status,"
           " cancel_reason, held_at, cancelled_at, version, created_by, created_at, updated_at")


def update_versioned(conn: psycopg.Connection, *, table: str, row_id, changes: dict, returning: str) -> dict:
    """Set `changes`, bump `version` (the ETag) and `updated_at`; the row after the change."""
    sets = [sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes]
    sets += [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()")]
    query = sql.SQL("UPDATE {} SET {} WHERE id = %(__id)s RETURNING ").format(
        sql.Identifier(table), sql.SQL(", ").join(sets)) + sql.SQL(returning)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, {**changes, "__id": row_id}).fetchone()


def table(conn: psycopg.Connection, table_id) -> dict | None:
    """The table's row as tables/access.py reads it (the tables API owns it)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT id, kind, title, coordinator, status FROM consultation_tables WHERE id = %s",
                           (table_id,)).fetchone()


def members(conn: psycopg.Connection, table_id) -> list[dict]:
    """The table's memberships (any state), each with its organisation's replica row and status history."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT m.organisation_id, m.accounts, m.state, m.joined_version,"
            " o.organisation_id AS id, o.origin, o.status, o.type, o.name, o.revoked_at,"
            " coalesce((SELECT array_agg(array[s.version::text, s.status]) FROM organisation_statuses s"
            "           WHERE s.organisation_id = m.organisation_id), '{}') AS history"
            " FROM table_members m JOIN organisations o ON o.organisation_id = m.organisation_id"
            " WHERE m.table_id = %s ORDER BY m.seq", (table_id,)).fetchall()


def organisation(conn: psycopg.Connection, organisation_id) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT organisation_id AS id, origin, status, type, name, revoked_at FROM organisations"
                           " WHERE organisation_id = %s", (organisation_id,)).fetchone()


def insert(conn: psycopg.Connection, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO sessions (id, table_id, title, starts_at, ends_at, place, video_link, agenda, seat_limit,"
            " created_by) VALUES (%(id)s, %(table_id)s, %(title)s, %(starts_at)s, %(ends_at)s, %(place)s,"
            f" %(video_link)s, %(agenda)s, %(seat_limit)s, %(created_by)s) RETURNING {COLUMNS}",
            values).fetchone()


def get(conn: psycopg.Connection, session_id, *, for_update: bool = False) -> dict | None:
    # FOR UPDATE serialises everything that counts seats: registrations, cancellations, a new limit.
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM sessions WHERE id = %s{lock}", (session_id,)).fetchone()


def update(conn: psycopg.Connection, session_id, **changes) -> dict:
    return update_versioned(conn, table="sessions", row_id=session_id, changes=changes, returning=COLUMNS)


def page(conn: psycopg.Connection, *, table_id, status: str | None, after_seq: int, limit: int) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM sessions WHERE table_id = %s AND seq > %s"
            " AND (%s::text IS NULL OR status = %s) ORDER BY seq LIMIT %s",
            (table_id, after_seq, status, status, limit)).fetchall()


def invite(conn: psycopg.Connection, *, session_id, organisation_ids: list, by: str) -> list[dict]:
    """Invite the organisations not invited yet; the new invitations (inviting twice changes nothing)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO session_invitations (id, session_id, organisation_id, invited_by)"
            " SELECT gen_random_uuid(), %s, o, %s FROM unnest(%s::uuid[]) WITH ORDINALITY AS u(o, n)"
            " ORDER BY n ON CONFLICT (session_id, organisation_id) DO NOTHING"
            " RETURNING organisation_id, invited_at", (session_id, by, organisation_ids)).fetchall()


def invitations(conn: psycopg.Connection, session_id) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT i.organisation_id, o.name, o.type, i.invited_at FROM session_invitations i"
            " JOIN organisations o ON o.organisation_id = i.organisation_id"
            " WHERE i.session_id = %s ORDER BY i.seq", (session_id,)).fetchall()


def invited(conn: psycopg.Connection, *, session_id, organisation_id) -> bool:
    return conn.execute("SELECT 1 FROM session_invitations WHERE session_id = %s AND organisation_id = %s",
                        (session_id, organisation_id)).fetchone() is not None
