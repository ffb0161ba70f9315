"""Invitations to a session: the table's members in force (all, or the ones chosen), one transaction."""
from __future__ import annotations

import psycopg

from shared.outbox.store import add_event

from services.consultation.members import domain as members
from services.consultation.sessions import domain, events, store
from services.consultation.sessions.service import locked
from services.consultation.tables import access

NOT_A_MEMBER = "not-a-member"
MEMBERSHIP_ENDED = "membership-ended"


def refusal(member: dict | None, *, tenant: str) -> str | None:
    """Why a membership row (with its organisation's replica row) may not be invited now, or None."""
    if member is None or member["state"] != "member":
        return NOT_A_MEMBER
    # A former Ambito's organisation (issue 9) holds a membership only if it was invited while its register
    # was shared with this Ambito: the membership is what lets it be invited to the table's sessions.
    problem = members.refusal(member, tenant=tenant, shared_registers={member["origin"]})
    if problem is not None:
        return problem.code
    history = [(int(version), status) for version, status in member["history"]]
    if members.membership_state(joined_version=member["joined_version"], history=history,
                                status=member["status"]) != members.IN_EFFECT:
        return MEMBERSHIP_ENDED
    return None


def invite(*, conn: psycopg.Connection, tenant: str, caller: access.Caller, session_id,
           organisation_ids: list | None = None) -> dict:
    """Invite the table's members that may take part now (all, or those of `organisation_ids`).

    Members already invited stay so; the others are listed with the reason (not a member, suspended,
    withdrawn, membership ended). One event lists the organisations invited by this call.
    """
    with conn.transaction():
        session, table = locked(conn, caller=caller, session_id=session_id)
        domain.check_invitable(session["status"])
        rows = {m["organisation_id"]: m for m in store.members(conn, table["id"])
                if m["state"] in ("member", "requested")}
        wanted = list(dict.fromkeys(organisation_ids)) if organisation_ids is not None else [
            o for o, m in rows.items() if m["state"] == "member"]
        eligible, refused = [], []
        for organisation_id in wanted:
            reason = refusal(rows.get(organisation_id), tenant=tenant)
            if reason is None:
                eligible.append(organisation_id)
            else:
                refused.append({"organisation_id": organisation_id, "reason": reason})
        new = store.invite(conn, session_id=session_id, organisation_ids=eligible, by=caller.subject)
        invited = [row["organisation_id"] for row in new]
        if invited:
            add_event(conn, events.invited_event(tenant=tenant, session=session, organisation_ids=invited,
                                                 at=new[0]["invited_at"]))
    already = [o for o in eligible if o not in set(invited)]
    return {"invited": invited, "already_invited": already, "not_invited": refused}


def list_invitations(*, conn: psycopg.Connection, session_id) -> list[dict]:
    """The organisations invited to a session, in the order they were invited."""
    return store.invitations(conn, session_id)
