"""Regional statistics read from the reporting database."""
from __future__ import annotations

import psycopg


def stakeholders_by_type(*, conn: psycopg.Connection, tenant: str) -> dict:
    """Active stakeholders of an Ambito by type; every stakeholder by status."""
    rows = conn.execute("SELECT type, status, count(*) FROM stakeholder_facts WHERE tenant = %s"
                        " GROUP BY type, status ORDER BY type, status", (tenant,)).fetchall()
    by_type: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for type_, status, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        if status == "active":
            by_type[type_] = by_type.get(type_, 0) + count
    return {"tenant": tenant, "total": sum(by_type.values()), "by_type": by_type, "by_status": by_status}
