"""Stakeholder register HTTP API: /v1/{tenant}/stakeholders."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from shared.http.blueprint import Blueprint

from shared.http.app import current_platform
from shared.http.auth import READERS, WRITERS, requires
from shared.http.concurrency import etag, required_version, stale
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.problems import Problem

from services.registry.areas import check_areas
from services.registry.seat import check_seat
from services.registry.stakeholders import service
from services.registry.stakeholders.schemas import (HistoryPage, HistoryQuery, StakeholderIn, StakeholderListQuery,
                                                    StakeholderOut, StakeholderPage, StakeholderPatch)

blp = Blueprint("stakeholders", __name__, url_prefix="/v1/<tenant>/stakeholders",
                description="Il registro dei soggetti della rete dell'Ambito")

def not_found() -> Problem:
    """A fresh 404 each time: a shared instance would keep every raise's traceback alive."""
    return Problem(404, "Not Found", "No such stakeholder.", slug="not-found")



def _region():
    return current_platform().regions.get(g.tenant.region)


def _run(action):
    try:
        return action()
    except service.StakeholderNotFound:
        raise not_found() from None
    except service.StaleStakeholder as exc:
        raise stale(exc.current_version) from None
    except service.DuplicateTaxCode:
        raise Problem(409, "Conflict", "A stakeholder with this tax code is already registered.",
                      slug="duplicate-tax-code", field="tax_code") from None


@blp.route("")
class Stakeholders(MethodView):
    @requires(*READERS)
    @blp.arguments(StakeholderListQuery, location="query")
    @blp.response(200, StakeholderPage)
    def get(self, query, tenant):
        """List the register: filters type, area, status, text (q); cursor pagination."""
        with current_platform().read(g.tenant) as conn:
            return service.list_stakeholders(conn=conn, type=query.get("type"), area=query.get("area"),
                                             status=query.get("status"), text=query.get("q"),
                                             after=query.get("after"), limit=query["limit"])

    @requires(*WRITERS)
    @idempotent
    @blp.arguments(StakeholderIn)
    @blp.response(201, StakeholderOut)
    @blp.alt_response(409, **conflicts(("duplicate-tax-code", "the register already holds this tax code"
                                                             " (`field`: tax_code)")))
    def post(self, body, tenant):
        """Register an organisation in the Ambito's network (Idempotency-Key honoured)."""
        body["areas"] = check_areas(body["areas"], _region(), required=False)
        check_seat(body["seat_istat"], field="seat_istat")
        with current_platform().write(g.tenant) as conn:
            row = _run(lambda: service.register_stakeholder(conn=conn, tenant=tenant, by=g.principal.subject,
                                                            **body))
        return row, 201, {"ETag": etag(row["version"])}


@blp.route("/<uuid:stakeholder_id>")
class StakeholderById(MethodView):
    @requires(*READERS)
    @blp.response(200, StakeholderOut)
    def get(self, tenant, stakeholder_id):
        """One stakeholder, with its ETag."""
        with current_platform().read(g.tenant) as conn:
            row = _run(lambda: service.get_stakeholder(conn=conn, stakeholder_id=stakeholder_id))
        return row, 200, {"ETag": etag(row["version"])}

    @requires(*WRITERS)
    @blp.arguments(StakeholderPatch)
    @blp.response(200, StakeholderOut)
    def patch(self, body, tenant, stakeholder_id):
        """Change data or status (active, suspended, withdrawn); If-Match required."""
        version = required_version()
        if "areas" in body:
            body["areas"] = check_areas(body["areas"], _region(), required=False)
        check_seat(body.get("seat_istat"), field="seat_istat")
        with current_platform().write(g.tenant) as conn:
            row = _run(lambda: service.update_stakeholder(
                conn=conn, tenant=tenant, by=g.principal.subject, stakeholder_id=stakeholder_id,
                version=version, changes=body))
        return row, 200, {"ETag": etag(row["version"])}


@blp.route("/<uuid:stakeholder_id>/history")
class StakeholderHistory(MethodView):
    @requires(*READERS)
    @blp.arguments(HistoryQuery, location="query")
    @blp.response(200, HistoryPage)
    def get(self, query, tenant, stakeholder_id):
        """Every change of the stakeholder, oldest first; cursor pagination."""
        with current_platform().read(g.tenant) as conn:
            return _run(lambda: service.stakeholder_history(conn=conn, stakeholder_id=stakeholder_id,
                                                            after=query.get("after"), limit=query["limit"]))
