"""Stakeholder use cases: one transaction each, the connection passed in."""
from __future__ import annotations

import uuid

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.registry.stakeholders import events, store
from services.registry.taxcodes import normalise_tax_code


class DuplicateTaxCode(Exception):
    """A stakeholder with this tax code is already registered in the Ambito."""


class StakeholderNotFound(LookupError):
    pass


class StaleStakeholder(Exception):
    def __init__(self, current_version: int):
        self.current_version = current_version


def _jsonable(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def register_stakeholder(*, conn: psycopg.Connection, tenant: str, by: str, name: str, type: str,
                         tax_code: str, runts_section: str | None = None, runts_number: str | None = None,
                         seat_istat: str | None = None, areas: list[str] | None = None,
                         source: dict | None = None) -> dict:
    """Register an organisation and record its `stakeholder.registered` event.

    `source` ({application_id, protocol_number}) names the application whose admission registers it."""
    try:
        # One transaction for the row, its history and its event: none exists without the others.
        with conn.transaction():
            row = store.insert(conn, id=uuid.uuid4(), name=name.strip(), type=type,
                               tax_code=normalise_tax_code(tax_code), runts_section=runts_section,
                               runts_number=runts_number, seat_istat=seat_istat, areas=list(areas or []))
            values = {k: _jsonable(row[k]) for k in store.EDITABLE}
            if source:
                # Like every change but a direct registration: from/to, from nothing.
                change, changes = "admitted_from_application", {k: {"from": None, "to": v} for k, v in values.items()}
            else:
                change, changes = "registered", values
            store.add_history(conn, stakeholder_id=row["id"], version=row["version"], change=change,
                              changes=changes, changed_by=by, source=source)
            add_event(conn, events.stakeholder_registered(tenant=tenant, stakeholder=row, source=source))
    except psycopg.errors.UniqueViolation as exc:
        raise DuplicateTaxCode(tax_code) from exc
    return row


def _apply(conn, *, tenant: str, by: str, current: dict, changes: dict, change: str,
           source: dict | None = None) -> dict:
    """Write the fields that really differ, with history and event; the row if nothing differs."""
    diff = {k: v for k, v in changes.items() if _jsonable(current[k]) != _jsonable(v)}
    if not diff:
        return current
    row = store.update(conn, current["id"], diff)
    # An admission stays one even when all it does is reactivate: its entry names the application.
    kind = "status_changed" if set(diff) == {"status"} and not source else change
    store.add_history(conn, stakeholder_id=row["id"], version=row["version"], change=kind,
                      changes={k: {"from": _jsonable(current[k]), "to": _jsonable(v)} for k, v in diff.items()},
                      changed_by=by, source=source)
    add_event(conn, events.stakeholder_updated(tenant=tenant, stakeholder=row, changed=list(diff), source=source))
    return row


def update_stakeholder(*, conn: psycopg.Connection, tenant: str, by: str, stakeholder_id: uuid.UUID,
                       version: int, changes: dict) -> dict:
    """Change a stakeholder's data or status, if the client read the current version."""
    with conn.transaction():
        current = store.get(conn, stakeholder_id, for_update=True)
        if current is None:
            raise StakeholderNotFound(stakeholder_id)
        if current["version"] != version:
            raise StaleStakeholder(current["version"])
        return _apply(conn, tenant=tenant, by=by, current=current, changes=changes, change="updated")


def admit_organisation(*, conn: psycopg.Connection, tenant: str, by: str, organisation: dict,
                       areas: list[str], source: dict) -> tuple[dict, bool]:
    """Create the stakeholder an admitted application names, or update it; (row, created).

    `source` is {application_id, protocol_number}: history and event name it. Runs inside the caller's
    transaction (the admission's)."""
    current = store.find_by_tax_code(conn, organisation["tax_code"], for_update=True)
    if current is None:
        return register_stakeholder(conn=conn, tenant=tenant, by=by, areas=areas, source=source,
                                    **organisation), True
    changes = {k: organisation[k] for k in ("name", "type", "runts_section", "runts_number", "seat_istat")}
    changes["areas"] = list(dict.fromkeys(list(current["areas"]) + list(areas)))
    if current["status"] == "withdrawn":
        changes["status"] = "active"  # a new admission brings it back into the network
    return _apply(conn, tenant=tenant, by=by, current=current, changes=changes,
                  change="admitted_from_application", source=source), False


def get_stakeholder(*, conn: psycopg.Connection, stakeholder_id: uuid.UUID) -> dict:
    """One stakeholder."""
    row = store.get(conn, stakeholder_id)
    if row is None:
        raise StakeholderNotFound(stakeholder_id)
    return row


def stakeholder_history(*, conn: psycopg.Connection, stakeholder_id: uuid.UUID, after: str | None = None,
                        limit: int = 50) -> dict:
    """A page of one stakeholder's changes, oldest first, with the cursor of the next page."""
    get_stakeholder(conn=conn, stakeholder_id=stakeholder_id)
    return page(store.history(conn, stakeholder_id, after_id=decode_cursor(after), limit=limit + 1), limit)


def list_stakeholders(*, conn: psycopg.Connection, type: str | None = None, area: str | None = None,
                      status: str | None = None, text: str | None = None, after: str | None = None,
                      limit: int = 50) -> dict:
    """A page of stakeholders in registration order, filtered, with the cursor of the next page."""
    rows = store.page(conn, type=type, area=area, status=status, text=text,
                      after_seq=decode_cursor(after), limit=limit + 1)
    return page(rows, limit)
