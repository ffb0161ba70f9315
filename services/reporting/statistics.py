"""Regional statistics read from the reporting database."""
from __future__ import annotations

import psycopg


def stakeholders_by_type(*, conn: psycopg.Connection, tenant: str) -> dict:
    """Active stakeholders of an Ambito by type and RUNTS section; every stakeholder by status."""
    rows = conn.execute("SELECT type, status, runts_section, count(*) FROM stakeholder_facts WHERE tenant = %s"
                        " GROUP BY type, status, runts_section", (tenant,)).fetchall()
    by_type: dict[str, int] = {}
    by_status: dict[str, int] = {}
    by_runts: dict[str, int] = {}
    for type_, status, section, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        if status == "active":
            by_type[type_] = by_type.get(type_, 0) + count
            if section:
                by_runts[section] = by_runts.get(section, 0) + count
    return {"tenant": tenant, "total": sum(by_type.values()), "by_type": dict(sorted(by_type.items())),
            "by_status": dict(sorted(by_status.items())), "by_runts_section": dict(sorted(by_runts.items()))}
