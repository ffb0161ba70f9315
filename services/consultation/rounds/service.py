"""Round use cases: one transaction each, the connection passed in, the event in the same transaction.

Closing needs no scheduler: a round whose closing time has passed is closed for every reader (computed on
read), and its closure (results and event) is stored by the first use case that finds it due
(close_due), under the round's row lock, so that two first readers at once store it once.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.consultation.rounds import domain, events, results, store
from services.consultation.tables.access import OPERATOR, Caller, NotAllowed, manages


class RoundNotFound(LookupError):
    """No such round in this Ambito."""


class StaleRound(Exception):
    """The round changed since the caller read it (or, for a ballot, the ballot did)."""

    def __init__(self, current_version: int | None):
        super().__init__(current_version)
        self.current_version = current_version


def now() -> datetime:
    return datetime.now(timezone.utc)


def _office_role(caller: Caller) -> str:
    return OPERATOR if OPERATOR in caller.roles else "coordinator"


def ensure_manages(caller: Caller, table: dict) -> None:
    if not manages(caller, table):
        raise NotAllowed("only the Ufficio di Piano or this table's coordinator may do this")


def open_round(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID, title: str,
               description: str, proposal_ids: list, points: int, closes_at: datetime) -> dict:
    """Open a round on proposals of a table: the table's managers."""
    with conn.transaction():
        table = store.get_table(conn, table_id)
        if table is None:
            raise domain.InvalidField("table_id", "no such table in this Ambito")
        ensure_manages(caller, table)
        if table["status"] != "active":
            raise domain.TableClosed("the table is closed")
        domain.check_closing_time(closes_at, now=now())
        found = store.proposals(conn, proposal_ids)
        ids = domain.check_proposals(proposal_ids, found, table_id=table_id)
        round_id = uuid.uuid4()
        store.insert_round(conn, id=round_id, table_id=table_id, title=title.strip(), description=description,
                           points=points, closes_at=closes_at, opened_by=caller.subject,
                           opened_by_role=_office_role(caller))
        store.insert_proposals(conn, round_id, [found[p] for p in ids])
        row = store.get_round(conn, round_id)
        add_event(conn, events.opened(tenant=tenant, round_=row, proposal_ids=ids))
    return details(conn, row)


def details(conn: psycopg.Connection, row: dict, at: datetime | None = None) -> dict:
    """The round as readers see it: its status now, its proposals, and its results once stored."""
    at = at or now()
    status = domain.effective_status(status=row["status"], closes_at=row["closes_at"], now=at)
    stored = store.results(conn, row["id"]) if row["status"] == domain.CLOSED else None
    return {**row, "status": status, "accepting_ballots": status == domain.OPEN,
            "closure_due": domain.due(status=row["status"], closes_at=row["closes_at"], now=at),
            "proposals": store.round_proposals(conn, row["id"]),
            "results": None if stored is None else {"ballots_count": row["ballots_count"],
                                                    "total_points": sum(r["points"] for r in stored),
                                                    "tie_break": list(results.TIE_BREAK), "ranking": stored}}


def get_round(*, conn: psycopg.Connection, round_id: uuid.UUID) -> dict:
    """One round (read only: `closure_due` says whether close_due must store its closure)."""
    row = store.get_round(conn, round_id)
    if row is None:
        raise RoundNotFound(round_id)
    return details(conn, row)


def list_rounds(*, conn: psycopg.Connection, table_id, status: str | None, after: str | None,
                limit: int) -> dict:
    """A page of rounds in opening order (filter on the stored status; the API closes due ones first)."""
    rows = store.page(conn, table_id=table_id, status=status, after_seq=decode_cursor(after), limit=limit + 1)
    result = page(rows, limit)
    at = now()
    result["items"] = [details(conn, row, at) for row in result["items"]]
    return result


def due_rounds(*, conn: psycopg.Connection) -> list:
    """The ids of the open rounds whose closing time has passed (their closure not stored yet)."""
    return [r[0] for r in conn.execute("SELECT id FROM rounds WHERE status = 'open' AND closes_at <= %s"
                                       " ORDER BY closes_at LIMIT 100", (now(),)).fetchall()]


def _store_closure(conn, *, tenant: str, row: dict, closed_at: datetime, early: bool, by: str | None) -> dict:
    proposals = {p["id"]: p["submitted_at"] for p in store.round_proposals(conn, row["id"])}
    ranking = results.tally(proposals, store.all_allocations(conn, row["id"]))
    store.insert_results(conn, row["id"], ranking)
    store.update_round(conn, row["id"], status=domain.CLOSED, closed_at=closed_at, closed_early=early, closed_by=by)
    row = store.get_round(conn, row["id"])
    add_event(conn, events.closed(tenant=tenant, round_=row, ranking=store.results(conn, row["id"])))
    return row


def close_due(*, conn: psycopg.Connection, tenant: str, round_id: uuid.UUID) -> dict:
    """Store the closure of a round whose closing time has passed (once: the row lock orders first readers)."""
    with conn.transaction():
        row = store.get_round(conn, round_id, lock="update")
        if row is None:
            raise RoundNotFound(round_id)
        if domain.due(status=row["status"], closes_at=row["closes_at"], now=now()):
            row = _store_closure(conn, tenant=tenant, row=row, closed_at=row["closes_at"], early=False, by=None)
    return details(conn, row)


def _locked(conn, caller: Caller, round_id, version: int) -> dict:
    row = store.get_round(conn, round_id, lock="update")
    if row is None:
        raise RoundNotFound(round_id)
    ensure_manages(caller, store.get_table(conn, row["table_id"]))
    if row["version"] != version:
        raise StaleRound(row["version"])
    return row


def close_round(*, conn: psycopg.Connection, tenant: str, caller: Caller, round_id: uuid.UUID,
                version: int) -> dict:
    """Close a round now, before its closing time (the table's managers); its results are computed."""
    with conn.transaction():
        row = _locked(conn, caller, round_id, version)
        at = now()
        if row["status"] == domain.CANCELLED:
            raise domain.RoundCancelled("the round was cancelled")
        if row["status"] == domain.CLOSED:
            raise domain.RoundClosed("the round is closed already")
        if domain.due(status=row["status"], closes_at=row["closes_at"], now=at):
            # Its time has passed: the closure is recorded at the closing time, not as an early one.
            row = _store_closure(conn, tenant=tenant, row=row, closed_at=row["closes_at"], early=False, by=None)
        else:
            row = _store_closure(conn, tenant=tenant, row=row, closed_at=at, early=True, by=caller.subject)
    return details(conn, row)


def cancel_round(*, conn: psycopg.Connection, tenant: str, caller: Caller, round_id: uuid.UUID, version: int,
                 reason: str | None) -> dict:
    """Cancel an open round (the table's managers): no results; its ballots stay, readable by the office."""
    with conn.transaction():
        row = _locked(conn, caller, round_id, version)
        domain.ensure_open(status=row["status"], closes_at=row["closes_at"], now=now())
        store.update_round(conn, round_id, status=domain.CANCELLED, cancelled_at=now(), cancelled_by=caller.subject,
                           cancel_reason=reason)
        row = store.get_round(conn, round_id)
        add_event(conn, events.cancelled(tenant=tenant, round_=row))
    return details(conn, row)
