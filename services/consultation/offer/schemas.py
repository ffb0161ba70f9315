"""Marshmallow schemas of the map of services' HTTP edge (flat rows inside, nested objects outside)."""
from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, post_load, validate

from services.consultation.offer.domain import CAPACITY_UNITS, STATUSES, TIME_RE, WEEKDAYS
from services.consultation.targets import CODES as TARGET_CODES
from services.consultation.text import NFCString

ISTAT_CODE = validate.Regexp(r"^[0-9]{6}$", error="An ISTAT comune code has 6 digits.")
PHONE = validate.Regexp(r"^\+?[0-9 ]{6,20}$", error="A phone number has 6 to 20 digits, optionally +country.")
TIME = validate.Regexp(TIME_RE, error="A time HH:MM (00:00 to 24:00).")
CURSOR = validate.Regexp(r"^[A-Za-z0-9_-]{0,27}$", error="Not a valid cursor.")


class OfferCapacityIn(Schema):
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000_000))
    unit = fields.String(required=True, validate=validate.OneOf(list(CAPACITY_UNITS)), metadata={
        "description": "posti, utenti-anno (utenti/anno), ore-settimana, accessi-anno, nuclei-anno, pasti-giorno"})


class OfferOpeningRange(Schema):
    day_from = fields.String(required=True, validate=validate.OneOf(WEEKDAYS), metadata={"description": "lun … dom"})
    day_to = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(WEEKDAYS),
                           metadata={"description": "Ultimo giorno dell'intervallo (lun … dom); assente: day_from"})
    opens = fields.String(required=True, validate=TIME, metadata={"description": "Apertura HH:MM (ora di Roma)"})
    closes = fields.String(required=True, validate=TIME, metadata={"description": "Chiusura HH:MM, fino a 24:00"})

    @post_load
    def _one_day(self, data, **_kwargs):
        return {**data, "day_to": data.get("day_to") or data["day_from"]}


class OfferContacts(Schema):
    """The service's own office contacts: never a person's."""

    phone = fields.String(load_default=None, allow_none=True, validate=PHONE,
                          metadata={"description": "Telefono dell'ufficio o del servizio"})
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254),
                         metadata={"description": "Casella dell'ufficio o del servizio (non personale)"})
    website = fields.URL(load_default=None, allow_none=True, schemes={"http", "https"},
                         validate=validate.Length(max=500))


def _offer_fields(create: bool) -> dict:
    """The entry's fields: on create with their defaults, on PATCH all optional and with none."""
    def opt(field_class, default, *args, **kwargs):
        return field_class(*args, load_default=default, **kwargs) if create else field_class(*args, **kwargs)
    return {
        "name": NFCString(required=create, validate=validate.Length(min=3, max=300),
                          metadata={"description": "Denominazione del servizio"}),
        "description": opt(NFCString, "", validate=validate.Length(max=10_000)),
        "area": fields.String(required=create, validate=validate.Length(min=1, max=60),
                              metadata={"description": "Codice dell'area tematica della regione"}),
        "target_group": fields.String(required=create, validate=validate.OneOf(TARGET_CODES),
                                      metadata={"description": "Destinatari (area di utenza)"}),
        "comuni": fields.List(fields.String(validate=ISTAT_CODE), required=create,
                              validate=validate.Length(min=1, max=500),
                              metadata={"description": "Codici ISTAT dei comuni serviti"}),
        "capacity": opt(fields.Nested, None, OfferCapacityIn, allow_none=True,
                        metadata={"description": "Capacità: quantità e unità; null se non si misura"}),
        "opening_hours": opt(fields.List, list, fields.Nested(OfferOpeningRange), validate=validate.Length(max=28),
                             metadata={"description": "Orari di apertura per giorni della settimana"}),
        "opening_notes": opt(NFCString, "", validate=validate.Length(max=1000),
                             metadata={"description": "Note sugli orari (es. su appuntamento, chiuso ad agosto)"}),
        "accredited": opt(fields.Boolean, False, metadata={"description": "Servizio accreditato"}),
        "accredited_by": opt(NFCString, None, allow_none=True, validate=validate.Length(min=2, max=300),
                             metadata={"description": "Ente che ha accreditato il servizio"}),
        "accredited_since": opt(fields.Date, None, allow_none=True,
                                validate=validate.Range(min=date(1900, 1, 1), max=date(9999, 12, 31)),
                                metadata={"description": "Data dell'accreditamento"}),
        "contacts": opt(fields.Nested, None, OfferContacts, allow_none=True),
        "address": opt(NFCString, None, allow_none=True, validate=validate.Length(max=300),
                       metadata={"description": "Indirizzo della sede del servizio"}),
    }


class _Flat(Schema):
    """Capacity and contacts as the store's columns."""

    @post_load
    def _flatten(self, data, **_kwargs):
        if "capacity" in data:
            capacity = data.pop("capacity") or {}
            data["capacity_amount"], data["capacity_unit"] = capacity.get("amount"), capacity.get("unit")
        if "contacts" in data:
            contacts = data.pop("contacts") or {}
            for name in ("phone", "email", "website"):
                data[f"contact_{name}"] = contacts.get(name)
        return data


OfferPatch = type("OfferPatch", (_Flat,), _offer_fields(create=False))
OfferIn = type("OfferIn", (_Flat,), {**_offer_fields(create=True), "organisation_id": fields.UUID(
    required=True, metadata={"description": "L'organizzazione che offre il servizio (id del registro)"})})


class OfferRetireIn(Schema):
    reason = NFCString(load_default=None, allow_none=True, validate=validate.Length(max=1000),
                       metadata={"description": "Perché il servizio esce dalla mappa (es. chiuso)"})


class OfferCapacityOut(Schema):
    amount = fields.Integer()
    unit = fields.String(validate=validate.OneOf(list(CAPACITY_UNITS)))


class OfferOrganisation(Schema):
    id = fields.UUID()
    name = fields.String(allow_none=True, metadata={
        "description": "Null for a former Ambito's entry whose register is not shared with this Ambito"})
    status = fields.String(allow_none=True, metadata={"description": "Status in the register: active, suspended or "
                                                                     "withdrawn (null as the name)"})


class OfferOut(Schema):
    id = fields.UUID()
    organisation = fields.Nested(OfferOrganisation)
    name = fields.String()
    description = fields.String()
    area = fields.String()
    target_group = fields.String(validate=validate.OneOf(TARGET_CODES))
    comuni = fields.List(fields.String())
    capacity = fields.Nested(OfferCapacityOut, allow_none=True)
    opening_hours = fields.List(fields.Nested(OfferOpeningRange))
    opening_notes = fields.String()
    accredited = fields.Boolean()
    accredited_by = fields.String(allow_none=True)
    accredited_since = fields.Date(allow_none=True)
    contacts = fields.Nested(OfferContacts)
    address = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"description": "active or retired"})
    current = fields.Boolean(metadata={"description": "In the current map: active, organisation not withdrawn"})
    retired_at = fields.DateTime(allow_none=True)
    retired_reason = fields.String(allow_none=True)
    recorded_by_office = fields.Boolean(metadata={"description": "Recorded by the Ufficio di Piano for the organisation"})
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    origin = fields.String(metadata={"description": "The Ambito the entry belongs to: this one's slug, or a former "
                                                    "Ambito's that shares it (a read-only replica)"})


class OfferListQuery(Schema):
    area = fields.String(validate=validate.Length(min=1, max=60), metadata={"description": "A thematic area code"})
    target_group = fields.String(validate=validate.OneOf(TARGET_CODES))
    comune = fields.String(validate=ISTAT_CODE, metadata={"description": "Only services serving this comune"})
    organisation_id = fields.UUID()
    accredited = fields.Boolean()
    current = fields.Boolean(load_default=True, metadata={
        "description": "true (default): the current map; false: retired entries and withdrawn organisations' too"})


class OfferPageQuery(OfferListQuery):
    origin = fields.String(validate=validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$"), metadata={
        "description": "Only the entries of this Ambito: this one's slug, or a former Ambito's"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(validate=CURSOR, metadata={"description": "Cursor from the previous page's next_cursor"})


class OfferPage(Schema):
    items = fields.List(fields.Nested(OfferOut))
    next_cursor = fields.String(allow_none=True)


class OfferFigure(Schema):
    services = fields.Integer(metadata={"description": "Numero di servizi"})
    capacity = fields.List(fields.Nested(OfferCapacityOut), metadata={"description": "Capacità totale per unità"})


class OfferAreaTargetFigure(OfferFigure):
    area = fields.String()
    area_name = fields.String(allow_none=True)
    target_group = fields.String()
    target_group_name = fields.String(allow_none=True)


class OfferComuneFigure(OfferFigure):
    istat_code = fields.String()
    name = fields.String(allow_none=True, metadata={"description": "Null if the profile does not list it (now)"})


class OfferSummaryOut(OfferFigure):
    by_area_target = fields.List(fields.Nested(OfferAreaTargetFigure))
    by_comune = fields.List(fields.Nested(OfferComuneFigure), metadata={
        "description": "A service serving several comuni counts in each: these rows do not add up to the totals"})
