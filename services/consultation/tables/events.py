"""Payloads of the table and membership events: organisations and tables only, never accounts.

Membership events are keyed by the table (ce_subject is the table id), so that
a table's events, its own and its members', reach consumers in order.
"""
from __future__ import annotations

from shared.events.envelope import CloudEvent, new_event

from services.consultation import SERVICE

TABLE_CREATED = "it.pdz.consultation.table.created.v1"
TABLE_UPDATED = "it.pdz.consultation.table.updated.v1"
TABLE_CLOSED = "it.pdz.consultation.table.closed.v1"
MEMBER_ADDED = "it.pdz.consultation.table_member.added.v1"
MEMBER_CHANGED = "it.pdz.consultation.table_member.changed.v1"
MEMBER_LEFT = "it.pdz.consultation.table_member.left.v1"
MEMBER_REQUESTED = "it.pdz.consultation.table_member.requested.v1"
MEMBER_ADMITTED = "it.pdz.consultation.table_member.admitted.v1"
MEMBER_REFUSED = "it.pdz.consultation.table_member.refused.v1"


def table_event(type_: str, *, tenant: str, table: dict, changed: list[str] | None = None) -> CloudEvent:
    data = {
        "table_id": str(table["id"]),
        "kind": table["kind"],
        "title": table["title"],
        "areas": list(table["areas"]),
        "membership": table["membership"],
        "status": table["status"],
        "version": table["version"],
    }
    if changed is not None:
        data["changed"] = sorted(changed)
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(table["id"]), data=data)


def member_event(type_: str, *, tenant: str, member: dict, reason: str | None = None) -> CloudEvent:
    data = {
        "table_id": str(member["table_id"]),
        "member_id": str(member["id"]),
        "organisation_id": str(member["organisation_id"]),
        "state": member["state"],
        "version": member["version"],
    }
    if reason is not None:
        data["reason"] = reason
    return new_event(type=type_, service=SERVICE, tenant=tenant, aggregate_id=str(member["table_id"]), data=data)
