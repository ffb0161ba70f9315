"""Payloads of the round events: the round and its counts, never who voted what.

A ballot's event says how many organisations have voted, not which one voted nor how: the ballots are
the office's to read (docs/consultation.md "Prioritisation rounds"). No accounts either (a token subject
may be a person's user name): the role the change was made in, at most.
"""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.consultation import SERVICE
from services.consultation.rounds.results import TIE_BREAK

ROUND_OPENED = "it.pdz.consultation.round.opened.v1"
ROUND_BALLOT_CAST = "it.pdz.consultation.round.ballot_cast.v1"
ROUND_CLOSED = "it.pdz.consultation.round.closed.v1"
ROUND_CANCELLED = "it.pdz.consultation.round.cancelled.v1"


def _time(value) -> str | None:
    return value.isoformat() if value is not None else None


def _base(round_: dict) -> dict:
    return {"round_id": str(round_["id"]), "table_id": str(round_["table_id"]), "title": round_["title"],
            "points": round_["points"], "closes_at": _time(round_["closes_at"]), "status": round_["status"],
            "ballots_count": round_["ballots_count"], "version": round_["version"]}


def _event(type_: str, tenant: str, round_: dict, data: dict) -> CloudEvent:
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(round_["id"]),
                     data={**_base(round_), **data})


def opened(*, tenant: str, round_: dict, proposal_ids: list) -> CloudEvent:
    return _event(ROUND_OPENED, tenant, round_, {"proposal_ids": [str(p) for p in proposal_ids],
                                                 "opened_by_role": round_["opened_by_role"],
                                                 "opened_at": _time(round_["created_at"])})


def ballot_cast(*, tenant: str, round_: dict, replaced: bool, on_behalf: bool, at) -> CloudEvent:
    return _event(ROUND_BALLOT_CAST, tenant, round_, {"replaced": replaced, "on_behalf": on_behalf,
                                                      "cast_at": _time(at)})


def closed(*, tenant: str, round_: dict, ranking: list[dict]) -> CloudEvent:
    return _event(ROUND_CLOSED, tenant, round_, {
        "closed_at": _time(round_["closed_at"]), "closed_early": round_["closed_early"],
        "total_points": sum(r["points"] for r in ranking), "tie_break": list(TIE_BREAK),
        "ranking": [{"rank": r["rank"], "proposal_id": str(r["proposal_id"]), "points": r["points"],
                     "organisations": r["organisations"]} for r in ranking]})


def cancelled(*, tenant: str, round_: dict) -> CloudEvent:
    return _event(ROUND_CANCELLED, tenant, round_, {"cancelled_at": _time(round_["cancelled_at"])})
