"""Marshmallow schemas of the tables' and memberships' HTTP edge."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.consultation.tables.domain import KINDS, MAX_AREAS, MEMBER_STATES, MEMBERSHIPS, TABLE_STATUSES
from services.consultation.text import NFCString

# An account is a token subject (the identity provider's `sub`): opaque text, never a person's name here.
# Something to read, not only spaces (a title is stored trimmed; an account is an identity provider's `sub`).
NOT_BLANK = validate.Regexp(r"\s*\S", error="Must not be blank.")


def account(**kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=200), NOT_BLANK], **kwargs)


def area(**kwargs) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=60), **kwargs)


# The shape of shared/http/pagination.py's cursors; empty is the first page.
CURSOR = dict(validate=validate.Regexp(r"^[A-Za-z0-9_-]{0,27}$", error="Not a valid cursor."),
              metadata={"description": "Cursor from the previous page's next_cursor"})


class TableIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "thematic (tavolo tematico), plenary (sessione plenaria) or standing (tavolo permanente)"})
    title = NFCString(required=True, validate=[validate.Length(min=3, max=300), NOT_BLANK],
                      metadata={"description": "Titolo"})
    description = NFCString(load_default="", validate=validate.Length(max=20000),
                            metadata={"description": "Descrizione: temi e obiettivi del tavolo"})
    areas = fields.List(area(), load_default=list, validate=validate.Length(max=MAX_AREAS), metadata={
        "description": "Codici delle aree tematiche della regione; almeno una, tranne per la plenaria"})
    coordinator = account(load_default=None, allow_none=True, metadata={
        "description": "Account (token subject) of the coordinator, named by the Ufficio di Piano; it needs the"
                       " coordinator role in this Ambito to act"})
    membership = fields.String(load_default="closed", validate=validate.OneOf(MEMBERSHIPS), metadata={
        "description": "open: representatives may ask to join, the coordinator admits; closed: the office adds"})


class TablePatch(Schema):
    """What may change: the coordinator of the table only the description, the office all of it but the kind."""

    title = NFCString(validate=[validate.Length(min=3, max=300), NOT_BLANK])
    description = NFCString(validate=validate.Length(max=20000))
    areas = fields.List(area(), validate=validate.Length(max=MAX_AREAS))
    coordinator = account(allow_none=True)
    membership = fields.String(validate=validate.OneOf(MEMBERSHIPS))


class TableOut(Schema):
    id = fields.UUID()
    kind = fields.String(validate=validate.OneOf(KINDS))
    title = fields.String()
    description = fields.String()
    areas = fields.List(fields.String())
    coordinator = fields.String(allow_none=True)
    membership = fields.String(validate=validate.OneOf(MEMBERSHIPS))
    status = fields.String(validate=validate.OneOf(TABLE_STATUSES), metadata={"description": "active or closed"})
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    origin = fields.String(metadata={"description": "The Ambito the record belongs to: this one's slug, or a former "
                                                    "Ambito's that shares it (a read-only replica)"})


class TableListQuery(Schema):
    origin = fields.String(validate=validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$"), metadata={
        "description": "Only the records of this Ambito: this one's slug, or a former Ambito's"})
    kind = fields.String(validate=validate.OneOf(KINDS))
    area = area(metadata={"description": "A thematic area code"})
    status = fields.String(validate=validate.OneOf(TABLE_STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(**CURSOR)


class TablePage(Schema):
    items = fields.List(fields.Nested(TableOut))
    next_cursor = fields.String(allow_none=True)


class MemberIn(Schema):
    organisation_id = fields.UUID(required=True, metadata={"description": "The organisation's id (GET /organisations)"})
    accounts = fields.List(account(), load_default=list, validate=validate.Length(max=20), metadata={
        "description": "Accounts (token subjects) that act for the organisation at this table"})


class JoinRequestIn(Schema):
    organisation_id = fields.UUID(required=True, metadata={
        "description": "The organisation the caller represents; the caller's account is the one named"})


class AccountsPatch(Schema):
    accounts = fields.List(account(), required=True, validate=validate.Length(max=20))


class MemberOut(Schema):
    id = fields.UUID()
    table_id = fields.UUID()
    organisation_id = fields.UUID()
    organisation_name = fields.String()
    organisation_status = fields.String(metadata={"description": "Its status in the register now"})
    state = fields.String(validate=validate.OneOf(MEMBER_STATES), metadata={
        "description": "requested, member, suspended (paused by the register), ended (by a withdrawal), left"
                       " (removed) or refused"})
    accounts = fields.List(fields.String(), allow_none=True, metadata={
        "description": "Shown to the office and to the member's own representatives; null to everyone else"})
    added_by = fields.String(allow_none=True)
    joined_at = fields.DateTime()
    left_at = fields.DateTime(allow_none=True)
    ended_by = fields.String(allow_none=True)
    version = fields.Integer()
    origin = fields.String(metadata={"description": "This Ambito's slug, or the former Ambito whose table it is (a"
                                                    " read-only replica: no accounts, no dates, state as its owner"
                                                    " said)"})


class MemberListQuery(Schema):
    state = fields.String(validate=validate.OneOf(MEMBER_STATES))
    organisation_id = fields.UUID()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(**CURSOR)


class MemberPage(Schema):
    items = fields.List(fields.Nested(MemberOut))
    next_cursor = fields.String(allow_none=True)


class EveryoneOut(Schema):
    added = fields.List(fields.Nested(MemberOut), metadata={
        "description": "The memberships this call made (state member, no accounts yet: PATCH each to name them)"})
    already_members = fields.List(fields.UUID(), metadata={
        "description": "Organisations that already held a place (a member, or asking to join): unchanged"})
