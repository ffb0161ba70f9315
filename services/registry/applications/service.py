"""Application use cases: one transaction each, the connection passed in."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.registry.applications import domain, events, store
from services.registry.calls import service as calls
from services.registry.calls import store as calls_store
from services.registry.privacy.store import record_access
from services.registry.stakeholders import service as stakeholders
from services.registry.taxcodes import normalise_personal_code, normalise_tax_code


class ApplicationNotFound(LookupError):
    pass


class NotYours(PermissionError):
    """A stakeholder representative asked for someone else's application."""


class CallNotAccepting(Exception):
    def __init__(self, reason: str, deadline: datetime):
        super().__init__(reason)
        self.deadline = deadline


class DuplicateApplication(Exception):
    """This organisation already has a standing (submitted or admitted) application to this call."""

    def __init__(self, protocol_number: str | None):
        super().__init__(protocol_number)
        self.protocol_number = protocol_number


class AreasOutsideCall(ValueError):
    def __init__(self, codes: list[str]):
        super().__init__(codes)
        self.codes = codes


def _person(person: dict) -> dict:
    code = person.get("tax_code")
    return {**person, "tax_code": normalise_personal_code(code) if code else None}


def submit_application(*, conn: psycopg.Connection, tenant: str, by: str, call_id: uuid.UUID,
                       organisation: dict, legal_representative: dict, contact_person: dict,
                       areas: list[str], declarations: dict, at: datetime | None = None,
                       request_id: str | None = None) -> dict:
    """File an application to an open call; it gets the next protocol number of the year."""
    at = at or datetime.now(timezone.utc)
    with conn.transaction():
        call = calls_store.get(conn, call_id, for_share=True)
        if call is None:
            raise calls.CallNotFound(call_id)
        reason = calls.refusal(call, at)
        if reason:
            raise CallNotAccepting(reason, call["closed_at"] or call["closes_at"])
        outside = [code for code in areas if code not in call["areas"]]
        if outside:
            raise AreasOutsideCall(outside)
        year = domain.protocol_year(at)
        number = store.next_protocol_number(conn, year)
        try:
            with conn.transaction():
                application = store.insert(
                    conn, id=uuid.uuid4(), call_id=call_id, protocol_year=year, protocol_seq=number,
                    protocol_number=domain.protocol_number(year, number),
                    organisation_name=organisation["name"].strip(), organisation_type=organisation["type"],
                    tax_code=normalise_tax_code(organisation["tax_code"]),
                    runts_section=organisation.get("runts_section"), runts_number=organisation.get("runts_number"),
                    seat_istat=organisation["seat_istat"], areas=areas, declarations=declarations,
                    submitted_by=by, submitted_at=at)
        except psycopg.errors.UniqueViolation as exc:
            # Named, so that an organisation someone else applied for can ask the office to review that one.
            holder = store.standing(conn, call_id=call_id, tax_code=normalise_tax_code(organisation["tax_code"]))
            # The whole transaction, counter included, rolls back.
            raise DuplicateApplication(holder["protocol_number"] if holder else None) from exc
        for role, person in (("legal_representative", legal_representative), ("contact_person", contact_person)):
            row = store.insert_person(conn, application_id=application["id"], role=role, person=_person(person))
            record_access(conn, subject=by, action="create", resource="person", resource_id=row["id"],
                          request_id=request_id)
        add_event(conn, events.submitted(tenant=tenant, application=application))
    return application


def get_application(*, conn: psycopg.Connection, application_id: uuid.UUID, reader: str,
                    own_only: bool, request_id: str | None = None) -> dict:
    """One application with the people it names; reading them is recorded in the access log."""
    with conn.transaction():
        application = store.get(conn, application_id)
        if application is None:
            raise ApplicationNotFound(application_id)
        if own_only and application["submitted_by"] != reader:
            raise NotYours(application_id)
        people = store.people_of(conn, application_id)
        for person in people:
            record_access(conn, subject=reader, action="read", resource="person", resource_id=person["id"],
                          request_id=request_id)
    return {**application, "people": people}


def list_applications(*, conn: psycopg.Connection, call_id: uuid.UUID | None, status: str | None,
                      submitted_by: str | None, after: str | None, limit: int, tax_code: str | None = None,
                      only_of: str | None = None) -> dict:
    """A page of applications (organisation data only), filtered; `only_of` limits it to one submitter's."""
    rows = store.page(conn, call_id=call_id, status=status, submitted_by=submitted_by, only_of=only_of,
                      tax_code=normalise_tax_code(tax_code) if tax_code else None,
                      after_seq=decode_cursor(after), limit=limit + 1)
    return page(rows, limit)


def _for_review(conn, application_id, target: str) -> dict:
    application = store.get(conn, application_id, for_update=True)
    if application is None:
        raise ApplicationNotFound(application_id)
    domain.check_review(application["status"], target)
    return application


def admit_application(*, conn: psycopg.Connection, tenant: str, by: str, application_id: uuid.UUID) -> dict:
    """Admit the organisation into the network: the stakeholder is created, or updated if known."""
    with conn.transaction():
        application = _for_review(conn, application_id, "admitted")
        organisation = {"name": application["organisation_name"], "type": application["organisation_type"],
                        "tax_code": application["tax_code"], "runts_section": application["runts_section"],
                        "runts_number": application["runts_number"], "seat_istat": application["seat_istat"]}
        source = {"application_id": application["id"], "protocol_number": application["protocol_number"]}
        stakeholder, _created = stakeholders.admit_organisation(conn=conn, tenant=tenant, by=by,
                                                                organisation=organisation,
                                                                areas=list(application["areas"]), source=source)
        store.link_people(conn, application_id, stakeholder["id"])
        application = store.review(conn, application_id, status="admitted", stakeholder_id=stakeholder["id"],
                                   reviewed_by=by)
        add_event(conn, events.admitted(tenant=tenant, application=application))
    return application


def reject_application(*, conn: psycopg.Connection, tenant: str, by: str, application_id: uuid.UUID,
                       reason: str) -> dict:
    """Reject an application, with the reason the organisation will read."""
    with conn.transaction():
        _for_review(conn, application_id, "rejected")
        application = store.review(conn, application_id, status="rejected", rejection_reason=reason.strip(),
                                   reviewed_by=by)
        add_event(conn, events.rejected(tenant=tenant, application=application))
    return application
