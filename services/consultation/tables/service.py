"""Table use cases: one transaction each, the connection passed in, the event in the same transaction."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.consultation.shared_replicas import store as replicas
from services.consultation.tables import domain, events, store
from services.consultation.tables.access import OPERATOR, Caller, NotAllowed, manages


class TableNotFound(LookupError):
    """No table with this id in the Ambito."""


class StaleTable(Exception):
    """The table changed since the caller read it."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def create_table(*, conn: psycopg.Connection, tenant: str, by: str, kind: str, title: str, description: str,
                 areas: list[str], coordinator: str | None, membership: str) -> dict:
    """Create a table (the office); its areas already checked against the region."""
    with conn.transaction():
        table = store.insert(conn, id=uuid.uuid4(), kind=kind, title=title.strip(), description=description,
                             areas=domain.unique(areas), coordinator=coordinator, membership=membership,
                             created_by=by)
        add_event(conn, events.table_event(events.TABLE_CREATED, tenant=tenant, table=table))
    return table


def get_table(*, conn: psycopg.Connection, table_id: uuid.UUID) -> dict:
    """One table: the Ambito's own, or a replica of another Ambito's (with its origin)."""
    table = store.get(conn, table_id) or replicas.table(conn, table_id)
    if table is None:
        raise TableNotFound(table_id)
    return table


def list_tables(*, conn: psycopg.Connection, kind: str | None, area: str | None, status: str | None,
                after: str | None, limit: int, tenant: str | None = None, origin: str | None = None) -> dict:
    """A page of the Ambito's tables and of the replicas shared with it, in one order, filtered."""
    if tenant is None:  # callers that want the Ambito's own tables only
        rows = store.page(conn, kind=kind, area=area, status=status, after_seq=decode_cursor(after), limit=limit + 1)
        return page(rows, limit)
    rows = replicas.tables_page(conn, own_columns=store.COLUMNS, tenant=tenant, origin=origin, kind=kind, area=area,
                                status=status, after_seq=decode_cursor(after), limit=limit + 1)
    return page(rows, limit)


def locked_table(conn: psycopg.Connection, table_id, version: int | None = None, *, lock: str = "update") -> dict:
    """The table locked for the transaction; StaleTable if `version` is given and is not its version."""
    table = store.get(conn, table_id, lock=lock)
    if table is None:
        replicas.ensure_not_replica(conn, "tables", table_id)  # another Ambito's: 409 naming it, not 404
        raise TableNotFound(table_id)
    if version is not None and table["version"] != version:
        raise StaleTable(table["version"])
    return table


def update_table(*, conn: psycopg.Connection, tenant: str, caller: Caller, table_id: uuid.UUID, version: int,
                 changes: dict) -> dict:
    """Change an active table: the office anything but its kind, its coordinator only the description."""
    with conn.transaction():
        table = locked_table(conn, table_id, version)
        if not manages(caller, table):
            raise NotAllowed("only the Ufficio di Piano or this table's coordinator may change it")
        if OPERATOR not in caller.roles:
            try:
                domain.check_coordinator_change(changes)
            except PermissionError as exc:
                raise NotAllowed(str(exc)) from None
        domain.check_open(table)
        if "title" in changes:
            changes["title"] = changes["title"].strip()
        if "areas" in changes:
            changes["areas"] = domain.unique(changes["areas"])
        changed = [name for name, value in changes.items() if table[name] != value]
        if not changed:
            return table  # nothing differs: no new version, no event
        table = store.update(conn, table_id, **{name: changes[name] for name in changed})
        add_event(conn, events.table_event(events.TABLE_UPDATED, tenant=tenant, table=table, changed=changed))
    return table


def close_table(*, conn: psycopg.Connection, tenant: str, table_id: uuid.UUID, version: int) -> dict:
    """Close an active table: it changes no more and takes no members; its members and history stay."""
    with conn.transaction():
        table = locked_table(conn, table_id, version)
        domain.check_open(table)
        table = store.update(conn, table_id, status=domain.CLOSED, closed_at=datetime.now(timezone.utc))
        add_event(conn, events.table_event(events.TABLE_CLOSED, tenant=tenant, table=table))
    return table
