"""Use cases of the map of services (mappatura dell'offerta): one transaction each, the connection passed in."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event
from shared.territory import store as territory

from services.consultation.members import domain as members
from services.consultation.members import store as register
from services.consultation.offer import domain, events, store
from services.consultation.offer.summary import summarise
from services.consultation.shared_replicas import offer as shared_offer
from services.consultation.shared_replicas import store as replicas
from services.consultation.tables.access import OPERATOR, Caller, NotAllowed
from services.consultation.targets import TARGET_GROUPS

ROME = ZoneInfo("Europe/Rome")
# What a change names in the updated event's `changed`: the API's field names.
_CHANGED_AS = {"capacity_amount": "capacity", "capacity_unit": "capacity", "contact_phone": "contacts",
               "contact_email": "contacts", "contact_website": "contacts"}


class OfferNotFound(LookupError):
    """No entry with this id in the Ambito's map."""


class StaleOffer(Exception):
    """The entry changed since the caller read it."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def today() -> date:
    """The date in Italy now (accreditation dates are Italian calendar days)."""
    return datetime.now(ROME).date()


def present(row: dict) -> dict:
    """The row as the API shows it: nested capacity, contacts and organisation, and whether it is current."""
    capacity = None if row["capacity_unit"] is None else {"amount": row["capacity_amount"],
                                                           "unit": row["capacity_unit"]}
    return {**row, "capacity": capacity,
            "contacts": {"phone": row["contact_phone"], "email": row["contact_email"],
                         "website": row["contact_website"]},
            "organisation": {"id": row["organisation_id"], "name": row["organisation_name"],
                             "status": row["organisation_status"]},
            "current": domain.is_current(status=row["status"], organisation_status=row["organisation_status"])}


def _comuni(conn, tenant: str) -> list[str] | None:
    """The Ambito's comuni now, or None until its profile has reached consultation."""
    if territory.profile(conn, tenant) is None:
        return None
    return [c["istat_code"] for c in territory.comuni(conn, tenant)]


def _check(conn, entry: dict, *, tenant: str, area_codes) -> None:
    domain.check_entry({name: entry.get(name) for name in store.FIELDS}, area_codes=area_codes,
                       comuni=_comuni(conn, tenant), today=today())


def _ensure_represents(conn, caller: Caller, organisation: dict) -> None:
    """A representative acts for the organisation through a table membership in force, or NotAllowed."""
    organisation_id = organisation["id"]
    memberships = store.memberships(conn, organisation_id, caller.subject)
    if not domain.represents(caller, organisation_id, memberships=memberships,
                             history=register.status_history(conn, organisation_id),
                             status=organisation["status"]):
        raise NotAllowed("you do not represent this organisation at any table")


def add_offer(*, conn: psycopg.Connection, tenant: str, caller: Caller, area_codes, organisation_id: uuid.UUID,
              shared_registers=frozenset(), **fields) -> dict:
    """Record a service an organisation that may take part now offers (the office for any, a representative for its own)."""
    fields["comuni"] = list(dict.fromkeys(fields["comuni"]))
    with conn.transaction():
        organisation = register.get(conn, organisation_id)
        # A former Ambito's organisation takes part when its register is shared with this Ambito (issue 9).
        members.ensure_may_contribute(organisation, tenant=tenant, shared_registers=shared_registers)
        office = OPERATOR in caller.roles
        if not office:
            _ensure_represents(conn, caller, organisation)
        _check(conn, fields, tenant=tenant, area_codes=area_codes)
        offer = store.insert(conn, id=uuid.uuid4(), organisation_id=organisation_id, recorded_by_office=office,
                             by=caller.subject, **fields)
        add_event(conn, events.offer_event(events.OFFER_ADDED, tenant=tenant, offer=offer))
    return present(offer)


def get_offer(*, conn: psycopg.Connection, offer_id: uuid.UUID) -> dict:
    """One entry of the map: the Ambito's own, or a former Ambito's replica (with its origin)."""
    offer = store.get(conn, offer_id) or shared_offer.get(conn, offer_id)
    if offer is None:
        raise OfferNotFound(offer_id)
    return present(offer)


def _locked(conn, caller: Caller, offer_id, version: int) -> dict:
    """The entry locked for a change the caller may make at the version it read."""
    offer = store.get(conn, offer_id, for_update=True)
    if offer is None:
        replicas.ensure_not_replica(conn, "offer", offer_id)  # a former Ambito's: 409 naming it, not 404
        raise OfferNotFound(offer_id)
    if OPERATOR not in caller.roles:
        _ensure_represents(conn, caller, {"id": offer["organisation_id"], "status": offer["organisation_status"]})
    if offer["version"] != version:
        raise StaleOffer(offer["version"])
    domain.ensure_changeable(offer)
    return offer


def edit_offer(*, conn: psycopg.Connection, tenant: str, caller: Caller, area_codes, offer_id: uuid.UUID,
               version: int, changes: dict) -> dict:
    """Change an entry (the whole entry is checked again); a change that changes nothing writes nothing."""
    if "comuni" in changes:
        changes["comuni"] = list(dict.fromkeys(changes["comuni"]))
    with conn.transaction():
        offer = _locked(conn, caller, offer_id, version)
        changes = {name: value for name, value in changes.items() if offer[name] != value}
        if not changes:
            return present(offer)
        _check(conn, {**offer, **changes}, tenant=tenant, area_codes=area_codes)
        offer = store.update(conn, offer_id, by=caller.subject, changes=changes)
        changed = sorted({_CHANGED_AS.get(name, name) for name in changes})
        add_event(conn, events.offer_event(events.OFFER_UPDATED, tenant=tenant, offer=offer, changed=changed))
    return present(offer)


def retire_offer(*, conn: psycopg.Connection, tenant: str, caller: Caller, offer_id: uuid.UUID, version: int,
                 reason: str | None) -> dict:
    """Take an entry out of the current map for good (it stays, marked retired)."""
    with conn.transaction():
        _locked(conn, caller, offer_id, version)
        fields = domain.personal_code_fields({"reason": reason})
        if fields:
            raise domain.InvalidOffer([(f, "A person's codice fiscale is personal data.") for f in fields])
        offer = store.retire(conn, offer_id, by=caller.subject, reason=reason)
        add_event(conn, events.offer_event(events.OFFER_RETIRED, tenant=tenant, offer=offer))
    return present(offer)


def _filters(area=None, target_group=None, comune=None, organisation_id=None, accredited=None,
             current=True) -> dict:
    """Every filter the queries take (None: any), the current map by default."""
    return {"area": area, "target_group": target_group, "comune": comune, "organisation_id": organisation_id,
            "accredited": accredited, "current": current}


def list_offers(*, conn: psycopg.Connection, after: str | None = None, limit: int = 50, tenant: str | None = None,
                origin: str | None = None, **filters) -> dict:
    """A page of the map in recording order, filtered (area, target_group, comune, organisation_id, accredited,
    current), with the cursor of the next page; with `tenant`, the former Ambiti's entries too (filter `origin`)."""
    if tenant is None:
        rows = store.page(conn, after_seq=decode_cursor(after), limit=limit + 1, **_filters(**filters))
    else:
        rows = shared_offer.page(conn, own_columns=store.COLUMNS, own_from=store.FROM, own_filters=store.FILTERS,
                                 tenant=tenant, origin=origin, after_seq=decode_cursor(after), limit=limit + 1,
                                 **_filters(**filters))
    found = page(rows, limit)
    found["items"] = [present(row) for row in found["items"]]
    return found


def summary(*, conn: psycopg.Connection, tenant: str, areas: dict[str, str], **filters) -> dict:
    """Counts and capacity by area x target group and by comune, with the Italian names people read.

    `areas`: the region's thematic areas, code -> name, in order; `filters` as list_offers' (the current
    map by default). The community profile's document uses it as the API does."""
    comuni = {c["istat_code"]: c["name"] for c in territory.comuni(conn, tenant)}
    figures = summarise(store.figures(conn, **_filters(**filters)), area_order=list(areas),
                        comune_order=list(comuni))
    for row in figures["by_area_target"]:
        row["area_name"] = areas.get(row["area"])
        row["target_group_name"] = TARGET_GROUPS.get(row["target_group"])
    for row in figures["by_comune"]:
        row["name"] = comuni.get(row["istat_code"])
    return figures
