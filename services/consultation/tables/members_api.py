"""Table members HTTP API: /v1/{tenant}/tables/{id}/members and /requests (joining an open table)."""
from __future__ import annotations

from functools import partial

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import COORDINATOR, OPERATOR, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version, stale
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.pagination import decode_cursor, encode_cursor
from shared.http.problems import Problem

from services.consultation.members.domain import NotAllowed as MayNotTakePart
from services.consultation.members.schemas import REFUSALS
from services.consultation.tables import domain, member_store, membership
from services.consultation.tables.access import NotAllowed
from services.consultation.shared_replicas.origins import shared_registers
from services.consultation.shared_replicas.store import ReplicaReadOnly
from services.consultation.tables.api import CLOSED, READERS, REPLICA, caller, replica_problem
from services.consultation.tables.schemas import AccountsPatch, EveryoneOut, JoinRequestIn, MemberIn, \
    MemberListQuery, MemberOut, MemberPage
from services.consultation.tables.service import TableNotFound, get_table

blp = Blueprint("table_members", __name__, url_prefix="/v1/<tenant>/tables/<uuid:table_id>",
                description="Le organizzazioni che siedono a un tavolo e gli account che agiscono per ciascuna")

OFFICE = (OPERATOR, COORDINATOR)   # then access.manages(): the operator, or this table's coordinator
TAKING_PART = tuple((code, "the organisation may not take part now (members/domain.py)") for code in REFUSALS)
ALREADY = ("already-member", "the organisation is already a member of the table, or has asked to join it")
STATE = ("member-state", "the membership is not in a state that allows this")
KIND = ("table-kind", "only a standing table or the plenary takes every organisation at once")


def _answer(row: dict, status: int = 200):
    return row, status, {"ETag": etag(row["version"])}


def _run(action):
    """Map the use case's refusals to problems."""
    try:
        return action()
    except TableNotFound:
        raise Problem(404, "Not Found", "No such table in this Ambito.", slug="not-found") from None
    except membership.MemberNotFound:
        raise Problem(404, "Not Found", "No such membership at this table.", slug="not-found") from None
    except membership.StaleMember as exc:
        raise stale(exc.current_version) from None
    except NotAllowed as exc:
        raise Problem(403, "Forbidden", exc.reason, slug="forbidden") from None
    except MayNotTakePart as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None
    except domain.TableRuleError as exc:
        raise Problem(409, "Conflict", exc.detail, slug=exc.code) from None
    except ReplicaReadOnly as exc:
        raise replica_problem(exc) from None


def registers() -> frozenset:
    """The former Ambiti whose register is shared with this one (Catalogue.sharing, issue 9; none without it)."""
    return shared_registers(getattr(current_platform().catalogue, "sharing", None), tenant=g.tenant.slug)


def _replica_members(conn, table: dict, query: dict) -> dict:
    """A page of a replica table's members; the cursor is a position in their fixed order, as replica rows have
    no seq (a member arriving mid-walk may shift it: the list of a table's members is short)."""
    offset, limit = decode_cursor(query.get("after")), query["limit"]
    rows = member_store.replica_page(conn, origin=table["origin"], table_id=table["id"], state=query.get("state"),
                                     organisation_id=query.get("organisation_id"), offset=offset, limit=limit + 1)
    more = len(rows) > limit
    return {"items": rows[:limit], "next_cursor": encode_cursor(offset + limit) if more else None}


def _shown(table: dict, row: dict) -> dict:
    return membership.for_reader(row, caller=caller(), table=table)


@blp.route("/members")
class Members(MethodView):
    @requires(*READERS)
    @blp.arguments(MemberListQuery, location="query")
    @blp.response(200, MemberPage)
    def get(self, query, tenant, table_id):
        """The table's members and requests, by their state now; accounts only for the office and the member's
        own representatives. A former Ambito's table (a replica): its members as the owner's events said, with
        `origin`, never accounts."""
        with current_platform().read(g.tenant) as conn:
            table = _run(lambda: get_table(conn=conn, table_id=table_id))
            if table.get("origin") not in (None, tenant):
                return _replica_members(conn, table, query)
            table, found = _run(lambda: membership.list_members(
                conn=conn, table_id=table_id, state=query.get("state"), organisation_id=query.get("organisation_id"),
                after=query.get("after"), limit=query["limit"]))
        return {**found, "items": [{**_shown(table, row), "origin": tenant} for row in found["items"]]}

    @requires(*OFFICE)
    @idempotent
    @blp.arguments(MemberIn)
    @blp.response(201, MemberOut)
    @blp.alt_response(409, **conflicts(CLOSED, REPLICA, ALREADY, *TAKING_PART))
    def post(self, body, tenant, table_id):
        """Add an organisation of the register with the accounts that act for it (the operator or the table's
        coordinator; Idempotency-Key honoured)."""
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: membership.add_member(conn=conn, tenant=tenant, caller=caller(),
                                                              table_id=table_id, shared_registers=registers(),
                                                              **body)), 201)


@blp.route("/members/all")
class EveryMember(MethodView):
    @requires(OPERATOR)
    @blp.response(200, EveryoneOut)
    @blp.alt_response(409, **conflicts(CLOSED, REPLICA, KIND))
    def post(self, tenant, table_id):
        """Add every active organisation of the Ambito's register and of its former Ambiti's shared registers
        to a standing table or the plenary (the operator), without accounts; a second call adds only those
        missing (no Idempotency-Key needed). One `table_member.added` event per organisation added."""
        with current_platform().write(g.tenant) as conn:
            done = _run(lambda: membership.add_everyone(conn=conn, tenant=tenant, caller=caller(), table_id=table_id,
                                                        shared_registers=registers()))
        return {"added": [{**_shown(done["table"], row), "origin": tenant} for row in done["added"]],
                "already_members": done["already_members"]}


@blp.route("/requests")
class JoinRequests(MethodView):
    @requires(STAKEHOLDER)
    @idempotent
    @blp.arguments(JoinRequestIn)
    @blp.response(201, MemberOut)
    @blp.alt_response(409, **conflicts(CLOSED, REPLICA, ("membership-closed", "the table's membership is closed"),
                                       ALREADY, *TAKING_PART))
    def post(self, body, tenant, table_id):
        """Ask to join an open table for an organisation, with the caller's own account (a representative;
        the coordinator admits or refuses; Idempotency-Key honoured)."""
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: membership.request_to_join(conn=conn, tenant=tenant, caller=caller(),
                                                                   table_id=table_id, shared_registers=registers(),
                                                                   **body)), 201)


@blp.route("/members/<uuid:member_id>")
class MemberById(MethodView):
    @requires(*READERS)
    @blp.response(200, MemberOut)
    def get(self, tenant, table_id, member_id):
        """One membership, with its state now and ETag."""
        with current_platform().read(g.tenant) as conn:
            table, row = _run(lambda: membership.get_member(conn=conn, table_id=table_id, member_id=member_id))
        return _answer(_shown(table, row))

    @requires(*OFFICE)
    @blp.arguments(AccountsPatch)
    @blp.response(200, MemberOut)
    @blp.alt_response(409, **conflicts(CLOSED, REPLICA, STATE))
    def patch(self, body, tenant, table_id, member_id):
        """Change the accounts that act for the member (If-Match required; the operator or the coordinator)."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: membership.change_accounts(
                conn=conn, tenant=tenant, caller=caller(), table_id=table_id, member_id=member_id, version=version,
                accounts=body["accounts"])))


def _step(action, *, tenant, table_id, member_id, version: int):
    """A life-cycle step on one membership (the view has read If-Match)."""
    with current_platform().write(g.tenant) as conn:
        return _answer(_run(lambda: action(conn=conn, tenant=tenant, caller=caller(), table_id=table_id,
                                           member_id=member_id, version=version)))


@blp.route("/members/<uuid:member_id>/admit")
class Admit(MethodView):
    @requires(*OFFICE)
    @blp.response(200, MemberOut)
    @blp.alt_response(409, **conflicts(CLOSED, REPLICA, STATE, *TAKING_PART))
    def post(self, tenant, table_id, member_id):
        """Admit a request to join (If-Match required; the table's coordinator or the operator)."""
        return _step(partial(membership.admit, shared_registers=registers()), tenant=tenant, table_id=table_id,
                     member_id=member_id, version=required_version())


@blp.route("/members/<uuid:member_id>/refuse")
class Refuse(MethodView):
    @requires(*OFFICE)
    @blp.response(200, MemberOut)
    @blp.alt_response(409, **conflicts(CLOSED, REPLICA, STATE))
    def post(self, tenant, table_id, member_id):
        """Refuse a request to join (If-Match required; the table's coordinator or the operator)."""
        return _step(membership.refuse, tenant=tenant, table_id=table_id, member_id=member_id,
                     version=required_version())


@blp.route("/members/<uuid:member_id>/remove")
class Remove(MethodView):
    @requires(*OFFICE)
    @blp.response(200, MemberOut)
    @blp.alt_response(409, **conflicts(CLOSED, REPLICA, STATE))
    def post(self, tenant, table_id, member_id):
        """End a membership (If-Match required): state left, kept with what the member contributed."""
        return _step(membership.remove, tenant=tenant, table_id=table_id, member_id=member_id,
                     version=required_version())
