"""Personal-data use cases: erasure of attendees' names and the access log."""
from __future__ import annotations

import uuid
from datetime import datetime

import psycopg

from shared.access_log import access_log_page, record_access
from shared.outbox.store import add_event

from services.consultation.privacy import domain, events, store


def erase_attendee(*, conn: psycopg.Connection, tenant: str, by: str, name: str, organisation_id=None,
                   request_id: str | None = None) -> dict:
    """Remove a person's name and role from every attendance register naming them; say what was removed."""
    erasure_id = uuid.uuid4()
    with conn.transaction():
        entries = store.matching_entries(conn, name=domain.normalise_name(name), organisation_id=organisation_id)
        store.clear_names(conn, [e["id"] for e in entries], erasure_id=erasure_id)
        removed = [{"attendance_id": str(e["id"]), "session_id": str(e["session_id"]),
                    "table_id": str(e["table_id"]), "organisation_id": str(e["organisation_id"]),
                    "fields": [f for f, had in (("attendee_name", e["had_name"]), ("attendee_role", e["had_role"]))
                               if had]}
                   for e in entries]
        erasure = store.insert_erasure(conn, id=erasure_id, requested_by=by, removed=removed)
        for entry in removed:
            record_access(conn, subject=by, action="erase", resource="attendee",
                                resource_id=entry["attendance_id"], request_id=request_id)
        add_event(conn, events.erased_event(tenant=tenant, erasure=erasure,
                                            session_ids=[e["session_id"] for e in entries]))
    return {"erasure_id": erasure["id"], "entries_cleared": len(removed), "removed": removed,
            "erased_at": erasure["requested_at"]}


def access_log(*, conn: psycopg.Connection, after: str | None, limit: int, subject: str | None = None,
               action: str | None = None, resource: str | None = None, resource_id: str | None = None,
               since: datetime | None = None, until: datetime | None = None) -> dict:
    """A page of the personal-data access log, oldest first, filtered; `since` included, `until` excluded."""
    return access_log_page(conn=conn, after=after, limit=limit, subject=subject, action=action, resource=resource,
                           resource_id=resource_id, since=since, until=until)
