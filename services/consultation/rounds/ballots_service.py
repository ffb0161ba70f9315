"""Ballot use cases: a member organisation's representative (or the office on its behalf, marked so) casts or
replaces the organisation's one ballot while the round is open; the office reads the ballots.

Order of the checks (the order of the answers): the round (404), the table and the round still open (409),
the organisation's standing in the register (409), the caller acting for it (403), the ballot (422).
"""
from __future__ import annotations

import uuid

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.consultation.members import domain as members, store as replica
from services.consultation.rounds import ballots, domain, events, store
from services.consultation.rounds.service import RoundNotFound, StaleRound, ensure_manages, now
from services.consultation.tables.access import OPERATOR, STAKEHOLDER, Caller, NotAllowed, acting_for, \
    ensure_acts_for, manages
from services.consultation.tables.membership import members_in_force


class BallotNotFound(LookupError):
    """The organisation has no ballot in this round."""


def _round_and_table(conn, round_id, *, lock: str | None = None) -> tuple[dict, dict]:
    row = store.get_round(conn, round_id, lock=lock)
    if row is None:
        raise RoundNotFound(round_id)
    return row, store.get_table(conn, row["table_id"])


def cast_ballot(*, conn: psycopg.Connection, tenant: str, caller: Caller, round_id: uuid.UUID,
                organisation_id: uuid.UUID, allocations: list[dict], on_behalf: bool,
                version: int | None, shared_registers=frozenset()) -> tuple[dict, bool]:
    """Cast or replace the organisation's ballot; (ballot, created). `version`: the If-Match, if sent."""
    with conn.transaction():
        # The round's row lock: a round's ballots are written one at a time (so the counts in the events are
        # exact), and a closure or cancellation waits for the ballot in flight.
        row, table = _round_and_table(conn, round_id, lock="update")
        if table["status"] != "active":
            raise domain.TableClosed("the table is closed")
        domain.ensure_open(status=row["status"], closes_at=row["closes_at"], now=now())
        # A former Ambito's organisation takes part when its register is shared with this Ambito (issue 9).
        members.ensure_may_contribute(replica.get(conn, organisation_id), tenant=tenant,
                                      shared_registers=shared_registers)
        in_force = members_in_force(conn=conn, table_id=row["table_id"])
        if on_behalf and not manages(caller, table):
            raise NotAllowed("only the Ufficio di Piano or this table's coordinator records a ballot on behalf")
        ensure_acts_for(caller, in_force, organisation_id, on_behalf=on_behalf)
        proposal_ids = [p["id"] for p in store.round_proposals(conn, round_id)]
        points = ballots.valid_ballot(allocations, points=row["points"], proposal_ids=proposal_ids)
        role = (OPERATOR if OPERATOR in caller.roles else "coordinator") if on_behalf else STAKEHOLDER
        created = store.claim_ballot(conn, round_id=round_id, organisation_id=organisation_id, on_behalf=on_behalf,
                                     by=caller.subject, role=role)
        current = store.lock_ballot(conn, round_id, organisation_id)
        if version is not None and (created or current["version"] != version):
            raise StaleRound(None if created else current["version"])
        store.replace_ballot(conn, round_id=round_id, organisation_id=organisation_id, on_behalf=on_behalf,
                             by=caller.subject, role=role, allocations=points, bump=not created)
        row = store.get_round(conn, round_id)
        add_event(conn, events.ballot_cast(tenant=tenant, round_=row, replaced=not created, on_behalf=on_behalf,
                                           at=now()))
        return store.ballot(conn, round_id, organisation_id), created


def get_ballot(*, conn: psycopg.Connection, caller: Caller, round_id: uuid.UUID,
               organisation_id: uuid.UUID) -> dict:
    """One organisation's ballot: the table's managers, and the organisation's own representatives."""
    row, table = _round_and_table(conn, round_id)
    if not manages(caller, table) and organisation_id not in acting_for(
            caller, members_in_force(conn=conn, table_id=row["table_id"])):
        raise NotAllowed("a ballot is read by the office and by its organisation's representatives only")
    found = store.ballot(conn, round_id, organisation_id)
    if found is None:
        raise BallotNotFound(organisation_id)
    return found


def list_ballots(*, conn: psycopg.Connection, caller: Caller, round_id: uuid.UUID, after: str | None,
                 limit: int) -> dict:
    """The round's ballots, who gave what: the table's managers only."""
    _row, table = _round_and_table(conn, round_id)
    ensure_manages(caller, table)
    return page(store.ballots_page(conn, round_id, after_seq=decode_cursor(after), limit=limit + 1), limit)
