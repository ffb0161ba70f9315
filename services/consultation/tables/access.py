"""Who may do what at a table: pure rules, shared by tables, sessions, contributions and rounds.

Roles are the caller's roles in the Ambito (shared.http.auth: operator,
coordinator, stakeholder, auditor, regional-admin); the table names its
coordinator's account, and each membership the accounts that act for its
organisation. No I/O here: the caller passes the rows.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

OPERATOR = "operator"
COORDINATOR = "coordinator"
STAKEHOLDER = "stakeholder"


class NotAllowed(Exception):
    """The caller may not do this at this table (a domain refusal: the API answers 403)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Caller:
    """The account calling and its roles in this Ambito."""

    subject: str
    roles: frozenset[str]


def manages(caller: Caller, table: Mapping) -> bool:
    """The office manages every table; a coordinator manages the tables that name it."""
    if OPERATOR in caller.roles:
        return True
    return COORDINATOR in caller.roles and table.get("coordinator") == caller.subject


def ensure_manages(caller: Caller, table: Mapping) -> None:
    if not manages(caller, table):
        raise NotAllowed("only the Ufficio di Piano or this table's coordinator may do this")


def acting_for(caller: Caller, members: Iterable[Mapping]) -> list:
    """The organisations (ids) the caller represents at a table: memberships in force listing its account."""
    if STAKEHOLDER not in caller.roles:
        return []
    return [m["organisation_id"] for m in members
            if m.get("state") == "member" and caller.subject in (m.get("accounts") or ())]


def ensure_acts_for(caller: Caller, members: Iterable[Mapping], organisation_id, *,
                    on_behalf: bool = False) -> None:
    """The caller may act for the organisation at this table: its representative, or the office on its behalf.

    `on_behalf` is the office recording a contribution for a member (e.g. from
    a paper form): allowed to operators and to the table's coordinator, and
    marked so by the caller.
    """
    if on_behalf and (OPERATOR in caller.roles or COORDINATOR in caller.roles):
        if not any(m.get("state") == "member" and m["organisation_id"] == organisation_id for m in members):
            raise NotAllowed("the organisation is not a member of this table")
        return
    if organisation_id not in acting_for(caller, members):
        raise NotAllowed("you do not represent this organisation at this table")
