"""Regional statistics read from the reporting database."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg

from services.reporting import comparison


def count_stakeholders(*, conn: psycopg.Connection, tenants: list[str]) -> dict:
    """Active stakeholders of some Ambiti by type and RUNTS section; every stakeholder by status."""
    rows = conn.execute("SELECT type, status, runts_section, count(*) FROM stakeholder_facts"
                        " WHERE tenant = ANY(%s) GROUP BY type, status, runts_section", (tenants,)).fetchall()
    return _counts(rows)


def count_stakeholders_at(*, conn: psycopg.Connection, tenants: list[str], at: datetime) -> dict:
    """The same figures as they stood at an instant: each stakeholder's latest version in force then."""
    rows = conn.execute(
        "SELECT type, status, runts_section, count(*) FROM ("
        " SELECT DISTINCT ON (tenant, stakeholder_id) type, status, runts_section FROM stakeholder_history"
        " WHERE tenant = ANY(%s) AND valid_from <= %s ORDER BY tenant, stakeholder_id, version DESC) AS v"
        " GROUP BY type, status, runts_section", (tenants, at)).fetchall()
    return _counts(rows)


def _counts(rows) -> dict:
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


ROME = ZoneInfo("Europe/Rome")


def end_of_previous_year(now: datetime) -> datetime:
    """The instant the current year began in Italy (Europe/Rome): the end of the previous year."""
    return datetime(now.astimezone(ROME).year, 1, 1, tzinfo=ROME)


def compare_former_territories(*, conn: psycopg.Connection, merged_from: tuple[str, ...], now: datetime) -> dict:
    """Each former territory's indicators now and at the end of the previous year, with gaps (seed 000)."""
    before = end_of_previous_year(now)
    current = {t: comparison.indicators(count_stakeholders(conn=conn, tenants=[t])) for t in merged_from}
    previous = {t: comparison.indicators(count_stakeholders_at(conn=conn, tenants=[t], at=before))
                for t in merged_from}
    return {"previous_year_end": before, "indicators": comparison.compare(current, previous)}
