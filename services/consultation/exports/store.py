"""What the exports read: plain SQL on the tenant's consultation database, read only.

Nothing here selects an account or the attendance register's names: attendance is read through the
register's name-free summary (sessions/attendance/store.py) and counted.
"""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

# A date filter is a day in Europe/Rome, both ends included.
_LOCAL_DAY = "((%s) AT TIME ZONE 'Europe/Rome')::date"


def _rows(conn: psycopg.Connection, query: str, params) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def _between(column: str) -> str:
    day = _LOCAL_DAY % column
    return f" AND (%(from)s::date IS NULL OR {day} >= %(from)s) AND (%(to)s::date IS NULL OR {day} <= %(to)s)"


def needs(conn: psycopg.Connection, *, filters: dict) -> list[dict]:
    """Needs in recording order with their table, session and organisation named; filters narrow each other."""
    params = {k: filters.get(k) for k in ("table_id", "area", "target_group", "status", "from", "to")}
    return _rows(conn, "SELECT n.id, n.created_at, n.title, n.description, n.area, n.target_group, n.comuni,"
                       " n.evidence, n.status, n.on_behalf, t.title AS table_title, s.title AS session_title,"
                       " s.starts_at AS session_starts_at, o.name AS organisation_name"
                       " FROM needs n JOIN consultation_tables t ON t.id = n.table_id"
                       " LEFT JOIN sessions s ON s.id = n.session_id"
                       " JOIN organisations o ON o.organisation_id = n.organisation_id"
                       " WHERE (%(table_id)s::uuid IS NULL OR n.table_id = %(table_id)s)"
                       " AND (%(area)s::text IS NULL OR n.area = %(area)s)"
                       " AND (%(target_group)s::text IS NULL OR n.target_group = %(target_group)s)"
                       " AND (%(status)s::text IS NULL OR n.status = %(status)s)"
                       + _between("n.created_at") + " ORDER BY n.seq", params)


def proposals(conn: psycopg.Connection, *, filters: dict) -> list[dict]:
    """Proposals in submission order with the ids of the needs they answer (in their order); `area`: a
    proposal answering at least one need of that area."""
    params = {k: filters.get(k) for k in ("table_id", "area", "status", "from", "to")}
    return _rows(conn, "SELECT p.id, p.created_at, p.title, p.description, p.expected_outcome, p.deliverers,"
                       " p.estimated_cost, p.status, p.answer, p.merged_into, p.decided_at, p.on_behalf,"
                       " t.title AS table_title, o.name AS organisation_name,"
                       " ARRAY(SELECT pn.need_id FROM proposal_needs pn WHERE pn.proposal_id = p.id"
                       "       ORDER BY pn.position) AS need_ids"
                       " FROM proposals p JOIN consultation_tables t ON t.id = p.table_id"
                       " JOIN organisations o ON o.organisation_id = p.organisation_id"
                       " WHERE (%(table_id)s::uuid IS NULL OR p.table_id = %(table_id)s)"
                       " AND (%(status)s::text IS NULL OR p.status = %(status)s)"
                       " AND (%(area)s::text IS NULL OR EXISTS (SELECT 1 FROM proposal_needs pn"
                       "      JOIN needs n ON n.id = pn.need_id WHERE pn.proposal_id = p.id AND n.area = %(area)s))"
                       + _between("p.created_at") + " ORDER BY p.seq", params)


def needs_by_id(conn: psycopg.Connection, ids) -> dict:
    """Title, area and target group of the needs with these ids."""
    rows = _rows(conn, "SELECT id, title, area, target_group FROM needs WHERE id = ANY(%s)", (list(ids),))
    return {row["id"]: row for row in rows}


def organisation_names(conn: psycopg.Connection, ids) -> dict:
    rows = _rows(conn, "SELECT organisation_id, name FROM organisations WHERE organisation_id = ANY(%s)", (list(ids),))
    return {row["organisation_id"]: row["name"] for row in rows}


def comune_names(conn: psycopg.Connection) -> dict[str, str]:
    """ISTAT code -> name, from the territory replica (codes it does not hold are shown as codes)."""
    rows = _rows(conn, "SELECT DISTINCT ON (istat_code) istat_code, name FROM territory_comuni"
                       " ORDER BY istat_code, version DESC", ())
    return {row["istat_code"]: row["name"] for row in rows}


def round_ranking(conn: psycopg.Connection, round_id) -> list[dict]:
    """A closed round's stored results by rank, with each proposal's title and proposing organisation."""
    return _rows(conn, "SELECT r.rank, r.proposal_id, p.title, o.name AS organisation_name, r.points, r.organisations"
                       " FROM round_results r JOIN proposals p ON p.id = r.proposal_id"
                       " JOIN organisations o ON o.organisation_id = p.organisation_id"
                       " WHERE r.round_id = %s ORDER BY r.rank", (round_id,))


def sessions(conn: psycopg.Connection, *, filters: dict) -> list[dict]:
    """Sessions by table then start; `area`: of the table; `status`: of the session; `from`/`to`: the day it starts."""
    params = {k: filters.get(k) for k in ("table_id", "area", "status", "from", "to")}
    return _rows(conn, "SELECT s.id, s.title, s.starts_at, s.status, t.title AS table_title, t.kind AS table_kind"
                       " FROM sessions s JOIN consultation_tables t ON t.id = s.table_id"
                       " WHERE (%(table_id)s::uuid IS NULL OR s.table_id = %(table_id)s)"
                       " AND (%(area)s::text IS NULL OR %(area)s = ANY(t.areas))"
                       " AND (%(status)s::text IS NULL OR s.status = %(status)s)"
                       + _between("s.starts_at") + " ORDER BY t.seq, s.starts_at, s.seq", params)


def invitation_counts(conn: psycopg.Connection, session_ids) -> list[dict]:
    """Per session and organisation type: organisations invited, registered (and their seats), waiting."""
    return _rows(conn, "SELECT x.session_id, o.type AS organisation_type,"
                       " count(*) FILTER (WHERE x.what = 'invited')::int AS invited,"
                       " count(*) FILTER (WHERE x.what = 'registered')::int AS registered,"
                       " coalesce(sum(x.seats) FILTER (WHERE x.what = 'registered'), 0)::int AS seats,"
                       " count(*) FILTER (WHERE x.what = 'waiting')::int AS waiting"
                       " FROM (SELECT session_id, organisation_id, 'invited' AS what, 0 AS seats"
                       "       FROM session_invitations WHERE session_id = ANY(%(ids)s)"
                       "       UNION ALL SELECT session_id, organisation_id, status, seats FROM session_registrations"
                       "       WHERE session_id = ANY(%(ids)s) AND status IN ('registered', 'waiting')) x"
                       " JOIN organisations o ON o.organisation_id = x.organisation_id"
                       " GROUP BY x.session_id, o.type", {"ids": list(session_ids)})
