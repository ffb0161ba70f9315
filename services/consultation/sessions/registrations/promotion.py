"""Promoting the waiting list when seats are freed (a cancellation, a higher limit): inside the caller's
transaction, with the session row locked."""
from __future__ import annotations

import psycopg

from shared.outbox.store import add_event

from services.consultation.sessions import events, seats
from services.consultation.sessions.registrations import store


def promote_waiting(conn: psycopg.Connection, *, tenant: str, session: dict) -> list[dict]:
    """Give freed seats to the head of the waiting list, in order; one event per promotion."""
    taken, _waiting = store.counts(conn, session["id"])
    queue = [seats.Waiting(row["id"], row["seats"]) for row in store.waiting(conn, session["id"])]
    promoted = []
    for registration_id in seats.promotions(limit=session["seat_limit"], taken=taken, waiting=queue):
        registration = store.set_status(conn, registration_id, status="registered", stamp="promoted_at")
        add_event(conn, events.registration_event(events.REGISTRATION_PROMOTED, tenant=tenant, session=session,
                                                  registration=registration))
        promoted.append(registration)
    return promoted
