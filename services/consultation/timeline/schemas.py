"""Marshmallow schemas of the cronoprogramma API."""
from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.consultation.text import NFCString
from services.consultation.timeline.domain import PHASES, STATUSES

YEAR = validate.Range(min=2000, max=2100)
# Days of the planning cycles this platform serves; a milestone's year defaults to its start's.
DAY = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31))
PHASE = validate.OneOf(list(PHASES))


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


class MilestoneIn(Schema):
    phase = fields.String(required=True, validate=PHASE,
                          metadata={"description": "Fase del Piano: fase_1, fase_2, fase_3, approvazione,"
                                                   " monitoraggio"})
    title = NFCString(required=True, validate=[validate.Length(min=1, max=300), not_blank],
                      metadata={"description": "Titolo della tappa"})
    note = NFCString(load_default="", validate=validate.Length(max=5000),
                     metadata={"description": "Nota (interna all'Ambito: non va negli eventi)"})
    table_id = fields.UUID(load_default=None, allow_none=True,
                           metadata={"description": "Il tavolo a cui la tappa si riferisce, se c'è"})
    planned_start = fields.Date(required=True, validate=DAY, metadata={"description": "Inizio previsto (giorno)"})
    planned_end = fields.Date(required=True, validate=DAY, metadata={"description": "Fine prevista (giorno)"})
    year = fields.Integer(validate=YEAR,
                          metadata={"description": "Anno del ciclo di programmazione; se manca, l'anno dell'inizio"
                                                   " previsto"})

    @validates_schema
    def _window(self, data, **_kwargs):
        if "planned_start" in data and "planned_end" in data and data["planned_end"] < data["planned_start"]:
            raise ValidationError("must not come before planned_start", field_name="planned_end")


class MilestonePatch(Schema):
    """Every field optional; status moves and actual days follow the rules in docs/consultation.md."""

    phase = fields.String(validate=PHASE)
    title = NFCString(validate=[validate.Length(min=1, max=300), not_blank])
    note = NFCString(validate=validate.Length(max=5000))
    table_id = fields.UUID(allow_none=True)
    planned_start = fields.Date(validate=DAY)
    planned_end = fields.Date(validate=DAY)
    actual_start = fields.Date(allow_none=True, validate=DAY, metadata={"description": "Inizio effettivo (giorno)"})
    actual_end = fields.Date(allow_none=True, validate=DAY, metadata={"description": "Fine effettiva (giorno)"})
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "planned, in_progress, done, cancelled"})


class MilestoneOut(Schema):
    id = fields.UUID()
    year = fields.Integer()
    phase = fields.String()
    phase_number = fields.Integer()
    phase_title = fields.String()
    table_id = fields.UUID(allow_none=True)
    title = fields.String()
    note = fields.String()
    planned_start = fields.Date()
    planned_end = fields.Date()
    actual_start = fields.Date(allow_none=True)
    actual_end = fields.Date(allow_none=True)
    status = fields.String(metadata={"description": "Stato registrato: planned, in_progress, done, cancelled"})
    late = fields.Boolean(metadata={"description": "Da concludere e oltre la fine prevista (oggi, Europe/Rome)"})
    days_late = fields.Integer(metadata={"description": "Giorni dopo la fine prevista; 0 se non in ritardo"})
    effective_status = fields.String(metadata={"description": "planned, in_progress, done, late, cancelled"})
    status_label = fields.String(metadata={"description": "Lo stato in italiano"})
    template_key = fields.String(allow_none=True,
                                 metadata={"description": "La tappa del modello da cui viene, se ne viene"})
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MilestoneListQuery(Schema):
    year = fields.Integer(validate=YEAR)
    phase = fields.String(validate=PHASE)
    status = fields.String(validate=validate.OneOf(STATUSES))
    table_id = fields.UUID()
    late = fields.Boolean(metadata={"description": "true: solo le tappe in ritardo; false: solo le altre"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_-]{0,27}$", error="Not a valid cursor."),
                          metadata={"description": "Cursor from the previous page's next_cursor"})


class MilestonePage(Schema):
    items = fields.List(fields.Nested(MilestoneOut))
    next_cursor = fields.String(allow_none=True)


class TimelineQuery(Schema):
    year = fields.Integer(validate=YEAR, metadata={"description": "Anno del ciclo; se manca, l'anno in corso"})


class PhaseOut(Schema):
    phase = fields.String()
    number = fields.Integer()
    title = fields.String()
    planned_start = fields.Date(allow_none=True, metadata={"description": "La prima tappa non annullata"})
    planned_end = fields.Date(allow_none=True, metadata={"description": "L'ultima tappa non annullata"})
    done = fields.Integer()
    late = fields.Integer()
    milestones = fields.List(fields.Nested(MilestoneOut))


class TimelineOut(Schema):
    year = fields.Integer()
    today = fields.Date(metadata={"description": "Il giorno (Europe/Rome) su cui è misurato il ritardo"})
    milestones = fields.Integer()
    late = fields.Integer()
    phases = fields.List(fields.Nested(PhaseOut))


class TemplateIn(Schema):
    year = fields.Integer(required=True, validate=YEAR)


class TemplateOut(Schema):
    year = fields.Integer()
    created = fields.Integer(metadata={"description": "Tappe aggiunte ora (0 se il modello c'era già)"})
    items = fields.List(fields.Nested(MilestoneOut))
