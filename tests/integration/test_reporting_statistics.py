"""Reporting statistics over the regional database (real PostgreSQL), merged Ambiti included."""
import uuid
from datetime import datetime, timezone

import psycopg

from services.reporting.statistics import stakeholders_by_type
from tests.conftest import random_slug


def _fact(conn, tenant, type_, status="active", section=None):
    conn.execute("INSERT INTO stakeholder_facts (tenant, stakeholder_id, name, type, runts_section, status,"
                 " registered_at, source_event_id) VALUES (%s, %s, 'x', %s, %s, %s, %s, 'e')",
                 (tenant, uuid.uuid4(), type_, section, status, datetime.now(timezone.utc)))


def test_a_merged_ambito_is_shown_whole_and_by_former_territory(catalogue_factory):
    from shared.cli.provision import provision
    old_a, old_b, merged = random_slug("lag"), random_slug("pol"), random_slug("lagpol")
    catalogue = catalogue_factory([old_a, old_b], extra=[{"slug": merged, "name": "Merged", "region": "basilicata",
                                                          "merged_from": [old_a, old_b]}])
    provision(catalogue, report=lambda *_: None)
    with psycopg.connect(catalogue.regional_url("reporting")) as conn:
        _fact(conn, old_a, "comune")
        _fact(conn, old_a, "ets", section="a")
        _fact(conn, old_b, "comune")
        _fact(conn, old_b, "school", status="withdrawn")
        _fact(conn, merged, "health_authority")
    with psycopg.connect(catalogue.regional_url("reporting")) as conn:
        stats = stakeholders_by_type(conn=conn, tenant=merged, merged_from=catalogue.get(merged).merged_from)
        plain = stakeholders_by_type(conn=conn, tenant=old_a)
    assert stats["total"] == 1 and stats["by_type"] == {"health_authority": 1}
    assert stats["former_territories"][old_a]["by_type"] == {"comune": 1, "ets": 1}
    assert stats["former_territories"][old_b] == {"total": 1, "by_type": {"comune": 1},
                                                  "by_status": {"active": 1, "withdrawn": 1}, "by_runts_section": {}}
    assert stats["whole"] == {"total": 4, "by_type": {"comune": 2, "ets": 1, "health_authority": 1},
                              "by_status": {"active": 4, "withdrawn": 1}, "by_runts_section": {"a": 1}}
    assert "whole" not in plain and "former_territories" not in plain
