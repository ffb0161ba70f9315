"""Regional statistics read from the reporting database."""
from __future__ import annotations

import psycopg


def stakeholders_by_type(*, conn: psycopg.Connection, tenant: str) -> dict:
    """Count of an Ambito's stakeholders, by type."""
    rows = conn.execute("SELECT type, count(*) FROM stakeholder_facts WHERE tenant = %s"
                        " GROUP BY type ORDER BY type", (tenant,)).fetchall()
    by_type = {type_: count for type_, count in rows}
    return {"tenant": tenant, "total": sum(by_type.values()), "by_type": by_type}
