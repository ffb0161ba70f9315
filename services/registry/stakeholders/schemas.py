"""Marshmallow schemas of the stakeholder register's HTTP edge."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.registry.stakeholders.domain import RUNTS_SECTIONS, STAKEHOLDER_TYPES, STATUSES
from services.registry.taxcodes import InvalidTaxCode, normalise_tax_code
from services.registry.text import NFCString

ISTAT_CODE = validate.Regexp(r"^[0-9]{6}$", error="An ISTAT comune code has 6 digits.")
# Documentation patterns (OpenAPI): what taxcodes.py accepts, less its leniency (spaces are dropped
# there). The check digit is checked there only: a value matching the pattern may still be a 422.
_OMOCODE = "[0-9LMNPQRSTUVlmnpqrstuv]"
CODICE_FISCALE = (f"[A-Za-z]{{6}}{_OMOCODE}{{2}}[ABCDEHLMPRSTabcdehlmprst]{_OMOCODE}{{2}}"
                  f"[A-Za-z]{_OMOCODE}{{3}}[A-Za-z]")
PERSONAL_TAX_CODE = f"^{CODICE_FISCALE}$"
TAX_CODE = f"^(?:[0-9]{{11}}|{CODICE_FISCALE})$"


def check_tax_code(value: str) -> None:
    try:
        normalise_tax_code(value)
    except InvalidTaxCode as exc:
        raise ValidationError(str(exc)) from exc


def check_runts(data: dict) -> None:
    if data.get("type") == "ets" and not data.get("runts_section"):
        raise ValidationError("required for type 'ets'", field_name="runts_section")


class OrganisationFields(Schema):
    name = NFCString(required=True, validate=validate.Length(min=2, max=300),
                     metadata={"description": "Denominazione dell'organizzazione (salvata in Unicode NFC)"})
    type = fields.String(required=True, validate=validate.OneOf(STAKEHOLDER_TYPES))
    tax_code = fields.String(required=True, metadata={
        "description": "Codice fiscale (16 caratteri) o partita IVA / codice fiscale numerico (11 cifre)",
        "pattern": TAX_CODE})
    runts_section = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(RUNTS_SECTIONS),
                                  metadata={"description": "Sezione RUNTS (a-g) per gli ETS"})
    runts_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=40),
                                 metadata={"description": "Numero di iscrizione al RUNTS"})
    seat_istat = fields.String(load_default=None, allow_none=True, validate=ISTAT_CODE,
                               metadata={"description": "Codice ISTAT del comune della sede"})

    @validates("tax_code")
    def _check_tax_code(self, value, **_kwargs):
        check_tax_code(value)

    @validates_schema
    def _runts_for_ets(self, data, **_kwargs):
        check_runts(data)


class StakeholderIn(OrganisationFields):
    areas = fields.List(fields.String(), load_default=list, validate=validate.Length(max=50),
                        metadata={"description": "Aree tematiche di interesse (codici regionali)"})


class StakeholderPatch(Schema):
    name = NFCString(validate=validate.Length(min=2, max=300))
    type = fields.String(validate=validate.OneOf(STAKEHOLDER_TYPES))
    runts_section = fields.String(allow_none=True, validate=validate.OneOf(RUNTS_SECTIONS))
    runts_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=40))
    seat_istat = fields.String(allow_none=True, validate=ISTAT_CODE)
    areas = fields.List(fields.String(), validate=validate.Length(max=50))
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "active, suspended or withdrawn"})


class StakeholderOut(Schema):
    id = fields.UUID()
    name = fields.String()
    type = fields.String()
    tax_code = fields.String()
    runts_section = fields.String(allow_none=True)
    runts_number = fields.String(allow_none=True)
    seat_istat = fields.String(allow_none=True)
    areas = fields.List(fields.String())
    status = fields.String()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class StakeholderListQuery(Schema):
    type = fields.String(validate=validate.OneOf(STAKEHOLDER_TYPES))
    area = fields.String(validate=validate.Length(max=60))
    status = fields.String(validate=validate.OneOf(STATUSES))
    q = NFCString(validate=validate.Length(min=1, max=100), metadata={
        "description": "Text search: part of the name (case-insensitive; % and _ are plain characters),"
                       " or the exact tax code"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(metadata={"description": "Cursor from the previous page's next_cursor"})


class StakeholderPage(Schema):
    items = fields.List(fields.Nested(StakeholderOut))
    next_cursor = fields.String(allow_none=True)


HISTORY_CHANGES = ("registered", "updated", "status_changed", "admitted_from_application")


class HistoryEntry(Schema):
    version = fields.Integer()
    change = fields.String(validate=validate.OneOf(HISTORY_CHANGES), metadata={
        "description": "registered (directly, POST /stakeholders), updated, status_changed, or"
                       " admitted_from_application (application_id and protocol_number name the application)"})
    changes = fields.Dict(metadata={"description": "registered: the values; every other change: {field: {from, to}},"
                                                   " from null when the admission created the record"})
    changed_by = fields.String()
    changed_at = fields.DateTime()
    application_id = fields.UUID(allow_none=True, metadata={"description": "The admitted application, if any"})
    protocol_number = fields.String(allow_none=True, metadata={"description": "Its protocol number, if any"})


class HistoryQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(metadata={"description": "Cursor from the previous page's next_cursor"})


class HistoryPage(Schema):
    items = fields.List(fields.Nested(HistoryEntry))
    next_cursor = fields.String(allow_none=True)
