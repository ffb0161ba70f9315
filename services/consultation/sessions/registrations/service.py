"""Registration use cases: register, cancel (promoting the waiting list), list; one transaction each.

Every use case that counts seats locks the session row first (FOR UPDATE), so two registrations for the
last seat are decided one after the other: the second sees the first's seat taken and waits.
"""
from __future__ import annotations

import uuid

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.consultation.members import domain as members
from services.consultation.sessions import domain, events, seats
from services.consultation.sessions import store as sessions_store
from services.consultation.sessions.registrations import store
from services.consultation.sessions.registrations.promotion import promote_waiting
from services.consultation.sessions.service import Stale, now, session_and_table
from services.consultation.tables import access


class RegistrationNotFound(LookupError):
    """No such registration for this session."""


class RegistrationRuleError(ValueError):
    """The registration cannot be made or cancelled; `code` names why."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code


def _acts_for(caller: access.Caller, table: dict, member_rows: list, organisation_id, on_behalf: bool) -> None:
    """The caller represents the organisation at the table, or manages the table and records on its behalf."""
    if on_behalf:
        access.ensure_manages(caller, table)
    access.ensure_acts_for(caller, member_rows, organisation_id, on_behalf=on_behalf)


def register(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, session_id, organisation_id,
             seats_wanted: int = 1, on_behalf: bool = False) -> dict:
    """Register an invited organisation for `seats_wanted` seats: a seat if free, else the waiting list."""
    with conn.transaction():
        session, table = session_and_table(conn, session_id, for_update=True)
        member_rows = sessions_store.members(conn, table["id"])
        _acts_for(caller, table, member_rows, organisation_id, on_behalf)
        domain.check_registrable(status=session["status"], starts_at=session["starts_at"], now=now())
        organisation = sessions_store.organisation(conn, organisation_id)
        # A former Ambito's organisation (issue 9) takes part through its membership of this table, taken
        # while its register was shared with this Ambito (tables/membership.py).
        seated = organisation is not None and any(
            m["organisation_id"] == organisation_id and m["state"] == "member" for m in member_rows)
        members.ensure_may_contribute(organisation, tenant=tenant,
                                      shared_registers={organisation["origin"]} if seated else frozenset())
        if not sessions_store.invited(conn, session_id=session_id, organisation_id=organisation_id):
            raise RegistrationRuleError("not-invited", "the organisation is not invited to this session")
        if store.standing(conn, session_id=session_id, organisation_id=organisation_id) is not None:
            raise RegistrationRuleError("already-registered",
                                        "the organisation is already registered (or waiting) for this session")
        taken, waiting = store.counts(conn, session_id)
        admitted = seats.admits(limit=session["seat_limit"], taken=taken, waiting=waiting, seats=seats_wanted)
        registration = store.insert(conn, id=uuid.uuid4(), session_id=session_id, organisation_id=organisation_id,
                                    seats=seats_wanted, status="registered" if admitted else "waiting",
                                    on_behalf=on_behalf, registered_by=caller.subject)
        position = store.position(conn, registration)
        add_event(conn, events.registration_event(
            events.REGISTRATION_REGISTERED if admitted else events.REGISTRATION_WAITLISTED, tenant=tenant,
            session=session, registration=registration, position=position))
    return {**registration, "position": position}


def cancel(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, session_id, registration_id,
           version: int) -> dict:
    """Cancel a registration (seat or waiting) and give the freed seats to the waiting list, in order."""
    with conn.transaction():
        session, table = session_and_table(conn, session_id, for_update=True)
        registration = store.get(conn, registration_id, session_id=session_id)
        if registration is None:
            raise RegistrationNotFound(registration_id)
        _acts_for(caller, table, sessions_store.members(conn, table["id"]), registration["organisation_id"],
                  on_behalf=access.manages(caller, table))
        if registration["version"] != version:
            raise Stale(registration["version"])
        if registration["status"] == "cancelled":
            raise RegistrationRuleError("registration-cancelled", "the registration is already cancelled")
        domain.check_registrable(status=session["status"], starts_at=session["starts_at"], now=now())
        registration = store.set_status(conn, registration_id, status="cancelled", stamp="cancelled_at",
                                        by=caller.subject)
        add_event(conn, events.registration_event(events.REGISTRATION_CANCELLED, tenant=tenant, session=session,
                                                  registration=registration))
        # Also when a waiting one leaves: with a strict queue, the next may now fit.
        promote_waiting(conn, tenant=tenant, session=session)
    return {**registration, "position": None}


def get_registration(*, conn: psycopg.Connection, session_id, registration_id) -> dict:
    """One registration of a session, with its place on the waiting list."""
    session_and_table(conn, session_id)
    registration = store.get(conn, registration_id, session_id=session_id)
    if registration is None:
        raise RegistrationNotFound(registration_id)
    return {**registration, "position": store.position(conn, registration)}


def list_registrations(*, conn: psycopg.Connection, session_id, status: str | None, after: str | None,
                       limit: int) -> dict:
    """A page of a session's registrations in registration order (the waiting list's order)."""
    session_and_table(conn, session_id)
    rows = store.page(conn, session_id=session_id, status=status, organisation_ids=None,
                      after_seq=decode_cursor(after), limit=limit + 1)
    result = page(rows, limit)
    result["items"] = [{**row, "position": store.position(conn, row)} for row in result["items"]]
    return result
