"""Questionnaires persistence: plain SQL on the tenant's consultation database.

Tables and memberships (migration 003) and sessions (004) belong to other packages: they are read
here with plain SQL so that the packages stay apart.
"""
from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from services.consultation.members import store as replica

COLUMNS = ("id, seq, table_id, session_id, title, introduction, questions, status, opened_at, closes_at,"
           " closed_at, created_by, version, created_at, updated_at")
# The status readers see: an open questionnaire past its closing time is closed (domain.effective_status).
EFFECTIVE = "CASE WHEN status = 'open' AND closes_at <= now() THEN 'closed' ELSE status END"
SET_COLUMNS = ("id, seq, questionnaire_id, organisation_id, answers, may_publish_name, on_behalf, answered_by,"
               " answered_by_role, version, created_at, updated_at")


def get_table(conn: psycopg.Connection, table_id, *, share: bool = False) -> dict | None:
    # FOR SHARE while writing: a concurrent closure of the table waits for the questionnaire's change.
    lock = " FOR SHARE" if share else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT id, kind, title, coordinator, status FROM consultation_tables"
                           f" WHERE id = %s{lock}", (table_id,)).fetchone()


def table_members(conn: psycopg.Connection, table_id) -> list[dict]:
    """The table's memberships stored as in force (state member), with their accounts."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute("SELECT organisation_id, accounts, state, joined_version FROM table_members"
                           " WHERE table_id = %s AND state = 'member' ORDER BY seq", (table_id,)).fetchall()


def session_table(conn: psycopg.Connection, session_id):
    """The table a session belongs to, or None if there is no such session."""
    row = conn.execute("SELECT table_id FROM sessions WHERE id = %s", (session_id,)).fetchone()
    return row[0] if row else None


def organisation(conn: psycopg.Connection, organisation_id) -> dict | None:
    return replica.get(conn, organisation_id)


def status_history(conn: psycopg.Connection, organisation_id) -> list[tuple[int, str]]:
    return replica.status_history(conn, organisation_id)


def now(conn: psycopg.Connection):
    """The transaction's time (what now() in the queries sees)."""
    return conn.execute("SELECT now()").fetchone()[0]


def insert(conn: psycopg.Connection, *, questions: list, **values) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO questionnaires (id, table_id, session_id, title, introduction, questions, created_by)"
            " VALUES (%(id)s, %(table_id)s, %(session_id)s, %(title)s, %(introduction)s, %(questions)s,"
            f" %(created_by)s) RETURNING {COLUMNS}", {**values, "questions": Jsonb(questions)}).fetchone()


def get(conn: psycopg.Connection, questionnaire_id, *, lock: str | None = None) -> dict | None:
    suffix = {None: "", "update": " FOR UPDATE", "share": " FOR SHARE"}[lock]
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {COLUMNS} FROM questionnaires WHERE id = %s{suffix}",
                           (questionnaire_id,)).fetchone()


def update(conn: psycopg.Connection, questionnaire_id, **changes) -> dict:
    """Set `changes`, bump `version` (the ETag) and `updated_at`; the row after the change."""
    if "questions" in changes:
        changes["questions"] = Jsonb(changes["questions"])
    sets = [sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes]
    sets += [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()")]
    query = sql.SQL("UPDATE questionnaires SET {} WHERE id = %(__id)s RETURNING ").format(
        sql.SQL(", ").join(sets)) + sql.SQL(COLUMNS)
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, {**changes, "__id": questionnaire_id}).fetchone()


def page(conn: psycopg.Connection, *, table_id, session_id, status, after_seq: int, limit: int) -> list[dict]:
    """Questionnaires in creation order; each filter narrows the others (status as readers see it)."""
    params = {"table_id": table_id, "session_id": session_id, "status": status, "after": after_seq, "limit": limit}
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            f"SELECT {COLUMNS} FROM questionnaires WHERE seq > %(after)s"
            " AND (%(table_id)s::uuid IS NULL OR table_id = %(table_id)s)"
            " AND (%(session_id)s::uuid IS NULL OR session_id = %(session_id)s)"
            f" AND (%(status)s::text IS NULL OR {EFFECTIVE} = %(status)s)"
            " ORDER BY seq LIMIT %(limit)s", params).fetchall()


def answer_set(conn: psycopg.Connection, questionnaire_id, organisation_id, *, for_update: bool = False):
    lock = " FOR UPDATE" if for_update else ""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {SET_COLUMNS} FROM questionnaire_answer_sets"
                           f" WHERE questionnaire_id = %s AND organisation_id = %s{lock}",
                           (questionnaire_id, organisation_id)).fetchone()


def insert_answer_set(conn: psycopg.Connection, *, answers: list, **values) -> dict | None:
    """The new answer set, or None if the organisation's set exists (or a concurrent one was just committed:
    ON CONFLICT waits for it), so that there is never a second set."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "INSERT INTO questionnaire_answer_sets (id, questionnaire_id, organisation_id, answers, may_publish_name,"
            " on_behalf, answered_by, answered_by_role) VALUES (%(id)s, %(questionnaire_id)s, %(organisation_id)s,"
            " %(answers)s, %(may_publish_name)s, %(on_behalf)s, %(answered_by)s, %(answered_by_role)s)"
            f" ON CONFLICT (questionnaire_id, organisation_id) DO NOTHING RETURNING {SET_COLUMNS}",
            {**values, "answers": Jsonb(answers)}).fetchone()


def replace_answer_set(conn: psycopg.Connection, set_id, *, answers: list, **values) -> dict:
    """All the answers replaced at once, in the same row (version + 1)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "UPDATE questionnaire_answer_sets SET answers = %(answers)s, may_publish_name = %(may_publish_name)s,"
            " on_behalf = %(on_behalf)s, answered_by = %(answered_by)s, answered_by_role = %(answered_by_role)s,"
            f" version = version + 1, updated_at = now() WHERE id = %(id)s RETURNING {SET_COLUMNS}",
            {**values, "id": set_id, "answers": Jsonb(answers)}).fetchone()


def answer_sets(conn: psycopg.Connection, questionnaire_id) -> list[dict]:
    """Every answer set of the questionnaire with its organisation's name (for the results)."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT s.organisation_id, o.name AS organisation_name, s.may_publish_name, s.answers"
            " FROM questionnaire_answer_sets s JOIN organisations o USING (organisation_id)"
            " WHERE s.questionnaire_id = %s ORDER BY s.seq", (questionnaire_id,)).fetchall()


def respondents(conn: psycopg.Connection, questionnaire_id, *, after_seq: int, limit: int) -> list[dict]:
    """Who answered, in the order of their first answer, without the answers."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT s.seq, s.organisation_id, o.name AS organisation_name, s.may_publish_name, s.on_behalf,"
            " s.answered_by_role, s.version, s.created_at, s.updated_at"
            " FROM questionnaire_answer_sets s JOIN organisations o USING (organisation_id)"
            " WHERE s.questionnaire_id = %s AND s.seq > %s ORDER BY s.seq LIMIT %s",
            (questionnaire_id, after_seq, limit)).fetchall()


def count_answer_sets(conn: psycopg.Connection, questionnaire_id) -> int:
    return conn.execute("SELECT count(*) FROM questionnaire_answer_sets WHERE questionnaire_id = %s",
                        (questionnaire_id,)).fetchone()[0]
