"""The exports' use cases: read the records, build the rows (rows.py). The API writes the file."""
from __future__ import annotations

import uuid

import psycopg

from services.consultation.exports import rows, store
from services.consultation.rounds import domain as rounds_domain
from services.consultation.rounds import service as rounds_service
from services.consultation.rounds import store as rounds_store
from services.consultation.sessions.attendance import store as attendance_store


class RoundNotFound(Exception):
    """No round with that id in this Ambito."""


class RoundWithoutResults(Exception):
    """The round has no results to export: still open, or cancelled; `code` says which."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def needs(*, conn: psycopg.Connection, filters: dict, area_names: dict[str, str]) -> list[tuple]:
    """The rows of the needs export (filters: table_id, area, target_group, status, from, to)."""
    records = store.needs(conn, filters=filters)
    return rows.need_rows(records, area_names=area_names, comune_names=store.comune_names(conn))


def proposals(*, conn: psycopg.Connection, filters: dict, area_names: dict[str, str]) -> list[tuple]:
    """The rows of the proposals export (filters: table_id, area, status, from, to)."""
    records = store.proposals(conn, filters=filters)
    need_ids = {n for p in records for n in p["need_ids"]}
    deliverers = {d for p in records for d in p["deliverers"]}
    return rows.proposal_rows(records, needs=store.needs_by_id(conn, need_ids),
                              organisation_names=store.organisation_names(conn, deliverers), area_names=area_names)


def closure_due(*, conn: psycopg.Connection, round_id: uuid.UUID) -> bool:
    """Whether the round's closing time has passed with its closure not stored yet (the API stores it first)."""
    round_ = rounds_store.get_round(conn, round_id)
    if round_ is None:
        raise RoundNotFound(round_id)
    return rounds_domain.due(status=round_["status"], closes_at=round_["closes_at"], now=rounds_service.now())


def round_results(*, conn: psycopg.Connection, round_id: uuid.UUID) -> tuple[dict, list[tuple]]:
    """The round and the rows of its results; a round not closed (the API stores a due closure first) has none."""
    round_ = rounds_store.get_round(conn, round_id)
    if round_ is None:
        raise RoundNotFound(round_id)
    if round_["status"] == rounds_domain.CANCELLED:
        raise RoundWithoutResults("round-cancelled", "the round was cancelled: it has no results")
    if round_["status"] != rounds_domain.CLOSED:
        raise RoundWithoutResults("round-open", "the round is still open: its results exist once it closes")
    return round_, rows.result_rows(store.round_ranking(conn, round_id))


def attendance(*, conn: psycopg.Connection, filters: dict) -> list[tuple]:
    """The rows of the attendance export: per table, session and organisation type, counts only
    (filters: table_id, area of the table, status of the session, from, to on the day the session starts)."""
    sessions = store.sessions(conn, filters=filters)
    counts = store.invitation_counts(conn, [s["id"] for s in sessions])
    for s in sessions:
        # The register's name-free summary: organisations present, attendees per mode.
        for present in attendance_store.summary(conn, s["id"]):
            counts.append({"session_id": s["id"], "organisation_type": present["organisation_type"], "present": 1,
                           "in_person": present["in_person"], "remote": present["remote"]})
    return rows.attendance_rows(sessions, counts)
