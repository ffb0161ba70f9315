"""Marshmallow schemas at the profile's HTTP edge."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.registry.text import NFCString

ISTAT_CODE = validate.Regexp(r"^[0-9]{6}$", error="Must be a 6-digit ISTAT comune code.")


class Text(NFCString):
    """An NFC string trimmed of surrounding spaces; blank counts as absent where null is allowed."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        return None if not text and self.allow_none else text

    def _validate(self, value):
        # A blank that became None is absent: length and other validators apply to text only.
        if value is not None:
            super()._validate(value)


class ComuneIn(Schema):
    # Only the code: name and province come from the ISTAT list, never from the client.
    istat_code = fields.String(required=True, validate=ISTAT_CODE,
                               metadata={"description": "Codice ISTAT del comune (6 cifre), e.g. 076042"})
    # At most what the int column holds (2^31 - 1): more is a 422, not an overflow in the database.
    population = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=2_147_483_647),
                                metadata={"description": "Popolazione residente"})
    population_date = fields.Date(required=True, metadata={
        "description": "Data di riferimento della popolazione (e.g. 2025-01-01, ISTAT)"})


class ProfileIn(Schema):
    name = Text(required=True, validate=validate.Length(min=2, max=300),
                metadata={"description": "Denominazione dell'Ambito"})
    region = Text(load_default=None, allow_none=True, metadata={
        "description": "Slug della regione: quello del catalogo dei tenant (default)"})
    comuni = fields.List(fields.Nested(ComuneIn), required=True,
                         validate=validate.Length(min=1, max=1000))
    capofila_istat = fields.String(required=True, validate=ISTAT_CODE,
                                   metadata={"description": "Codice ISTAT del comune capofila, uno dei comuni"})
    ente_gestore = Text(load_default=None, allow_none=True, validate=validate.Length(max=300),
                        metadata={"description": "Ente gestore, e.g. Consorzio CIISAF"})
    asl_district = Text(load_default=None, allow_none=True, validate=validate.Length(max=300),
                        metadata={"description": "ASL / distretto sanitario"})


class ComuneOut(Schema):
    istat_code = fields.String()
    name = fields.String(metadata={"description": "Denominazione ISTAT"})
    province = fields.String(metadata={"description": "Sigla automobilistica della provincia"})
    population = fields.Integer()
    population_date = fields.Date()


class ProfileOut(Schema):
    name = fields.String()
    region = fields.String()
    comuni = fields.List(fields.Nested(ComuneOut))
    total_population = fields.Integer(metadata={"description": "Somma della popolazione dei comuni"})
    capofila_istat = fields.String()
    ente_gestore = fields.String(allow_none=True)
    asl_district = fields.String(allow_none=True)
    version = fields.Integer(metadata={"description": "Also the ETag: send it back in If-Match"})
    updated_at = fields.DateTime()


class AreaOut(Schema):
    code = fields.String()
    name = fields.String()


class AreasOut(Schema):
    region = fields.String()
    name = fields.String()
    areas = fields.List(fields.Nested(AreaOut))
