"""A test indicator over stakeholder_facts, registered for a test and removed after it (real SQL, no fake)."""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal

from services.reporting.indicators.model import REGISTRY, Definition, Figure, Source, register

CODE = "prova_stakeholder_attivi"
DEFINITION = Definition(CODE, "Soggetti attivi (indicatore di prova)", "numero", "stock",
                        "Soggetti della rete con stato attivo, per tipo",
                        ("it.pdz.registry.stakeholder.registered.v1", "it.pdz.registry.stakeholder.updated.v1"),
                        ("type",))


def provider(conn, *, tenants, period):
    rows = conn.execute("SELECT type, count(*) FROM stakeholder_facts WHERE tenant = ANY(%s) AND status = 'active'"
                        " GROUP BY type ORDER BY type", (list(tenants),)).fetchall()
    return [Figure(CODE, period, Decimal(count), {"type": type_}) for type_, count in rows]


def tracer(conn, *, tenants, period, dimension, after, limit):
    last = tuple(after.split("/", 1)) if after else ("", "")
    if len(last) != 2:
        raise ValueError("not a cursor")
    rows = conn.execute("SELECT tenant, stakeholder_id::text FROM stakeholder_facts WHERE tenant = ANY(%s)"
                        " AND status = 'active' AND type = %s AND (tenant, stakeholder_id::text) > (%s, %s)"
                        " ORDER BY tenant, stakeholder_id::text LIMIT %s",
                        (list(tenants), dimension["type"], last[0], last[1], limit + 1)).fetchall()
    page = rows[:limit]
    following = f"{page[-1][0]}/{page[-1][1]}" if len(rows) > limit else None
    return [Source("registry", "stakeholder", rid, tenant, Decimal(1)) for tenant, rid in page], following


@contextmanager
def registered():
    """The test indicator in REGISTRY for the block."""
    register(DEFINITION, provider=provider, tracer=tracer)
    try:
        yield CODE
    finally:
        REGISTRY.pop(CODE, None)


def add_stakeholder(conn, tenant: str, type_: str, status: str = "active") -> str:
    stakeholder = uuid.uuid4()
    conn.execute("INSERT INTO stakeholder_facts (tenant, stakeholder_id, name, type, status, registered_at,"
                 " source_event_id) VALUES (%s, %s, 'Ente di prova', %s, %s, %s, 'e')",
                 (tenant, stakeholder, type_, status, datetime.now(timezone.utc)))
    return str(stakeholder)
