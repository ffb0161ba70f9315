"""Marshmallow schemas of the interventions and progress API (the HTTP edge only)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate
from flask_smorest.fields import Upload

from services.budget.interventions.domain import KINDS, STATUSES, TARGET_GROUPS
from services.budget.interventions.progress_domain import PERCENT_RE, parse_percent

ISTAT = r"^[0-9]{6}$"
CURSOR = r"^[A-Za-z0-9_-]{0,27}$"
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CODE = r"^[A-Za-z0-9](?:[A-Za-z0-9 ._/-]{0,38}[A-Za-z0-9])?$"
NOT_BLANK = validate.Regexp(r"^\s*\S", error="Must not be blank.")


class Percent(fields.String):
    """A percentage 0-100 with at most two decimals: "37.5" or 37.5 in JSON, a Decimal inside, "37.50" out."""

    def __init__(self, **kwargs):
        metadata = {"description": "Percentuale da 0 a 100, al più due decimali (stringa o numero), es. \"37.5\"",
                    "example": "37.50", "pattern": PERCENT_RE.pattern, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_percent(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class ContinuesIn(Schema):
    origin = fields.String(required=True, validate=validate.Regexp(SLUG),
                           metadata={"description": "L'Ambito di origine (un Ambito accorpato in questo)"})
    intervention_id = fields.UUID(required=True, metadata={"description": "L'intervento dell'Ambito di origine"})


class InterventionIn(Schema):
    code = fields.String(required=True, validate=validate.Regexp(CODE, error="1 to 40 letters, digits, . _ / -"),
                         metadata={"description": "Codice della riga del piano, es. A3.2 (unico nel piano)"})
    title = fields.String(required=True, validate=[validate.Length(min=3, max=300), NOT_BLANK])
    description = fields.String(load_default="", validate=validate.Length(max=20000))
    nomenclature_code = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={
        "description": "Codice del Nomenclatore CISIS degli interventi e servizi sociali"})
    area = fields.String(required=True, validate=validate.Length(min=1, max=41),
                         metadata={"description": "Codice dell'area tematica della regione"})
    target_group = fields.String(required=True, validate=validate.OneOf(TARGET_GROUPS),
                                 metadata={"description": "Area di utenza (L. 328/2000)"})
    leps = fields.List(fields.String(validate=validate.Length(min=1, max=40)), load_default=list,
                       validate=validate.Length(max=30), metadata={"description": "I LEPS che garantisce"})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS),
                         metadata={"description": "service (servizio), transfer (trasferimento), project (progetto)"})
    investment = fields.Boolean(load_default=False, metadata={
        "description": "Investimento (solo per kind project): richiede il CUP"})
    comuni = fields.List(fields.String(validate=validate.Regexp(ISTAT)), load_default=list,
                         validate=validate.Length(max=200),
                         metadata={"description": "Codici ISTAT dei comuni serviti (vuoto: tutto l'Ambito)"})
    managing_body = fields.UUID(load_default=None, allow_none=True,
                                metadata={"description": "Ente gestore (organizzazione del registro)"})
    cup = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[A-Z0-9]{15}$", error="A CUP is 15 characters, upper-case letters and digits."),
        metadata={"description": "Codice Unico di Progetto (15 caratteri)"})
    planned_start = fields.Date(load_default=None, allow_none=True)
    planned_end = fields.Date(load_default=None, allow_none=True)
    status = fields.String(load_default="planned", validate=validate.OneOf(STATUSES))
    actual_start = fields.Date(load_default=None, allow_none=True)
    actual_end = fields.Date(load_default=None, allow_none=True)
    proposal_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=50), metadata={
        "description": "Le proposte accolte a cui risponde (dalla consultazione)"})
    continues = fields.Nested(ContinuesIn, load_default=None, allow_none=True, metadata={
        "description": "L'intervento di un Ambito accorpato che questo prosegue"})


class InterventionPatch(InterventionIn):
    """InterventionIn with every field optional (used as InterventionPatch(partial=True))."""


class NeedRef(Schema):
    need_id = fields.String()
    area = fields.String()
    target_group = fields.String()
    comuni = fields.List(fields.String())


class ProposalRef(Schema):
    proposal_id = fields.UUID()
    origin = fields.String()
    title = fields.String()
    need_ids = fields.List(fields.UUID(), metadata={"description": "I bisogni a cui risponde la proposta"})
    needs = fields.List(fields.Nested(NeedRef), metadata={
        "description": "Quei bisogni con area, utenza e comuni (vuoto se la proposta è giunta da un backfill)"})


class ContinuesOut(Schema):
    origin = fields.String()
    intervention_id = fields.UUID()


class LatestProgress(Schema):
    year = fields.Integer()
    quarter = fields.Integer()
    status = fields.String(validate=validate.OneOf(STATUSES))
    percentage = Percent()


class InterventionOut(Schema):
    id = fields.UUID()
    plan_id = fields.UUID()
    code = fields.String()
    title = fields.String()
    description = fields.String()
    nomenclature_code = fields.String()
    area = fields.String()
    target_group = fields.String(validate=validate.OneOf(TARGET_GROUPS))
    leps = fields.List(fields.String())
    kind = fields.String(validate=validate.OneOf(KINDS))
    investment = fields.Boolean()
    comuni = fields.List(fields.String(validate=validate.Regexp(ISTAT)))
    managing_body = fields.UUID(allow_none=True)
    cup = fields.String(allow_none=True)
    continues = fields.Nested(ContinuesOut, allow_none=True)
    proposal_ids = fields.List(fields.UUID())
    proposals = fields.List(fields.Nested(ProposalRef))
    need_ids = fields.List(fields.String(), metadata={"description": "I bisogni a cui rispondono le sue proposte"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date(allow_none=True)
    actual_start = fields.Date(allow_none=True)
    actual_end = fields.Date(allow_none=True)
    progress = fields.Nested(LatestProgress, allow_none=True, metadata={"description": "L'ultimo periodo registrato"})
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class InterventionListQuery(Schema):
    area = fields.String(validate=validate.Length(min=1, max=41))
    kind = fields.String(validate=validate.OneOf(KINDS))
    leps = fields.String(validate=validate.Length(min=1, max=40), metadata={"description": "Interventions covering it"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(validate=validate.Regexp(CURSOR, error="Not a valid cursor."))


class InterventionPage(Schema):
    items = fields.List(fields.Nested(InterventionOut))
    next_cursor = fields.String(allow_none=True)


class ProgressIn(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    quarter = fields.Integer(required=True, validate=validate.Range(min=1, max=4))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    percentage = Percent(required=True)
    outputs = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=100)),
                          values=fields.Raw(metadata={"type": "string", "description": "Numero >= 0, es. \"42\""}),
                          load_default=dict, metadata={"description": "Indicatori di output: nome -> valore, "
                                                                      "es. {\"utenti serviti\": \"42\"}"})
    actual_start = fields.Date(load_default=None, allow_none=True, metadata={"description": "Avvio effettivo"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ProgressOut(Schema):
    intervention_id = fields.UUID()
    year = fields.Integer()
    quarter = fields.Integer()
    period = fields.Function(lambda r: f"{r['year']}-Q{r['quarter']}", metadata={"type": "string"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    percentage = Percent()
    outputs = fields.Dict(keys=fields.String(), values=fields.String())
    actual_start = fields.Date(allow_none=True)
    note = fields.String()
    source = fields.String(validate=validate.OneOf(("api", "upload")))
    revision = fields.Integer(metadata={"description": "1, then + 1 at each correction of the period"})
    recorded_at = fields.DateTime()
    recorded_by = fields.String()


class ProgressList(Schema):
    items = fields.List(fields.Nested(ProgressOut))


class UploadIn(Schema):
    file = Upload(required=True, metadata={"description": "CSV (';', UTF-8) o XLSX: colonne in docs/budget.md"})


class UploadedRow(Schema):
    line = fields.Integer()
    code = fields.String()
    intervention_id = fields.UUID()
    period = fields.String()
    created = fields.Boolean()
    revision = fields.Integer()


class UploadOut(Schema):
    applied = fields.Integer()
    created = fields.Integer()
    replaced = fields.Integer()
    rows = fields.List(fields.Nested(UploadedRow))
