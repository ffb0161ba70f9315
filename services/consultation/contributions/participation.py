"""Who contributes at a table, read from the database and decided by the pure rules (one transaction's reads).

The order of the checks is the order of the answers: the table (422 if unknown, 409 if closed), the
organisation's standing in the register (409 withdrawn, suspended, unknown, shared), then whether the
caller acts for it at this table (403).
"""
from __future__ import annotations

import psycopg

from services.consultation.contributions import domain, store
from services.consultation.members import domain as members
from services.consultation.tables.access import Caller


def open_table(conn: psycopg.Connection, table_id) -> dict:
    """The table (held FOR SHARE), if it exists and takes contributions."""
    table = store.get_table(conn, table_id)
    if table is None:
        raise domain.InvalidField("table_id", "no such table in this Ambito")
    domain.check_table_open(table)
    return table


def members_in_effect(conn: psycopg.Connection, table_id, organisation: dict) -> list[dict]:
    """The table's memberships, without the organisation's if a withdrawal since it joined ended it."""
    history = store.status_history(conn, organisation["id"])
    kept = []
    for member in store.table_members(conn, table_id):
        if member["organisation_id"] == organisation["id"] and members.membership_state(
                joined_version=member["joined_version"], history=history,
                status=organisation["status"]) != members.IN_EFFECT:
            continue
        kept.append(member)
    return kept


def standing(conn: psycopg.Connection, *, tenant: str, table_id, organisation_id) -> tuple[dict, list[dict]]:
    """(table, memberships in effect) once the table is open and the organisation may contribute."""
    table = open_table(conn, table_id)
    organisation = store.organisation(conn, organisation_id)
    in_effect = members_in_effect(conn, table_id, organisation) if organisation else []
    # A former Ambito's organisation (issue 9) was invited while its register was shared: its membership in
    # effect at this table is what lets it contribute here, through the membership's accounts as usual.
    invited = frozenset({organisation["origin"]}) if organisation and any(
        m["organisation_id"] == organisation["id"] for m in in_effect) else frozenset()
    members.ensure_may_contribute(organisation, tenant=tenant, shared_registers=invited)
    return table, in_effect


def recorder_role(conn: psycopg.Connection, *, tenant: str, caller: Caller, table_id, organisation_id,
                  on_behalf: bool) -> str:
    """The role in which the caller records a new contribution for the organisation at the table."""
    table, in_effect = standing(conn, tenant=tenant, table_id=table_id, organisation_id=organisation_id)
    return domain.recorder(caller, table, in_effect, organisation_id, on_behalf=on_behalf)


def editor_role(conn: psycopg.Connection, *, tenant: str, caller: Caller, table_id, organisation_id) -> str:
    """The role in which the caller edits the organisation's contribution at the table."""
    table, in_effect = standing(conn, tenant=tenant, table_id=table_id, organisation_id=organisation_id)
    return domain.editor(caller, table, in_effect, organisation_id)


def check_deliverers(conn: psycopg.Connection, deliverers: list) -> list:
    """The organisation ids, deduplicated; each must be in the replica and not withdrawn."""
    deliverers = domain.unique_in_order(deliverers)
    known = store.organisations(conn, deliverers)
    for index, organisation_id in enumerate(deliverers):
        row = known.get(organisation_id)
        if row is None:
            raise domain.InvalidField(f"deliverers.{index}", "not an organisation of the register")
        if row["status"] == members.WITHDRAWN:
            raise domain.InvalidField(f"deliverers.{index}", "the organisation withdrew from the network")
    return deliverers
