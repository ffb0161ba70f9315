"""What the documents read: plain SQL on the tenant's consultation database, bounded (LIMIT) so that a
document is never more work than its pages. Only `register` returns people's names."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row


def _rows(conn: psycopg.Connection, query: str, params=()) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def _count(conn: psycopg.Connection, query: str, params=()) -> int:
    return conn.execute(query, params).fetchone()[0]


def register(conn: psycopg.Connection, session_id, *, limit: int) -> list[dict]:
    """The session's attendance entries with the attendees' names and roles, in recording order."""
    return _rows(conn, "SELECT a.id, a.organisation_id, o.name AS organisation_name, a.mode, a.arrived_at,"
                       " a.left_at, a.attendee_name, a.attendee_role, a.erased_at FROM attendance a"
                       " JOIN organisations o ON o.organisation_id = a.organisation_id"
                       " WHERE a.session_id = %s ORDER BY a.seq LIMIT %s", (session_id, limit))


def entries_count(conn: psycopg.Connection, session_id) -> int:
    return _count(conn, "SELECT count(*) FROM attendance WHERE session_id = %s", (session_id,))


def active_organisations(conn: psycopg.Connection, *, origin: str, limit: int) -> list[dict]:
    """The Ambito's own active organisations (the register replica), by name."""
    return _rows(conn, "SELECT name, type FROM organisations WHERE origin = %s AND status = 'active'"
                       " ORDER BY lower(name), organisation_id LIMIT %s", (origin, limit))


def active_organisations_count(conn: psycopg.Connection, *, origin: str) -> int:
    return _count(conn, "SELECT count(*) FROM organisations WHERE origin = %s AND status = 'active'", (origin,))


def needs_by_area_target(conn: psycopg.Connection) -> list[dict]:
    """Needs per area x target group (every need, open or closed): at most areas x 9 rows."""
    return _rows(conn, "SELECT area, target_group, count(*)::int AS needs FROM needs"
                       " GROUP BY area, target_group")


def proposals(conn: psycopg.Connection, *, limit: int) -> list[dict]:
    """Proposals in submission order, with their organisation and table (no accounts)."""
    return _rows(conn, "SELECT p.id, p.title, p.status, p.estimated_cost, o.name AS organisation_name,"
                       " t.title AS table_title FROM proposals p"
                       " JOIN organisations o ON o.organisation_id = p.organisation_id"
                       " JOIN consultation_tables t ON t.id = p.table_id ORDER BY p.seq LIMIT %s", (limit,))


def proposals_totals(conn: psycopg.Connection) -> tuple[list[dict], object]:
    """Proposals per status, and the estimated cost of them all (exact NUMERIC)."""
    per_status = _rows(conn, "SELECT status, count(*)::int AS count FROM proposals GROUP BY status")
    total = _count(conn, "SELECT coalesce(sum(estimated_cost), 0) FROM proposals")
    return per_status, total


def closed_rounds(conn: psycopg.Connection, *, limit: int) -> list[dict]:
    """Rounds whose results are stored, newest closure first."""
    return _rows(conn, "SELECT r.id, r.title, r.points, r.closed_at, t.title AS table_title,"
                       " (SELECT count(*) FROM round_ballots b WHERE b.round_id = r.id)::int AS ballots_count"
                       " FROM rounds r JOIN consultation_tables t ON t.id = r.table_id"
                       " WHERE r.status = 'closed' ORDER BY r.closed_at DESC, r.seq DESC LIMIT %s", (limit,))


def closed_rounds_count(conn: psycopg.Connection) -> int:
    return _count(conn, "SELECT count(*) FROM rounds WHERE status = 'closed'")


def ranking(conn: psycopg.Connection, round_id, *, limit: int) -> list[dict]:
    return _rows(conn, "SELECT r.rank, p.title, r.points, r.organisations FROM round_results r"
                       " JOIN proposals p ON p.id = r.proposal_id WHERE r.round_id = %s ORDER BY r.rank LIMIT %s",
                       (round_id, limit))


def participation(conn: psycopg.Connection, *, limit: int) -> list[dict]:
    """Per table: sessions held, organisations present summed over its sessions, attendees by mode."""
    return _rows(conn, """
        SELECT t.id, t.title, t.kind,
               (SELECT count(*) FROM sessions s WHERE s.table_id = t.id AND s.status = 'held')::int AS sessions_held,
               coalesce(sum(a.organisations), 0)::int AS organisations_present,
               coalesce(sum(a.in_person), 0)::int AS in_person, coalesce(sum(a.remote), 0)::int AS remote
        FROM consultation_tables t
        LEFT JOIN sessions s ON s.table_id = t.id AND s.status <> 'cancelled'
        LEFT JOIN LATERAL (
            SELECT count(DISTINCT organisation_id) AS organisations,
                   count(*) FILTER (WHERE mode = 'in_person') AS in_person,
                   count(*) FILTER (WHERE mode = 'remote') AS remote
            FROM attendance WHERE session_id = s.id) a ON true
        GROUP BY t.id, t.title, t.kind, t.seq ORDER BY t.seq LIMIT %s""", (limit,))


def tables_count(conn: psycopg.Connection) -> int:
    return _count(conn, "SELECT count(*) FROM consultation_tables")
