"""Rounds' persistence: plain SQL. Tables and proposals (other packages' rows) are read here too, so that the
packages stay apart."""
from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

COLUMNS = ("id, seq, table_id, title, description, points, closes_at, status, closed_at, closed_early, closed_by,"
           " cancelled_at, cancelled_by, cancel_reason, opened_by, opened_by_role, version, created_at, updated_at,"
           " (SELECT count(*) FROM round_ballots b WHERE b.round_id = rounds.id)::int AS ballots_count")
BALLOT_COLUMNS = ("b.round_id, b.organisation_id, b.seq, b.on_behalf, b.cast_by, b.cast_by_role, b.version,"
                  " b.cast_at, b.updated_at, o.name AS organisation_name,"
                  " (SELECT coalesce(jsonb_agg(jsonb_build_object('proposal_id', p.proposal_id, 'points', p.points)"
                  "   ORDER BY rp.position), '[]'::jsonb) FROM round_ballot_points p JOIN round_proposals rp"
                  "   ON rp.round_id = p.round_id AND rp.proposal_id = p.proposal_id"
                  "   WHERE p.round_id = b.round_id AND p.organisation_id = b.organisation_id) AS allocations")


def _rows(conn, query: str, params) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def get_table(conn: psycopg.Connection, table_id) -> dict | None:
    # FOR SHARE: a round being opened or a ballot being cast holds the table, so a closure waits for it.
    rows = _rows(conn, "SELECT id, title, coordinator, status FROM consultation_tables WHERE id = %s FOR SHARE",
                 (table_id,))
    return rows[0] if rows else None


def proposals(conn: psycopg.Connection, ids) -> dict:
    """Proposals by id (table_id, status, created_at), held FOR SHARE while the round opens."""
    rows = _rows(conn, "SELECT id, table_id, status, created_at FROM proposals WHERE id = ANY(%s) FOR SHARE",
                 (list(ids),))
    return {row["id"]: row for row in rows}


def insert_round(conn: psycopg.Connection, **values) -> None:
    conn.execute("INSERT INTO rounds (id, table_id, title, description, points, closes_at, opened_by,"
                 " opened_by_role) VALUES (%(id)s, %(table_id)s, %(title)s, %(description)s, %(points)s,"
                 " %(closes_at)s, %(opened_by)s, %(opened_by_role)s)", values)


def insert_proposals(conn: psycopg.Connection, round_id, proposals_in_order: list[dict]) -> None:
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO round_proposals (round_id, proposal_id, position, submitted_at)"
                        " VALUES (%s, %s, %s, %s)",
                        [(round_id, p["id"], i, p["created_at"]) for i, p in enumerate(proposals_in_order)])


def get_round(conn: psycopg.Connection, round_id, *, lock: str | None = None) -> dict | None:
    """One round; `lock` "update" to close or cancel it, "share" to hold it open while a ballot is cast."""
    suffix = {None: "", "update": " FOR UPDATE", "share": " FOR SHARE"}[lock]
    rows = _rows(conn, f"SELECT {COLUMNS} FROM rounds WHERE id = %s{suffix}", (round_id,))
    return rows[0] if rows else None


def round_proposals(conn: psycopg.Connection, round_id) -> list[dict]:
    """The round's proposals in its order, with their title, organisation and status now."""
    return _rows(conn, "SELECT rp.proposal_id AS id, rp.position, rp.submitted_at, p.title, p.organisation_id,"
                       " p.status FROM round_proposals rp JOIN proposals p ON p.id = rp.proposal_id"
                       " WHERE rp.round_id = %s ORDER BY rp.position", (round_id,))


def page(conn: psycopg.Connection, *, table_id, status: str | None, after_seq: int, limit: int) -> list[dict]:
    """Rounds in opening order; `status` is the stored one (the service turns the effective one into it)."""
    return _rows(conn, f"SELECT {COLUMNS} FROM rounds WHERE seq > %(after)s"
                       " AND (%(table)s::uuid IS NULL OR table_id = %(table)s::uuid)"
                       " AND (%(status)s::text IS NULL OR status = %(status)s::text)"
                       " ORDER BY seq LIMIT %(limit)s",
                 {"after": after_seq, "table": table_id, "status": status, "limit": limit})


def update_round(conn: psycopg.Connection, round_id, **changes) -> None:
    sets = ", ".join(f"{name} = %({name})s" for name in changes)  # names come from the service, never a client
    conn.execute(f"UPDATE rounds SET {sets}, version = version + 1, updated_at = now() WHERE id = %(__id)s",
                 {**changes, "__id": round_id})


def claim_ballot(conn: psycopg.Connection, *, round_id, organisation_id, on_behalf: bool, by: str,
                 role: str) -> bool:
    """Insert the organisation's ballot row if it has none: True if this call created it.

    A concurrent insert of the same ballot waits here for the first to commit, then inserts nothing."""
    return conn.execute(
        "INSERT INTO round_ballots (round_id, organisation_id, on_behalf, cast_by, cast_by_role)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (round_id, organisation_id) DO NOTHING",
        (round_id, organisation_id, on_behalf, by, role)).rowcount == 1


def lock_ballot(conn: psycopg.Connection, round_id, organisation_id) -> dict | None:
    rows = _rows(conn, "SELECT round_id, organisation_id, version FROM round_ballots"
                       " WHERE round_id = %s AND organisation_id = %s FOR UPDATE", (round_id, organisation_id))
    return rows[0] if rows else None


def replace_ballot(conn: psycopg.Connection, *, round_id, organisation_id, on_behalf: bool, by: str, role: str,
                   allocations: dict, bump: bool) -> None:
    """Write the ballot's points (the row is locked by the caller); `bump`: a replacement, a new version."""
    if bump:
        conn.execute("UPDATE round_ballots SET on_behalf = %s, cast_by = %s, cast_by_role = %s,"
                     " version = version + 1, updated_at = now() WHERE round_id = %s AND organisation_id = %s",
                     (on_behalf, by, role, round_id, organisation_id))
    conn.execute("DELETE FROM round_ballot_points WHERE round_id = %s AND organisation_id = %s",
                 (round_id, organisation_id))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO round_ballot_points (round_id, organisation_id, proposal_id, points)"
                        " VALUES (%s, %s, %s, %s)",
                        [(round_id, organisation_id, p, n) for p, n in allocations.items()])


def ballot(conn: psycopg.Connection, round_id, organisation_id) -> dict | None:
    rows = _rows(conn, f"SELECT {BALLOT_COLUMNS} FROM round_ballots b JOIN organisations o"
                       " ON o.organisation_id = b.organisation_id WHERE b.round_id = %s AND b.organisation_id = %s",
                 (round_id, organisation_id))
    return rows[0] if rows else None


def ballots_page(conn: psycopg.Connection, round_id, *, after_seq: int, limit: int) -> list[dict]:
    return _rows(conn, f"SELECT {BALLOT_COLUMNS} FROM round_ballots b JOIN organisations o"
                       " ON o.organisation_id = b.organisation_id WHERE b.round_id = %s AND b.seq > %s"
                       " ORDER BY b.seq LIMIT %s", (round_id, after_seq, limit))


def all_allocations(conn: psycopg.Connection, round_id) -> list[dict]:
    """Every ballot's points, one {proposal_id: points} per organisation (for the tally)."""
    ballots: dict = {}
    for organisation_id, proposal_id, points in conn.execute(
            "SELECT b.organisation_id, p.proposal_id, p.points FROM round_ballots b LEFT JOIN round_ballot_points p"
            " ON p.round_id = b.round_id AND p.organisation_id = b.organisation_id WHERE b.round_id = %s",
            (round_id,)).fetchall():
        ballot = ballots.setdefault(organisation_id, {})
        if proposal_id is not None:
            ballot[proposal_id] = points
    return list(ballots.values())


def insert_results(conn: psycopg.Connection, round_id, results) -> None:
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO round_results (round_id, proposal_id, rank, points, organisations)"
                        " VALUES (%s, %s, %s, %s, %s)",
                        [(round_id, r.proposal_id, r.rank, r.points, r.organisations) for r in results])


def results(conn: psycopg.Connection, round_id) -> list[dict]:
    return _rows(conn, "SELECT r.rank, r.proposal_id, p.title, p.organisation_id, r.points, r.organisations"
                       " FROM round_results r JOIN proposals p ON p.id = r.proposal_id WHERE r.round_id = %s"
                       " ORDER BY r.rank", (round_id,))
