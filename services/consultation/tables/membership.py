"""Membership use cases: the office adds, changes and removes members; a representative asks to join an
open table and the coordinator admits or refuses. One transaction each, the event in the same one.

A membership's state is computed when it is read (domain.member_state), from the row and the register
replica as it is at that moment: the replica is written by the consumer, in another process, so a
suspension or a withdrawal takes effect with the event that brings it, with nothing to apply here.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import psycopg

from shared.http.pagination import decode_cursor, encode_cursor
from shared.outbox.store import add_event

from services.consultation.members.domain import ensure_may_be_invited
from services.consultation.tables import domain, events, member_store
from services.consultation.tables.access import Caller, ensure_manages, manages
from services.consultation.tables.service import TableNotFound, get_table, locked_table

SCAN = 200  # member rows read at a time while a page is filled (the state filter is applied here)


class MemberNotFound(LookupError):
    """No such membership at this table."""


class StaleMember(Exception):
    """The membership changed since the caller read it."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def with_state(row: dict) -> dict:
    """The row with the state readers see (requested, member, suspended, ended, left, refused)."""
    state = domain.member_state(stored=row["stored_state"], ended_reason=row["ended_reason"],
                                joined_version=row["joined_version"], history=[tuple(h) for h in row["history"]],
                                status=row["organisation_status"])
    return {**row, "state": state}


def for_reader(row: dict, *, caller: Caller, table: dict) -> dict:
    """The membership as this caller may see it: accounts (and who added or ended it) only for the office
    and the member's own representatives."""
    if domain.sees_accounts(manages=manages(caller, table), subject=caller.subject, accounts=row["accounts"]):
        return row
    return {**row, "accounts": None, "added_by": None, "ended_by": None}


def _event(type_: str, *, tenant: str, row: dict, reason: str | None = None):
    return events.member_event(type_, tenant=tenant, reason=reason, member={
        "id": row["id"], "table_id": row["table_id"], "organisation_id": row["organisation_id"],
        "state": row["stored_state"], "version": row["version"]})


def _reread(conn, table_id, member_id) -> dict:
    return with_state(member_store.get(conn, table_id, member_id))


def _make_room(conn, *, tenant: str, table_id, organisation_id) -> None:
    """Refuse a second place for the organisation; first record as ended a place its withdrawal ended."""
    row = member_store.standing_for(conn, table_id, organisation_id)
    if row is None:
        return
    if with_state(row)["state"] != domain.ENDED_STATE:
        raise domain.AlreadyMember()
    # A withdrawal ended it (computed on read until now): recorded, so that the new place can be taken.
    member_store.update(conn, row["id"], state=domain.LEFT, left_at=datetime.now(timezone.utc),
                        ended_reason=domain.WITHDRAWN)
    add_event(conn, _event(events.MEMBER_LEFT, tenant=tenant, row=_reread(conn, table_id, row["id"]),
                           reason=domain.WITHDRAWN))


def _take_place(conn, *, tenant: str, table: dict, organisation_id, accounts: list[str], state: str,
                by: str, shared_registers=frozenset()) -> dict:
    organisation = member_store.organisation(conn, organisation_id)
    ensure_may_be_invited(organisation, tenant=tenant, shared_registers=shared_registers)
    _make_room(conn, tenant=tenant, table_id=table["id"], organisation_id=organisation_id)
    try:
        with conn.transaction():  # a savepoint: a concurrent insert of the same place is a refusal, not a 500
            inserted = member_store.insert(conn, id=uuid.uuid4(), table_id=table["id"],
                                           organisation_id=organisation_id, accounts=domain.unique(accounts),
                                           state=state, joined_version=organisation["version"], added_by=by)
    except psycopg.errors.UniqueViolation:
        raise domain.AlreadyMember() from None
    return _reread(conn, table["id"], inserted["id"])


def add_member(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID,
               organisation_id: uuid.UUID, accounts: list[str], shared_registers=frozenset()) -> dict:
    """The office adds an organisation that may take part now, with the accounts that act for it (of this
    Ambito's register, or of a former Ambito's in `shared_registers`)."""
    with conn.transaction():
        table = locked_table(conn, table_id, lock="share")
        ensure_manages(caller, table)
        domain.check_open(table)
        row = _take_place(conn, tenant=tenant, table=table, organisation_id=organisation_id, accounts=accounts,
                          state=domain.MEMBER, by=caller.subject, shared_registers=shared_registers)
        add_event(conn, _event(events.MEMBER_ADDED, tenant=tenant, row=row))
    return row


def add_everyone(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID,
                 shared_registers=frozenset()) -> dict:
    """The office adds every active organisation of this Ambito's register and of the former Ambiti's shared
    with it (`shared_registers`) that holds no place yet, without accounts; a second call adds only the missing."""
    with conn.transaction():
        table = locked_table(conn, table_id, lock="share")
        ensure_manages(caller, table)
        domain.check_may_take_everyone(table)
        added, already = [], []
        origins = {tenant, *shared_registers}
        for organisation in member_store.active_organisations(conn, tenant=tenant, origins=origins):
            try:
                row = _take_place(conn, tenant=tenant, table=table, organisation_id=organisation["id"], accounts=[],
                                  state=domain.MEMBER, by=caller.subject, shared_registers=shared_registers)
            except domain.AlreadyMember:
                already.append(organisation["id"])  # a member already, or asking to join: its place stays
                continue
            add_event(conn, _event(events.MEMBER_ADDED, tenant=tenant, row=row))
            added.append(row)
    return {"table": table, "added": added, "already_members": already}


def request_to_join(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID,
                    organisation_id: uuid.UUID, shared_registers=frozenset()) -> dict:
    """A representative asks to join an open table for an organisation, naming its own account."""
    with conn.transaction():
        table = locked_table(conn, table_id, lock="share")
        domain.check_may_request(table)
        row = _take_place(conn, tenant=tenant, table=table, organisation_id=organisation_id,
                          accounts=[caller.subject], state=domain.REQUESTED, by=caller.subject,
                          shared_registers=shared_registers)
        add_event(conn, _event(events.MEMBER_REQUESTED, tenant=tenant, row=row))
    return row


def get_member(*, conn: psycopg.Connection, table_id: uuid.UUID, member_id: uuid.UUID) -> tuple[dict, dict]:
    """The table and one of its memberships, with its state now."""
    table = get_table(conn=conn, table_id=table_id)
    row = member_store.get(conn, table_id, member_id)
    if row is None:
        raise MemberNotFound(member_id)
    return table, with_state(row)


def list_members(*, conn: psycopg.Connection, table_id: uuid.UUID, state: str | None,
                 organisation_id: uuid.UUID | None, after: str | None, limit: int) -> tuple[dict, dict]:
    """The table and a page of its memberships in arrival order, filtered by their state now."""
    table = get_table(conn=conn, table_id=table_id)
    position, found = decode_cursor(after), []
    stored = domain.STORED_FOR[state] if state else None
    while len(found) <= limit:
        rows = member_store.page(conn, table_id=table_id, stored_states=stored, organisation_id=organisation_id,
                                 after_seq=position, limit=max(SCAN, limit + 1))
        found += [r for r in map(with_state, rows) if state is None or r["state"] == state]
        if len(rows) < max(SCAN, limit + 1):
            break
        position = rows[-1]["seq"]
    more = len(found) > limit
    items = found[:limit]
    return table, {"items": items, "next_cursor": encode_cursor(items[-1]["seq"]) if more else None}


def _locked_member(conn, *, caller: Caller, table_id, member_id, version: int, action: str) -> tuple[dict, dict]:
    table = locked_table(conn, table_id, lock="share")
    row = member_store.get(conn, table_id, member_id, for_update=True)
    if row is None:
        raise MemberNotFound(member_id)
    if row["version"] != version:
        raise StaleMember(row["version"])
    ensure_manages(caller, table)
    domain.check_open(table)
    row = with_state(row)
    domain.check_transition(state=row["state"], action=action)
    return table, row


def change_accounts(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID,
                    member_id: uuid.UUID, version: int, accounts: list[str]) -> dict:
    """The office changes the accounts that act for a member (or a requesting organisation)."""
    with conn.transaction():
        _table, row = _locked_member(conn, caller=caller, table_id=table_id, member_id=member_id, version=version,
                                     action="change")
        accounts = domain.unique(accounts)
        if accounts == list(row["accounts"]):
            return row
        member_store.update(conn, member_id, accounts=accounts)
        row = _reread(conn, table_id, member_id)
        add_event(conn, _event(events.MEMBER_CHANGED, tenant=tenant, row=row))
    return row


def admit(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID, member_id: uuid.UUID,
          version: int, shared_registers=frozenset()) -> dict:
    """The coordinator (or the office) admits a request: the membership starts now."""
    with conn.transaction():
        _table, row = _locked_member(conn, caller=caller, table_id=table_id, member_id=member_id, version=version,
                                     action="admit")
        organisation = member_store.organisation(conn, row["organisation_id"])
        ensure_may_be_invited(organisation, tenant=tenant, shared_registers=shared_registers)
        member_store.update(conn, member_id, state=domain.MEMBER, joined_version=organisation["version"],
                            joined_at=datetime.now(timezone.utc))
        row = _reread(conn, table_id, member_id)
        add_event(conn, _event(events.MEMBER_ADMITTED, tenant=tenant, row=row))
    return row


def refuse(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID, member_id: uuid.UUID,
           version: int) -> dict:
    """The coordinator (or the office) refuses a request; the row stays, refused."""
    return _end(conn, tenant=tenant, caller=caller, table_id=table_id, member_id=member_id, version=version,
                action="refuse", reason=domain.REFUSED, event_type=events.MEMBER_REFUSED)


def remove(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID, member_id: uuid.UUID,
           version: int) -> dict:
    """The office removes a member: the membership ends (state left), never deleted."""
    return _end(conn, tenant=tenant, caller=caller, table_id=table_id, member_id=member_id, version=version,
                action="remove", reason=domain.REMOVED, event_type=events.MEMBER_LEFT)


def _end(conn, *, tenant, caller, table_id, member_id, version, action, reason, event_type) -> dict:
    with conn.transaction():
        _locked_member(conn, caller=caller, table_id=table_id, member_id=member_id, version=version, action=action)
        member_store.update(conn, member_id, state=domain.LEFT, left_at=datetime.now(timezone.utc),
                            ended_reason=reason, ended_by=caller.subject)
        row = _reread(conn, table_id, member_id)
        add_event(conn, _event(event_type, tenant=tenant, row=row, reason=reason))
    return row


def members_in_force(*, conn: psycopg.Connection, table_id: uuid.UUID) -> list[dict]:
    """The table's requested and member rows with their state now, for access.acting_for / ensure_acts_for:
    only a row whose state is `member` (not suspended, not ended) lets its accounts act."""
    return [with_state(row) for row in member_store.all_standing(conn, table_id)]
