"""Regional statistics read from the reporting database."""
from __future__ import annotations

import psycopg


def count_stakeholders(*, conn: psycopg.Connection, tenants: list[str]) -> dict:
    """Active stakeholders of some Ambiti by type and RUNTS section; every stakeholder by status."""
    rows = conn.execute("SELECT type, status, runts_section, count(*) FROM stakeholder_facts"
                        " WHERE tenant = ANY(%s) GROUP BY type, status, runts_section", (tenants,)).fetchall()
    by_type: dict[str, int] = {}
    by_status: dict[str, int] = {}
    by_runts: dict[str, int] = {}
    for type_, status, section, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        if status == "active":
            by_type[type_] = by_type.get(type_, 0) + count
            if section:
                by_runts[section] = by_runts.get(section, 0) + count
    return {"total": sum(by_type.values()), "by_type": dict(sorted(by_type.items())),
            "by_status": dict(sorted(by_status.items())), "by_runts_section": dict(sorted(by_runts.items()))}


def stakeholders_by_type(*, conn: psycopg.Connection, tenant: str, merged_from: tuple[str, ...] = ()) -> dict:
    """An Ambito's own figures; a merged Ambito also gets each former territory's and the whole (seed 000)."""
    result = {"tenant": tenant, **count_stakeholders(conn=conn, tenants=[tenant])}
    if merged_from:
        result["former_territories"] = {slug: count_stakeholders(conn=conn, tenants=[slug]) for slug in merged_from}
        result["whole"] = count_stakeholders(conn=conn, tenants=[tenant, *merged_from])
    return result
