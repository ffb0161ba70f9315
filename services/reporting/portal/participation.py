"""The consultation of an Ambito in aggregate (read model 006): its tables with members, sessions held,
organisations present, needs and proposals, and the path needs -> proposals -> accepted -> funded.
Counts only: titles of tables are public; no organisation and no person is named."""
from __future__ import annotations

import psycopg

from services.reporting.portal.figures import present

TABLES = ("consultation_table_facts", "consultation_member_facts", "consultation_session_facts",
          "consultation_attendance_facts", "consultation_need_facts", "consultation_proposal_facts")
KINDS = {"thematic": "tematico", "plenary": "plenaria", "standing": "permanente"}
STATUSES = {"active": "attivo", "closed": "chiuso"}


def tables(*, conn: psycopg.Connection, tenant: str) -> list[dict] | None:
    """Per table: kind, status, members, sessions held of those planned, organisations present, needs, proposals."""
    if not present(conn, *TABLES):
        return None
    rows = conn.execute(
        "SELECT t.table_id, t.title, t.kind, t.status,"
        " (SELECT count(*) FROM consultation_member_facts m WHERE m.tenant = t.tenant AND m.table_id = t.table_id"
        "   AND m.state = 'member'),"
        " (SELECT count(*) FILTER (WHERE s.status = 'held') FROM consultation_session_facts s"
        "   WHERE s.tenant = t.tenant AND s.table_id = t.table_id),"
        " (SELECT count(*) FILTER (WHERE s.status <> 'cancelled') FROM consultation_session_facts s"
        "   WHERE s.tenant = t.tenant AND s.table_id = t.table_id),"
        " (SELECT count(DISTINCT a.organisation_id) FROM consultation_attendance_facts a"
        "   WHERE a.tenant = t.tenant AND a.table_id = t.table_id),"
        " (SELECT count(*) FROM consultation_need_facts n WHERE n.tenant = t.tenant AND n.table_id = t.table_id),"
        " (SELECT count(*) FROM consultation_proposal_facts p WHERE p.tenant = t.tenant AND p.table_id = t.table_id"
        "   AND p.status IS NOT NULL)"
        " FROM consultation_table_facts t WHERE t.tenant = %s ORDER BY t.kind DESC, t.title", (tenant,)).fetchall()
    keys = ("table_id", "title", "kind", "status", "members", "sessions_held", "sessions", "present", "needs",
            "proposals")
    return [dict(zip(keys, row)) for row in rows]


def funnel(*, conn: psycopg.Connection, tenant: str) -> dict | None:
    """Needs, proposals, proposals accepted, and interventions of the Piano answering accepted ones with money."""
    if not present(conn, "consultation_need_facts", "consultation_proposal_facts"):
        return None
    needs, proposals, accepted = conn.execute(
        "SELECT (SELECT count(*) FROM consultation_need_facts WHERE tenant = %(t)s),"
        " (SELECT count(*) FROM consultation_proposal_facts WHERE tenant = %(t)s AND status IS NOT NULL),"
        " (SELECT count(*) FROM consultation_proposal_facts WHERE tenant = %(t)s AND status = 'accepted')",
        {"t": tenant}).fetchone()
    funded = None
    if present(conn, "budget_intervention_facts"):
        funded = conn.execute(
            "SELECT count(*) FROM budget_intervention_facts i WHERE i.tenant = %s AND cardinality(i.proposal_ids) > 0"
            " AND EXISTS (SELECT 1 FROM budget_allocation_facts a WHERE a.tenant = i.tenant"
            "   AND a.intervention_id = i.intervention_id AND a.allocated > 0)", (tenant,)).fetchone()[0]
    return {"needs": needs, "proposals": proposals, "accepted": accepted, "funded": funded}
