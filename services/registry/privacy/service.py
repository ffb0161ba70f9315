"""Personal-data use cases: erasure and the access log."""
from __future__ import annotations

import uuid
from datetime import datetime

import psycopg

from shared.events.envelope import new_event
from shared.access_log import access_log_page, record_access
from shared.outbox.store import add_event

from services.registry import SERVICE
from services.registry.privacy import store
from services.registry.privacy.events import PERSONAL_DATA_ERASED


def erase_person(*, conn: psycopg.Connection, tenant: str, by: str, tax_code: str | None,
                 email: str | None, request_id: str | None = None) -> dict:
    """Delete every record of a person (matched by codice fiscale or e-mail) and say what went."""
    with conn.transaction():
        people = store.matching_people(conn, tax_code=tax_code, email=email)
        store.delete_people(conn, [p["id"] for p in people])
        removed = [{"person_id": str(p["id"]), "role": p["role"],
                    "application_id": str(p["application_id"]) if p["application_id"] else None,
                    "application_protocol": p["protocol_number"],
                    "stakeholder_id": str(p["stakeholder_id"]) if p["stakeholder_id"] else None}
                   for p in people]
        erasure = store.insert_erasure(conn, id=uuid.uuid4(), requested_by=by,
                                       matched_by="tax_code" if tax_code else "email", removed=removed)
        for person in removed:
            record_access(conn, subject=by, action="erase", resource="person",
                                resource_id=person["person_id"], request_id=request_id)
        add_event(conn, new_event(type=PERSONAL_DATA_ERASED, service=SERVICE, tenant=tenant,
                                  aggregate_id=str(erasure["id"]), data={
                                      "erasure_id": str(erasure["id"]), "people_removed": len(removed),
                                      "application_ids": sorted({r["application_id"] for r in removed
                                                                 if r["application_id"]}),
                                      "erased_at": erasure["requested_at"].isoformat()}))
    return {"erasure_id": erasure["id"], "people_removed": len(removed), "removed": removed,
            "erased_at": erasure["requested_at"], "matched_by": erasure["matched_by"]}


def access_log(*, conn: psycopg.Connection, after: str | None, limit: int, subject: str | None = None,
               action: str | None = None, resource: str | None = None, resource_id: str | None = None,
               since: datetime | None = None, until: datetime | None = None) -> dict:
    """A page of the personal-data access log, oldest first, filtered; `since` included, `until` excluded."""
    return access_log_page(conn=conn, after=after, limit=limit, subject=subject, action=action, resource=resource,
                           resource_id=resource_id, since=since, until=until)
