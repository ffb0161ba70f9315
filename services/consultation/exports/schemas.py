"""Query parameters of the exports (the HTTP edge only)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.consultation import targets
from services.consultation.exports import labels


class _Period(Schema):
    date_from = fields.Date(data_key="from", metadata={"description": "Dal giorno (incluso, ora di Roma)"})
    date_to = fields.Date(data_key="to", metadata={"description": "Al giorno (incluso, ora di Roma)"})

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("`from` is after `to`.", field_name="from")


class NeedsQuery(_Period):
    table_id = fields.UUID(metadata={"description": "Solo i bisogni di questo tavolo"})
    area = fields.String(validate=validate.Length(min=1, max=41), metadata={"description": "Codice dell'area tematica"})
    target_group = fields.String(validate=validate.OneOf(list(targets.CODES)))
    status = fields.String(validate=validate.OneOf(list(labels.NEED_STATUSES)))


class ProposalsQuery(_Period):
    table_id = fields.UUID(metadata={"description": "Solo le proposte di questo tavolo"})
    area = fields.String(validate=validate.Length(min=1, max=41),
                         metadata={"description": "Proposte che rispondono ad almeno un bisogno di quest'area"})
    status = fields.String(validate=validate.OneOf(list(labels.PROPOSAL_STATUSES)))


class AttendanceQuery(_Period):
    table_id = fields.UUID(metadata={"description": "Solo le sessioni di questo tavolo"})
    area = fields.String(validate=validate.Length(min=1, max=41),
                         metadata={"description": "Solo i tavoli di quest'area tematica"})
    status = fields.String(validate=validate.OneOf(list(labels.SESSION_STATUSES)),
                           metadata={"description": "Solo le sessioni in questo stato"})


def filters(query: dict) -> dict:
    """The query as the store's filters (`from` and `to` by their names)."""
    out = {k: v for k, v in query.items() if k not in ("date_from", "date_to")}
    return {**out, "from": query.get("date_from"), "to": query.get("date_to")}
