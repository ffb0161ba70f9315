"""Marshmallow schemas of the plans API."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from services.budget.plans.domain import PUBLIC_ACTIONS, STATES

YEAR = validate.Range(min=2000, max=2098)
STATE = {"description": "draft, adopted, approved, sent, returned, accepted, signed, superseded",
         "enum": list(STATES)}


class Text(fields.String):
    """Free text, trimmed; blank is refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("Must not be blank.")
        return text


class PlanIn(Schema):
    first_year = fields.Integer(required=True, strict=True, validate=YEAR,
                                metadata={"description": "Primo anno del triennio, es. 2024 per 2024-2026"})
    title = Text(validate=validate.Length(min=3, max=300),
                 metadata={"description": "Titolo (predefinito: Piano Sociale di Zona AAAA-AAAA)"})


class PlanOut(Schema):
    id = fields.UUID()
    first_year = fields.Integer()
    last_year = fields.Integer()
    title = fields.String()
    current_version = fields.Integer(metadata={"description": "Numero della versione corrente (la più recente)"})
    kind = fields.String(metadata={"description": "triennial or yearly_update (of the current version)"})
    reference_year = fields.Integer()
    state = fields.String(metadata={**STATE, "description": "State of the current version"})
    allowed_actions = fields.List(fields.String(metadata={"enum": list(PUBLIC_ACTIONS)}))
    in_force_version = fields.Integer(allow_none=True, metadata={
        "description": "The signed version (accordo di programma), null until one is signed"})
    version = fields.Integer(metadata={"description": "The ETag's number: changes with every transition"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PlanPage(Schema):
    items = fields.List(fields.Nested(PlanOut))
    next_cursor = fields.String(allow_none=True)


class PlanListQuery(Schema):
    year = fields.Integer(validate=YEAR, metadata={"description": "Only the plan covering this year"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String()


class VersionIn(Schema):
    reference_year = fields.Integer(required=True, strict=True, validate=YEAR,
                                    metadata={"description": "Anno dell'aggiornamento annuale (2° o 3° del triennio)"})


class VersionOut(Schema):
    plan_id = fields.UUID()
    number = fields.Integer()
    kind = fields.String()
    reference_year = fields.Integer()
    state = fields.String(metadata=STATE)
    remarks = fields.String(allow_none=True, metadata={"description": "Osservazioni della Regione"})
    approval_act = fields.String(allow_none=True, metadata={"description": "Delibera dell'Assemblea dei Sindaci"})
    signed_on = fields.Date(allow_none=True, metadata={"description": "Data dell'accordo di programma"})
    signatories = fields.List(fields.UUID())
    superseded_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class VersionDetail(VersionOut):
    snapshot = fields.Dict(allow_none=True, metadata={
        "description": "Il contenuto congelato all'adozione: interventi, allocazioni, cofinanziamento, totali"})


class VersionList(Schema):
    items = fields.List(fields.Nested(VersionOut))


class HistoryQuery(Schema):
    number = fields.Integer(validate=validate.Range(min=1, max=1000), metadata={"description": "Only this version"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String()


class HistoryEntry(Schema):
    number = fields.Integer()
    action = fields.String(metadata={"enum": ["create", "open", *PUBLIC_ACTIONS, "supersede"]})
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    by = fields.String(attribute="by_subject", metadata={"description": "The account (token subject)"})
    by_role = fields.String()
    at = fields.DateTime()
    note = fields.String(allow_none=True)


class HistoryPage(Schema):
    items = fields.List(fields.Nested(HistoryEntry))
    next_cursor = fields.String(allow_none=True)


class TransitionIn(Schema):
    note = Text(validate=validate.Length(max=2000), metadata={"description": "Nota per lo storico"})


class ApproveIn(TransitionIn):
    approval_act = Text(required=True, validate=validate.Length(min=3, max=300), metadata={
        "description": "Estremi della deliberazione dell'Assemblea dei Sindaci, es. \"Delibera n. 4 del 12/10/2024\""})


class ReturnIn(TransitionIn):
    remarks = Text(required=True, validate=validate.Length(min=3, max=20000),
                   metadata={"description": "Osservazioni della Regione"})


class SignIn(TransitionIn):
    signed_on = fields.Date(required=True, metadata={"description": "Data di sottoscrizione dell'accordo di programma"})
    signatories = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=200), metadata={
        "description": "Enti firmatari: organizzazioni del registro (attive)"})

    @validates("signatories")
    def _distinct(self, value, **_kwargs):
        if len(set(value)) != len(value):
            raise ValidationError("Each signatory once.")


class DiffQuery(Schema):
    from_ = fields.Integer(data_key="from", attribute="from", required=True, validate=validate.Range(min=1, max=1000),
                           metadata={"description": "The version compared (e.g. 1, the triennial plan)"})
    to = fields.Integer(required=True, validate=validate.Range(min=1, max=1000),
                        metadata={"description": "The version compared with it (e.g. 2, its yearly update)"})


class DiffSide(Schema):
    number = fields.Integer()
    live = fields.Boolean(metadata={"description": "true: read from the content now (the version is editable)"})


class DiffOut(Schema):
    from_ = fields.Nested(DiffSide, data_key="from", attribute="from")
    to = fields.Nested(DiffSide)
    interventions = fields.Dict(metadata={"description": "added, removed, changed (fields with before and after)"})
    allocations = fields.List(fields.Dict(), metadata={"description": "Lines whose amount (or area) changed"})
    cofinancing = fields.List(fields.Dict())
    totals = fields.Dict(metadata={"description": "before and after"})
