"""Need use cases: one transaction each, the connection passed in."""
from __future__ import annotations

import uuid

import psycopg

from shared.outbox.store import add_event

from services.consultation.contributions import domain, events, needs_store, participation, store
from services.consultation.shared_replicas import store as replicas
from services.consultation.tables import access
from services.consultation.tables.access import Caller

EDITABLE = ("title", "description", "area", "target_group", "comuni", "evidence", "session_id")


class NeedNotFound(LookupError):
    """No need with this id in the Ambito."""


class StaleNeed(Exception):
    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def _checked(conn, *, tenant: str, area_codes, values: dict, table_id) -> dict:
    """The values a need may hold: the region's area, a listed target group, comuni of the Ambito, a session
    of its table."""
    checked = dict(values)
    if values.get("session_id") is not None and store.session_table(conn, values["session_id"]) != table_id:
        raise domain.InvalidField("session_id", "no such session of this table")
    if "area" in values:
        checked["area"] = domain.check_area(values["area"], area_codes)
    if "target_group" in values:
        checked["target_group"] = domain.check_target_group(values["target_group"])
    if "comuni" in values:
        checked["comuni"] = domain.check_comuni(values["comuni"], store.ambito_comuni(conn, tenant))
    return checked


def record_need(*, conn: psycopg.Connection, tenant: str, caller: Caller, area_codes, table_id: uuid.UUID,
                organisation_id: uuid.UUID, on_behalf: bool, title: str, description: str, area: str,
                target_group: str, comuni: list[str], evidence: str, session_id: uuid.UUID | None) -> dict:
    """Record a need raised by a member organisation at a table (by its representative, or the office on its behalf)."""
    with conn.transaction():
        role = participation.recorder_role(conn, tenant=tenant, caller=caller, table_id=table_id,
                                           organisation_id=organisation_id, on_behalf=on_behalf)
        values = _checked(conn, tenant=tenant, area_codes=area_codes, table_id=table_id, values={
            "title": title, "description": description, "area": area, "target_group": target_group,
            "comuni": comuni, "evidence": evidence, "session_id": session_id})
        need = needs_store.insert(conn, id=uuid.uuid4(), table_id=table_id, organisation_id=organisation_id,
                                  on_behalf=on_behalf, recorded_by=caller.subject, recorded_by_role=role, **values)
        add_event(conn, events.need_event(events.NEED_RECORDED, tenant=tenant, need=need))
    return need


def get_need(*, conn: psycopg.Connection, need_id: uuid.UUID) -> dict:
    """One need: the Ambito's own, or a replica of a former Ambito's (with its origin)."""
    need = needs_store.get(conn, need_id) or replicas.need(conn, need_id)
    if need is None:
        raise NeedNotFound(need_id)
    return need


def list_needs(*, conn: psycopg.Connection, filters: dict, after_seq: int, limit: int,
               tenant: str | None = None) -> list[dict]:
    """Needs after `after_seq` in recording order, filtered (at most `limit` rows); with `tenant`, the
    replicas of the former Ambiti's too, in the same order (filter `origin`)."""
    if tenant is None:
        return needs_store.page(conn, filters=filters, after_seq=after_seq, limit=limit)
    return replicas.needs_page(conn, own_columns=needs_store.COLUMNS, tenant=tenant, filters=filters,
                               after_seq=after_seq, limit=limit)


def _locked(conn, need_id, version: int) -> dict:
    need = needs_store.get(conn, need_id, for_update=True)
    if need is None:
        replicas.ensure_not_replica(conn, "needs", need_id)  # a former Ambito's: 409 naming it, not 404
        raise NeedNotFound(need_id)
    if need["version"] != version:
        raise StaleNeed(need["version"])
    return need


def edit_need(*, conn: psycopg.Connection, tenant: str, caller: Caller, area_codes, need_id: uuid.UUID,
              version: int, changes: dict) -> dict:
    """Change an open need: its organisation's representatives at the table, or the office."""
    with conn.transaction():
        need = _locked(conn, need_id, version)
        role = participation.editor_role(conn, tenant=tenant, caller=caller, table_id=need["table_id"],
                                         organisation_id=need["organisation_id"])
        domain.check_need_editable(need["status"])
        changes = _checked(conn, tenant=tenant, area_codes=area_codes, table_id=need["table_id"],
                           values={k: v for k, v in changes.items() if k in EDITABLE})
        changed = [k for k in EDITABLE if k in changes and changes[k] != need[k]]
        need = needs_store.update(conn, need_id, updated_by=caller.subject, **changes)
        add_event(conn, events.need_event(events.NEED_UPDATED, tenant=tenant, need=need, changed=changed,
                                          changed_by_role=role))
    return need


def close_need(*, conn: psycopg.Connection, tenant: str, caller: Caller, need_id: uuid.UUID, version: int) -> dict:
    """Freeze a need (no more edits; proposals may still answer it): the office only."""
    with conn.transaction():
        need = _locked(conn, need_id, version)
        table = store.get_table(conn, need["table_id"])
        access.ensure_manages(caller, table)
        domain.check_need_closable(need["status"])
        need = needs_store.update(conn, need_id, status=domain.CLOSED, updated_by=caller.subject,
                                  closed_at=_now(conn))
        role = domain.OPERATOR if domain.OPERATOR in caller.roles else domain.COORDINATOR
        add_event(conn, events.need_event(events.NEED_UPDATED, tenant=tenant, need=need, changed=["status"],
                                          changed_by_role=role))
    return need


def _now(conn):
    """The transaction's time, as updated_at gets it."""
    return conn.execute("SELECT now()").fetchone()[0]
