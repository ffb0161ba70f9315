"""Marshmallow schemas of the register replica's HTTP edge."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.consultation.members.domain import (ORGANISATION_TYPES, STATUSES, RevokedOrganisation,
                                                  SharedOrganisation, SuspendedOrganisation,
                                                  UnknownOrganisation, WithdrawnOrganisation)
from services.consultation.text import NFCString

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
REFUSALS = tuple(e.code for e in (UnknownOrganisation, SharedOrganisation, SuspendedOrganisation,
                                  WithdrawnOrganisation, RevokedOrganisation))


class OrganisationOut(Schema):
    id = fields.UUID(metadata={"description": "The organisation's id in the registry (stakeholder_id)"})
    origin = fields.String(metadata={"description": "The Ambito whose register the row comes from (today: this one)"})
    name = fields.String(metadata={"description": "Denominazione"})
    type = fields.String(validate=validate.OneOf(ORGANISATION_TYPES))
    runts_section = fields.String(allow_none=True, metadata={"description": "Sezione RUNTS (a-g) per gli ETS"})
    seat_istat = fields.String(allow_none=True, metadata={"description": "Codice ISTAT del comune della sede"})
    areas = fields.List(fields.String(), metadata={"description": "Aree tematiche (codici regionali)"})
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "Status in the register: active, suspended or withdrawn"})
    version = fields.Integer(metadata={"description": "The register's version of the organisation shown here"})
    as_of = fields.DateTime(metadata={"description": "When the register made that version"})
    may_take_part = fields.Boolean(metadata={
        "description": "Whether it may be invited to tables and contribute now (active, of this Ambito)"})
    not_allowed_because = fields.String(allow_none=True, validate=validate.OneOf(REFUSALS), metadata={
        "description": "Why not, when may_take_part is false"})


class OrganisationListQuery(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    type = fields.String(validate=validate.OneOf(ORGANISATION_TYPES))
    area = fields.String(validate=validate.Length(min=1, max=60), metadata={"description": "A thematic area code"})
    origin = fields.String(validate=[validate.Length(max=63), validate.Regexp(SLUG)],
                           metadata={"description": "Only rows from this Ambito's register"})
    q = NFCString(validate=validate.Length(min=1, max=100), metadata={
        "description": "Part of the name (case-insensitive; % and _ are plain characters)"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    # The shape of shared/http/pagination.py's cursors (CURSOR_RE: unpadded base64url of "s<seq>");
    # empty is the first page, as in the registry's lists.
    after = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_-]{0,27}$", error="Not a valid cursor."),
                          metadata={"description": "Cursor from the previous page's next_cursor"})


class OrganisationPage(Schema):
    items = fields.List(fields.Nested(OrganisationOut))
    next_cursor = fields.String(allow_none=True)
