"""Correction request use cases: one transaction each, the connection passed in."""
from __future__ import annotations

import uuid

import psycopg

from shared.http.pagination import decode_cursor, page

from services.registry.corrections import domain, store
from services.registry.stakeholders import service as stakeholders
from services.registry.stakeholders import store as stakeholders_store


class CorrectionNotFound(LookupError):
    pass


class NotRepresented(PermissionError):
    """The account did not have this organisation admitted: it does not represent it."""


class NotYours(PermissionError):
    """A representative asked for someone else's request."""


class CorrectionPending(Exception):
    """The organisation already has a request waiting for the office."""

    def __init__(self, correction_id):
        super().__init__(correction_id)
        self.correction_id = correction_id


class StakeholderChanged(Exception):
    """The register's record changed since the office read it: deciding now could undo that change."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def request_correction(*, conn: psycopg.Connection, by: str, stakeholder_id: uuid.UUID, changes: dict,
                       reason: str) -> dict:
    """File a representative's request to correct its organisation's register data."""
    with conn.transaction():
        if not store.represents(conn, subject=by, stakeholder_id=stakeholder_id):
            raise NotRepresented(stakeholder_id)
        current = stakeholders_store.get(conn, stakeholder_id)
        proposed = domain.proposal(current, changes)
        domain.check_result(current, proposed)
        try:
            with conn.transaction():
                return store.insert(conn, id=uuid.uuid4(), stakeholder_id=stakeholder_id,
                                    stakeholder_name=current["name"], stakeholder_version=current["version"],
                                    current=domain.before(current, proposed), changes=proposed,
                                    reason=reason.strip(), requested_by=by)
        except psycopg.errors.UniqueViolation as exc:
            waiting = store.pending_of(conn, stakeholder_id)
            raise CorrectionPending(waiting["id"] if waiting else None) from exc


def correction_target(*, conn: psycopg.Connection, by: str, stakeholder_id: uuid.UUID) -> dict:
    """What a representative corrects: {stakeholder, pending} (the request waiting, if any); only its own."""
    if not store.represents(conn, subject=by, stakeholder_id=stakeholder_id):
        raise NotRepresented(stakeholder_id)
    return {"stakeholder": stakeholders_store.get(conn, stakeholder_id),
            "pending": store.pending_of(conn, stakeholder_id)}


def get_correction(*, conn: psycopg.Connection, correction_id: uuid.UUID, reader: str, own_only: bool) -> dict:
    """One request; a representative reads only its own."""
    found = store.get(conn, correction_id)
    if found is None:
        raise CorrectionNotFound(correction_id)
    if own_only and found["requested_by"] != reader:
        raise NotYours(correction_id)
    return found


def list_corrections(*, conn: psycopg.Connection, status: str | None = None, stakeholder_id: uuid.UUID | None = None,
                     only_of: str | None = None, after: str | None = None, limit: int = 50) -> dict:
    """A page of requests, oldest first, filtered; `only_of` limits it to one representative's."""
    rows = store.page(conn, status=status, stakeholder_id=stakeholder_id, only_of=only_of,
                      after_seq=decode_cursor(after), limit=limit + 1)
    return page(rows, limit)


def _pending(conn, correction_id) -> dict:
    found = store.get(conn, correction_id, for_update=True)   # two decisions queue here; the second is refused
    if found is None:
        raise CorrectionNotFound(correction_id)
    domain.check_pending(found["status"])
    return found


def accept_correction(*, conn: psycopg.Connection, tenant: str, by: str, correction_id: uuid.UUID,
                      stakeholder_version: int) -> dict:
    """Accept: the register takes the proposed values (history, version, event) and the request is closed, together.

    `stakeholder_version` is the version of the record the office compared the proposal with."""
    with conn.transaction():
        correction = _pending(conn, correction_id)
        current = stakeholders_store.get(conn, correction["stakeholder_id"], for_update=True)
        if current["version"] != stakeholder_version:
            raise StakeholderChanged(current["version"])
        domain.check_result(current, correction["changes"])
        updated = stakeholders.update_stakeholder(conn=conn, tenant=tenant, by=by,
                                                  stakeholder_id=correction["stakeholder_id"],
                                                  version=stakeholder_version, changes=correction["changes"])
        return store.decide(conn, correction_id, status="accepted", decided_by=by,
                            applied_version=updated["version"])


def reject_correction(*, conn: psycopg.Connection, by: str, correction_id: uuid.UUID, reason: str) -> dict:
    """Reject, with the reason the representative will read; the register is not touched."""
    with conn.transaction():
        _pending(conn, correction_id)
        return store.decide(conn, correction_id, status="rejected", decided_by=by, rejection_reason=reason.strip())
