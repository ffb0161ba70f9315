"""Marshmallow schemas of the accepted proposals' HTTP edge."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.http.money_field import Amount

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CURSOR = r"^[A-Za-z0-9_-]{0,27}$"
# The L. 328/2000 target groups (aree di utenza), as consultation's events name them.
TARGET_GROUPS = ("minori", "giovani_famiglia", "anziani", "dipendenze", "salute_mentale", "disabilita",
                 "immigrazione", "poverta_emarginazione", "popolazione_generale")


class NeedOut(Schema):
    need_id = fields.UUID()
    area = fields.String(metadata={"description": "Codice dell'area tematica della regione"})
    target_group = fields.String(metadata={"description": "Area di utenza (L. 328/2000)"})
    comuni = fields.List(fields.String(), metadata={"description": "Codici ISTAT dei comuni interessati"})


class ProposalOut(Schema):
    id = fields.UUID(metadata={"description": "The proposal's id in consultation"})
    origin = fields.String(metadata={
        "description": "The Ambito whose consultation accepted it: this one, or a former Ambito that shares its"
                       " proposals with it"})
    table_id = fields.UUID(metadata={"description": "Il tavolo tematico che l'ha discussa"})
    organisation_id = fields.UUID(allow_none=True, metadata={"description": "L'organizzazione proponente"})
    title = fields.String()
    status = fields.String(metadata={"description": "Always accepted (only accepted proposals are kept)"})
    areas = fields.List(fields.String(), metadata={"description": "Aree tematiche dei bisogni cui risponde"})
    target_groups = fields.List(fields.String(), metadata={"description": "Aree di utenza"})
    comuni = fields.List(fields.String(), metadata={"description": "Codici ISTAT dei comuni"})
    need_ids = fields.List(fields.UUID(), metadata={"description": "I bisogni cui risponde"})
    needs = fields.List(fields.Nested(NeedOut), metadata={
        "description": "Those needs with area, target group and comuni (empty when only a backfill's snapshot"
                       " has arrived: it carries the ids only)"})
    estimated_cost = Amount(allow_none=True, metadata={"description": "Costo stimato dal proponente, in euro"})
    decided_at = fields.DateTime(allow_none=True, metadata={"description": "Quando l'Ufficio di Piano l'ha accolta"})
    version = fields.Integer(metadata={"description": "Consultation's version of the proposal shown here"})


class ProposalListQuery(Schema):
    origin = fields.String(validate=[validate.Length(max=63), validate.Regexp(SLUG)],
                           metadata={"description": "Only proposals accepted in this Ambito"})
    area = fields.String(validate=validate.Length(min=1, max=60),
                         metadata={"description": "Only those answering a need of this thematic area"})
    target_group = fields.String(validate=validate.OneOf(TARGET_GROUPS),
                                 metadata={"description": "Only those for this target group"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(validate=validate.Regexp(CURSOR, error="Not a valid cursor."),
                          metadata={"description": "Cursor from the previous page's next_cursor"})


class ProposalPage(Schema):
    items = fields.List(fields.Nested(ProposalOut))
    next_cursor = fields.String(allow_none=True)
