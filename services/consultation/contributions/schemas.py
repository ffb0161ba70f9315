"""Marshmallow schemas of the needs and proposals API (the HTTP edge only)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.http.money_field import Amount

from services.consultation.contributions import lifecycle
from services.consultation.contributions.domain import NEED_STATUSES, TARGET_GROUPS
from services.consultation.text import NFCString

ISTAT = r"^[0-9]{6}$"
CURSOR = r"^[A-Za-z0-9_-]{0,27}$"
ROLES = ("stakeholder", "operator", "coordinator")


def _text(maximum: int, *, required: bool = False, minimum: int = 1, **kwargs):
    if required:
        # Not blank: a title or a reasoned answer of spaces says nothing.
        return NFCString(required=True, validate=[validate.Length(min=minimum, max=maximum),
                                                  validate.Regexp(r"^\s*\S", error="Must not be blank.")], **kwargs)
    return NFCString(load_default="", validate=validate.Length(max=maximum), **kwargs)


class NeedIn(Schema):
    table_id = fields.UUID(required=True, metadata={"description": "Il tavolo da cui viene il bisogno"})
    session_id = fields.UUID(load_default=None, allow_none=True,
                             metadata={"description": "La sessione in cui è emerso (facoltativa)"})
    organisation_id = fields.UUID(required=True, metadata={"description": "L'organizzazione che lo propone"})
    on_behalf = fields.Boolean(load_default=False, metadata={
        "description": "Registrato dall'Ufficio di Piano per conto dell'organizzazione (es. da modulo cartaceo)"})
    title = _text(300, required=True, minimum=3, metadata={"description": "Titolo breve del bisogno"})
    description = _text(20000, required=True, metadata={"description": "Descrizione del bisogno"})
    area = fields.String(required=True, validate=validate.Length(min=1, max=41),
                         metadata={"description": "Codice dell'area tematica della regione"})
    target_group = fields.String(required=True, validate=validate.OneOf(list(TARGET_GROUPS)),
                                 metadata={"description": "Area di utenza (L. 328/2000)"})
    comuni = fields.List(fields.String(validate=validate.Regexp(ISTAT)), load_default=list,
                         validate=validate.Length(max=200),
                         metadata={"description": "Codici ISTAT dei comuni interessati (vuoto: tutto l'Ambito)"})
    evidence = _text(5000, metadata={"description": "Evidenze e fonti (dati, servizi, esperienza)"})


class NeedPatch(NeedIn):
    """The editable fields of a need (used as NeedPatch(partial=True))."""

    class Meta:
        exclude = ("table_id", "organisation_id", "on_behalf")


class NeedOut(Schema):
    id = fields.UUID()
    table_id = fields.UUID()
    session_id = fields.UUID(allow_none=True)
    organisation_id = fields.UUID()
    title = fields.String()
    description = fields.String()
    area = fields.String()
    target_group = fields.String(validate=validate.OneOf(list(TARGET_GROUPS)))
    comuni = fields.List(fields.String(validate=validate.Regexp(ISTAT)))
    evidence = fields.String()
    status = fields.String(validate=validate.OneOf(NEED_STATUSES),
                           metadata={"description": "open: editable; closed: frozen by the office"})
    on_behalf = fields.Boolean()
    recorded_by = fields.String(allow_none=True, metadata={
        "description": "The account that recorded it (null on a replica: accounts stay with their Ambito)"})
    recorded_by_role = fields.String(validate=validate.OneOf(ROLES))
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    updated_by = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    origin = fields.String(metadata={"description": "The Ambito the record belongs to: this one's slug, or a former "
                                                    "Ambito's that shares it (a read-only replica)"})


class NeedListQuery(Schema):
    origin = fields.String(validate=validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$"), metadata={
        "description": "Only the records of this Ambito: this one's slug, or a former Ambito's"})
    table_id = fields.UUID()
    session_id = fields.UUID()
    area = fields.String(validate=validate.Length(min=1, max=41))
    target_group = fields.String(validate=validate.OneOf(list(TARGET_GROUPS)))
    organisation_id = fields.UUID()
    comune = fields.String(validate=validate.Regexp(ISTAT))
    status = fields.String(validate=validate.OneOf(NEED_STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(validate=validate.Regexp(CURSOR, error="Not a valid cursor."),
                          metadata={"description": "Cursor from the previous page's next_cursor"})


class NeedPage(Schema):
    items = fields.List(fields.Nested(NeedOut))
    next_cursor = fields.String(allow_none=True)


class ProposalIn(Schema):
    table_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True, metadata={"description": "L'organizzazione proponente"})
    on_behalf = fields.Boolean(load_default=False)
    need_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=100),
                           metadata={"description": "I bisogni a cui risponde (almeno uno)"})
    title = _text(300, required=True, minimum=3)
    description = _text(20000, required=True)
    expected_outcome = _text(5000, required=True, metadata={"description": "Risultato atteso"})
    deliverers = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=100),
                             metadata={"description": "Organizzazioni che potrebbero realizzarla (id del registro)"})
    estimated_cost = Amount(required=True, metadata={"description": "Costo stimato in euro, es. \"12000.00\""})


class ProposalPatch(ProposalIn):
    """The editable fields of a proposal (used as ProposalPatch(partial=True))."""

    class Meta:
        exclude = ("table_id", "organisation_id", "on_behalf")


class NeedRef(Schema):
    id = fields.UUID()
    area = fields.String()
    target_group = fields.String(validate=validate.OneOf(list(TARGET_GROUPS)))
    comuni = fields.List(fields.String(validate=validate.Regexp(ISTAT)))


class AssessmentOut(Schema):
    valuator = fields.String(metadata={"description": "The valuator's account"})
    feasibility = fields.String(validate=validate.OneOf(lifecycle.FEASIBILITY))
    feasibility_note = fields.String()
    assessed_cost = Amount()
    cost_note = fields.String()
    assessed_at = fields.DateTime()


class ProposalOut(Schema):
    id = fields.UUID()
    table_id = fields.UUID()
    organisation_id = fields.UUID()
    title = fields.String()
    description = fields.String()
    expected_outcome = fields.String()
    needs = fields.List(fields.Nested(NeedRef), metadata={"description": "I bisogni a cui risponde, in ordine"})
    areas = fields.List(fields.String(), metadata={"description": "Le aree tematiche dei suoi bisogni"})
    target_groups = fields.List(fields.String(validate=validate.OneOf(list(TARGET_GROUPS))))
    comuni = fields.List(fields.String(validate=validate.Regexp(ISTAT)))
    deliverers = fields.List(fields.UUID())
    estimated_cost = Amount()
    status = fields.String(validate=validate.OneOf(lifecycle.STATUSES))
    valuators = fields.List(fields.String())
    evaluation_started_at = fields.DateTime(allow_none=True)
    assessments = fields.List(fields.Nested(AssessmentOut))
    answer = fields.String(allow_none=True, metadata={"description": "La risposta motivata (pubblicata)"})
    merged_into = fields.UUID(allow_none=True)
    merged_from = fields.List(fields.UUID())
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    on_behalf = fields.Boolean()
    recorded_by = fields.String(allow_none=True, metadata={
        "description": "The account that recorded it (null on a replica: accounts stay with their Ambito)"})
    recorded_by_role = fields.String(validate=validate.OneOf(ROLES))
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    updated_by = fields.String(allow_none=True)
    origin = fields.String(metadata={"description": "The Ambito the record belongs to: this one's slug, or a former "
                                                    "Ambito's that shares it (a read-only replica)"})


class ProposalListQuery(Schema):
    origin = fields.String(validate=validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$"), metadata={
        "description": "Only the records of this Ambito: this one's slug, or a former Ambito's"})
    table_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(lifecycle.STATUSES))
    organisation_id = fields.UUID()
    need_id = fields.UUID()
    area = fields.String(validate=validate.Length(min=1, max=41))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    after = fields.String(validate=validate.Regexp(CURSOR, error="Not a valid cursor."))


class ProposalPage(Schema):
    items = fields.List(fields.Nested(ProposalOut))
    next_cursor = fields.String(allow_none=True)


class EvaluationIn(Schema):
    valuators = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                            validate=validate.Length(min=1, max=lifecycle.MAX_VALUATORS),
                            metadata={"description": "Gli account dei valutatori"})


class AssessmentIn(Schema):
    feasibility = fields.String(required=True, validate=validate.OneOf(lifecycle.FEASIBILITY),
                                metadata={"description": "Fattibilità: high, medium, low"})
    feasibility_note = _text(5000)
    assessed_cost = Amount(required=True, metadata={"description": "Costo valutato in euro"})
    cost_note = _text(5000)


class DecisionIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(lifecycle.OUTCOMES))
    answer = _text(20000, required=True, metadata={"description": "Risposta motivata, pubblicata con la proposta"})
    merged_into = fields.UUID(load_default=None, allow_none=True,
                              metadata={"description": "La proposta in cui confluisce (solo per merged)"})
