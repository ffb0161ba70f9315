"""Registry HTTP API: /v1/{tenant}/stakeholders."""
from __future__ import annotations

import binascii
import uuid

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.http.app import current_platform
from shared.http.auth import READERS, WRITERS, requires
from shared.http.problems import Problem

from services.registry.stakeholders import service
from services.registry.stakeholders.schemas import StakeholderIn, StakeholderListQuery, StakeholderOut, StakeholderPage

blp = Blueprint("stakeholders", __name__, url_prefix="/v1/<tenant>/stakeholders",
                description="Il registro dei soggetti della rete dell'Ambito")


@blp.route("")
class Stakeholders(MethodView):
    @requires(*READERS)
    @blp.arguments(StakeholderListQuery, location="query")
    @blp.response(200, StakeholderPage)
    def get(self, query, tenant):
        """List the Ambito's stakeholders (cursor pagination)."""
        try:
            with current_platform().read(g.tenant) as conn:
                return service.list_stakeholders(conn=conn, type=query.get("type"),
                                                 after=query.get("after"), limit=query["limit"])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise Problem(422, "Invalid input", "Invalid value for: after", slug="validation-error",
                          errors=[{"field": "after", "message": "Not a valid cursor.",
                                   "location": "query"}]) from None

    @requires(*WRITERS)
    @blp.arguments(StakeholderIn)
    @blp.response(201, StakeholderOut)
    def post(self, body, tenant):
        """Register an organisation in the Ambito's network."""
        try:
            with current_platform().write(g.tenant) as conn:
                return service.register_stakeholder(conn=conn, tenant=tenant, **body)
        except service.DuplicateTaxCode:
            raise Problem(409, "Conflict", "A stakeholder with this tax code is already registered.",
                          slug="duplicate-tax-code", field="tax_code") from None


@blp.route("/<stakeholder_id>")
class StakeholderById(MethodView):
    @requires(*READERS)
    @blp.response(200, StakeholderOut)
    def get(self, tenant, stakeholder_id):
        """One stakeholder."""
        try:
            key = uuid.UUID(stakeholder_id)
        except ValueError:
            raise Problem(404, "Not Found", "No such stakeholder.", slug="not-found") from None
        with current_platform().read(g.tenant) as conn:
            row = service.get_stakeholder(conn=conn, stakeholder_id=key)
        if row is None:
            raise Problem(404, "Not Found", "No such stakeholder.", slug="not-found")
        return row
