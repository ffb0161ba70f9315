"""Marshmallow schemas of the rounds API (the HTTP edge only)."""
from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate

from services.consultation.rounds import domain
from services.consultation.text import NFCString

CURSOR = r"^[A-Za-z0-9_-]{0,27}$"


# A day inside Python's years 1-9999, so that the instant compares in any time zone (the rules then want it
# within a year from now).
EARLIEST, LATEST = datetime(1, 1, 2, tzinfo=timezone.utc), datetime(9999, 12, 30, tzinfo=timezone.utc)


def _representable(value: datetime) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError("Must be between the years 1 and 9999.")


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


class RoundIn(Schema):
    table_id = fields.UUID(required=True, metadata={"description": "Il tavolo le cui proposte si votano"})
    title = NFCString(required=True, validate=[validate.Length(min=3, max=300), _not_blank],
                      metadata={"description": "Titolo del turno di priorità"})
    description = NFCString(load_default="", validate=validate.Length(max=5000))
    proposal_ids = fields.List(fields.UUID(), required=True,
                               validate=validate.Length(min=domain.MIN_PROPOSALS, max=domain.MAX_PROPOSALS),
                               metadata={"description": "Proposte del tavolo, presentate o in valutazione"})
    points = fields.Integer(load_default=domain.DEFAULT_POINTS, strict=True,
                            validate=validate.Range(min=domain.MIN_POINTS, max=domain.MAX_POINTS),
                            metadata={"description": "Punti che ogni organizzazione distribuisce (tutti)"})
    closes_at = fields.AwareDateTime(required=True, validate=_representable,
                                     metadata={"description": "Chiusura (con fuso orario), entro un anno"})


class CancelIn(Schema):
    reason = NFCString(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                       metadata={"description": "Motivo dell'annullamento (testo dell'ufficio, mai negli eventi)"})


class ProposalInRound(Schema):
    id = fields.UUID()
    position = fields.Integer()
    title = fields.String()
    organisation_id = fields.UUID()
    status = fields.String(metadata={"description": "The proposal's status now"})
    submitted_at = fields.DateTime()


class RoundRankedProposal(Schema):
    rank = fields.Integer()
    proposal_id = fields.UUID()
    title = fields.String()
    organisation_id = fields.UUID()
    points = fields.Integer()
    organisations = fields.Integer(metadata={"description": "How many organisations gave it points"})


class RoundResultsOut(Schema):
    ballots_count = fields.Integer()
    total_points = fields.Integer()
    tie_break = fields.List(fields.String())
    ranking = fields.List(fields.Nested(RoundRankedProposal))


class RoundOut(Schema):
    id = fields.UUID()
    table_id = fields.UUID()
    title = fields.String()
    description = fields.String()
    points = fields.Integer()
    closes_at = fields.DateTime()
    status = fields.String(metadata={"description": "open, closed (also once the closing time has passed) or "
                                                    "cancelled"})
    accepting_ballots = fields.Boolean()
    ballots_count = fields.Integer(metadata={"description": "How many organisations have voted (never who)"})
    proposals = fields.List(fields.Nested(ProposalInRound))
    results = fields.Nested(RoundResultsOut, allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    closed_early = fields.Boolean()
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    opened_by = fields.String()
    opened_by_role = fields.String()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RoundListQuery(Schema):
    table_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(domain.STATUSES))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    after = fields.String(validate=validate.Regexp(CURSOR, error="Not a valid cursor."))


class RoundPage(Schema):
    items = fields.List(fields.Nested(RoundOut))
    next_cursor = fields.String(allow_none=True)


class BallotAllocation(Schema):
    proposal_id = fields.UUID(required=True)
    points = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=domain.MAX_POINTS))


class BallotIn(Schema):
    allocations = fields.List(fields.Nested(BallotAllocation), required=True,
                              validate=validate.Length(min=1, max=domain.MAX_PROPOSALS),
                              metadata={"description": "Punti per proposta: interi ≥ 0 che sommano ai punti del "
                                                       "turno; una proposta senza punti si può omettere"})
    on_behalf = fields.Boolean(load_default=False,
                               metadata={"description": "true: l'ufficio registra la scheda per l'organizzazione "
                                                        "(p.es. da modulo cartaceo)"})


class BallotOut(Schema):
    round_id = fields.UUID()
    organisation_id = fields.UUID()
    organisation_name = fields.String()
    allocations = fields.List(fields.Nested(BallotAllocation))
    on_behalf = fields.Boolean()
    cast_by = fields.String()
    cast_by_role = fields.String()
    version = fields.Integer()
    cast_at = fields.DateTime()
    updated_at = fields.DateTime()


class BallotListQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    after = fields.String(validate=validate.Regexp(CURSOR, error="Not a valid cursor."))


class BallotPage(Schema):
    items = fields.List(fields.Nested(BallotOut))
    next_cursor = fields.String(allow_none=True)
