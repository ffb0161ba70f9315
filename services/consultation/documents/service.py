"""Use cases of the documents: read what each shows (one transaction), and give its HTML.

The attendance register names people: only the table's managers (tables/access.manages) get it, and every
entry naming someone that goes into the document leaves a `read` line in the personal-data access log,
in the same transaction as the read. The minutes and the community profile carry no personal data.
"""
from __future__ import annotations

from datetime import datetime, timezone

import psycopg

from shared.access_log import record_access
from shared.territory import store as territory_store

from services.consultation.documents import profile, render, store
from services.consultation.offer.service import summary as offer_summary
from services.consultation.sessions.attendance import store as attendance_store
from services.consultation.sessions.minutes import store as minutes_store
from services.consultation.sessions.minutes.domain import APPROVED
from services.consultation.sessions.service import session_and_table
from services.consultation.tables import access

REGISTER_LIMIT = 1000       # entries in one register document (a session has tens)
ORGANISATIONS_LIMIT = 300   # organisations listed in the minutes


class NoApprovedMinutes(LookupError):
    """The session has no approved minutes yet."""


def now() -> datetime:
    return datetime.now(timezone.utc)


def ambito_name(conn: psycopg.Connection, *, tenant: str, fallback: str) -> str:
    """The Ambito's name as its profile gives it (the catalogue's until the profile has arrived)."""
    found = territory_store.profile(conn, tenant)
    return found["name"] if found else fallback


def attendance_register_html(*, conn: psycopg.Connection, caller: access.Caller, request_id: str | None, tenant: str,
                             ambito: str, session_id) -> str:
    """The attendance register with names, for the operator or the table's coordinator; each named entry logged."""
    with conn.transaction():
        session, table = session_and_table(conn, session_id)
        access.ensure_manages(caller, table)
        entries = store.register(conn, session_id, limit=REGISTER_LIMIT)
        for entry in entries:
            if entry["attendee_name"] or entry["attendee_role"]:
                record_access(conn, subject=caller.subject, action="read", resource="attendee",
                              resource_id=entry["id"], request_id=request_id)
        totals = {**attendance_store.totals(conn, session_id), "entries": store.entries_count(conn, session_id)}
        name = ambito_name(conn, tenant=tenant, fallback=ambito)
    return render.attendance_html(ambito=name, session=session, table=table, entries=entries, totals=totals,
                                  truncated=totals["entries"] > len(entries), generated_at=now())


def minutes_html(*, conn: psycopg.Connection, tenant: str, ambito: str, session_id) -> str:
    """The approved minutes in force (the highest approved number), with the organisations present."""
    with conn.transaction():
        session, table = session_and_table(conn, session_id)
        approved = [m for m in minutes_store.versions(conn, session_id) if m["status"] == APPROVED]
        if not approved:
            raise NoApprovedMinutes(session_id)
        in_force = max(approved, key=lambda m: m["number"])
        organisations = attendance_store.summary(conn, session_id)
        attendance = {"organisations": organisations[:ORGANISATIONS_LIMIT],
                      "truncated": len(organisations) > ORGANISATIONS_LIMIT,
                      "totals": attendance_store.totals(conn, session_id)}
        name = ambito_name(conn, tenant=tenant, fallback=ambito)
    minutes = {k: in_force[k] for k in ("number", "body", "corrects", "reason", "approved_at")}
    return render.minutes_html(ambito=name, session=session, table=table, minutes=minutes, attendance=attendance,
                               generated_at=now())


def community_profile_html(*, conn: psycopg.Connection, tenant: str, ambito: str, areas: dict[str, str],
                           region_name: str | None) -> str:
    """The community profile of the Ambito: territory, network, offer, needs, proposals, priorities, participation."""
    limits = profile.LIMITS
    with conn.transaction():
        found = territory_store.profile(conn, tenant)
        content = {
            "territory": profile.territory(found, territory_store.comuni(conn, tenant), region_name=region_name),
            "network": profile.network(store.active_organisations(conn, origin=tenant, limit=limits["network"]),
                                       store.active_organisations_count(conn, origin=tenant)),
            "offer": profile.offer(offer_summary(conn=conn, tenant=tenant, areas=areas)),
            "needs": profile.needs(store.needs_by_area_target(conn), areas=areas),
            "rounds": profile.rounds([{**r, "ranking": store.ranking(conn, r["id"], limit=limits["ranking"])}
                                      for r in store.closed_rounds(conn, limit=limits["rounds"])],
                                     store.closed_rounds_count(conn)),
            "participation": profile.participation(store.participation(conn, limit=limits["tables"]),
                                                   store.tables_count(conn)),
        }
        per_status, estimated_total = store.proposals_totals(conn)
        content["proposals"] = profile.proposals(store.proposals(conn, limit=limits["proposals"]),
                                                 per_status=per_status, estimated_total=estimated_total)
    return render.community_profile_html(ambito=found["name"] if found else ambito, profile=content,
                                         generated_at=now())
