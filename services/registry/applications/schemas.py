"""Marshmallow schemas of the applications API."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from services.registry.applications.domain import REQUIRED_DECLARATIONS, REVIEW, missing_declarations
from services.registry.stakeholders.schemas import ISTAT_CODE, PERSONAL_TAX_CODE, OrganisationFields
from services.registry.taxcodes import InvalidTaxCode, normalise_personal_code
from services.registry.stakeholders.schemas import check_tax_code
from services.registry.text import NFCString

PHONE = validate.Regexp(r"^\+?[0-9 ]{6,20}$", error="A phone number has 6 to 20 digits, optionally +country.")


class OrganisationIn(OrganisationFields):
    seat_istat = fields.String(required=True, validate=ISTAT_CODE,
                               metadata={"description": "Codice ISTAT del comune della sede"})


class PersonIn(Schema):
    full_name = NFCString(required=True, validate=validate.Length(min=3, max=200))
    tax_code = fields.String(load_default=None, allow_none=True,
                             metadata={"description": "Codice fiscale della persona",
                                       "pattern": PERSONAL_TAX_CODE})
    email = fields.Email(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE)

    @validates("tax_code")
    def _check_code(self, value, **_kwargs):
        if value is not None:
            try:
                normalise_personal_code(value)
            except InvalidTaxCode as exc:
                raise ValidationError(str(exc)) from exc


class ContactIn(PersonIn):
    email = fields.Email(required=True)


class DeclarationsIn(Schema):
    possesso_requisiti = fields.Boolean(required=True)
    assenza_cause_esclusione = fields.Boolean(required=True)
    presa_visione_informativa_privacy = fields.Boolean(required=True)
    note = NFCString(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _all_declared(self, data, **_kwargs):
        # The rule lives in the domain; here it only names each field not declared.
        missing = [name for name in missing_declarations(data) if name in data]
        if missing:
            raise ValidationError({name: ["Must be declared (true)."] for name in missing})


assert set(REQUIRED_DECLARATIONS) <= set(DeclarationsIn().fields)


class ApplicationIn(Schema):
    call_id = fields.UUID(required=True)
    organisation = fields.Nested(OrganisationIn, required=True)
    legal_representative = fields.Nested(PersonIn, required=True)
    contact_person = fields.Nested(ContactIn, required=True)
    areas = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=50))
    declarations = fields.Nested(DeclarationsIn, required=True)


class PersonOut(Schema):
    id = fields.UUID()
    role = fields.String()
    full_name = fields.String()
    tax_code = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class OrganisationOut(Schema):
    name = fields.String(attribute="organisation_name")
    type = fields.String(attribute="organisation_type")
    tax_code = fields.String()
    runts_section = fields.String(allow_none=True)
    runts_number = fields.String(allow_none=True)
    seat_istat = fields.String()


class ApplicationSummary(Schema):
    id = fields.UUID()
    call_id = fields.UUID()
    protocol_number = fields.String(metadata={"description": "Numero di protocollo, anno/progressivo"})
    organisation = fields.Function(lambda row: OrganisationOut().dump(row))
    areas = fields.List(fields.String())
    status = fields.String(metadata={"description": "submitted, admitted or rejected"})
    rejection_reason = fields.String(allow_none=True)
    stakeholder_id = fields.UUID(allow_none=True)
    submitted_by = fields.String(metadata={"description": "The account (token `sub`) that submitted it"})
    submitted_at = fields.DateTime()
    reviewed_at = fields.DateTime(allow_none=True)


class ApplicationOut(ApplicationSummary):
    declarations = fields.Dict()
    people = fields.List(fields.Nested(PersonOut),
                         metadata={"description": "Personal data; every read is recorded in the access log"})


class ApplicationListQuery(Schema):
    call_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(list(REVIEW)))
    tax_code = fields.String(validate=check_tax_code, metadata={
        "description": "The organisation's tax code: every application naming it, whoever submitted it"})
    submitted_by = fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "The submitter's account (token `sub`); a representative sees only its own anyway"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String()


class ApplicationPage(Schema):
    items = fields.List(fields.Nested(ApplicationSummary))
    next_cursor = fields.String(allow_none=True)


class RejectIn(Schema):
    reason = NFCString(required=True, validate=validate.Length(min=5, max=2000),
                           metadata={"description": "Motivazione del rigetto, comunicata all'organizzazione"})
