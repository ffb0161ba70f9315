"""Calls HTTP API: /v1/{tenant}/calls."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from shared.http.blueprint import Blueprint

from shared.http.app import current_platform
from shared.http.auth import ROLES, WRITERS, requires
from shared.http.concurrency import etag, required_version, stale
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.problems import Problem

from services.registry.areas import check_areas
from services.registry.calls import domain, service
from services.registry.calls.schemas import CallIn, CallListQuery, CallOut, CallPage, CallPatch

blp = Blueprint("calls", __name__, url_prefix="/v1/<tenant>/calls",
                description="Avvisi pubblici per manifestazione di interesse")



def _answer(call: dict, status: int = 200):
    return call, status, {"ETag": etag(call["version"])}


def _run(action):
    """Map the use case's refusals to problems."""
    try:
        return action()
    except service.CallNotFound:
        raise Problem(404, "Not Found", "No such call.", slug="not-found") from None
    except service.StaleCall as exc:
        raise stale(exc.current_version) from None
    except domain.CallRuleError as exc:
        raise Problem(409, "Conflict", str(exc), slug="call-state") from None


def _region():
    return current_platform().regions.get(g.tenant.region)


@blp.route("")
class Calls(MethodView):
    @requires(*ROLES)
    @blp.arguments(CallListQuery, location="query")
    @blp.response(200, CallPage)
    def get(self, query, tenant):
        """List the Ambito's calls; anyone of the Ambito may read them (they are public acts)."""
        with current_platform().read(g.tenant) as conn:
            return service.list_calls(conn=conn, status=query.get("status"), after=query.get("after"),
                                      limit=query["limit"])

    @requires(*WRITERS)
    @idempotent
    @blp.arguments(CallIn)
    @blp.response(201, CallOut)
    def post(self, body, tenant):
        """Draft a call (Idempotency-Key honoured)."""
        body["areas"] = check_areas(body["areas"], _region())
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: service.draft_call(conn=conn, tenant=tenant, **body)), 201)


@blp.route("/<uuid:call_id>")
class CallById(MethodView):
    @requires(*ROLES)
    @blp.response(200, CallOut)
    def get(self, tenant, call_id):
        """One call, with ETag."""
        with current_platform().read(g.tenant) as conn:
            return _answer(_run(lambda: service.get_call(conn=conn, call_id=call_id)))

    @requires(*WRITERS)
    @blp.arguments(CallPatch(partial=True))
    @blp.response(200, CallOut)
    @blp.alt_response(409, **conflicts(("call-state", "only a draft call can be edited")))
    def patch(self, body, tenant, call_id):
        """Edit a draft call (If-Match required)."""
        version = required_version()
        if "areas" in body:
            body["areas"] = check_areas(body["areas"], _region())
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: service.edit_call(conn=conn, tenant=tenant, call_id=call_id,
                                                          version=version, changes=body)))


@blp.route("/<uuid:call_id>/publish")
class PublishCall(MethodView):
    @requires(*WRITERS)
    @blp.response(200, CallOut)
    @blp.alt_response(409, **conflicts(("call-state", "the call is not a draft, or its closing time has passed")))
    def post(self, tenant, call_id):
        """Publish a draft call (If-Match required)."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: service.publish_call(conn=conn, tenant=tenant,
                                                             call_id=call_id, version=version)))


@blp.route("/<uuid:call_id>/close")
class CloseCall(MethodView):
    @requires(*WRITERS)
    @blp.response(200, CallOut)
    @blp.alt_response(409, **conflicts(("call-state", "only a published call can be closed")))
    def post(self, tenant, call_id):
        """Close a published call (If-Match required)."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: service.close_call(conn=conn, tenant=tenant,
                                                           call_id=call_id, version=version)))
