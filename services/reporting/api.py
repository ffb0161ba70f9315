"""Reporting HTTP API: /v1/{tenant}/statistics/…"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from shared.http.app import current_platform
from shared.http.auth import READERS, requires

from services.reporting import statistics

blp = Blueprint("statistics", __name__, url_prefix="/v1/<tenant>/statistics",
                description="Statistiche regionali dell'Ambito")


class StakeholderStats(Schema):
    tenant = fields.String()
    total = fields.Integer(metadata={"description": "active stakeholders"})
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"description": "active stakeholders by type"})
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(),
                            metadata={"description": "every stakeholder by status (active, suspended, withdrawn)"})
    by_runts_section = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                   metadata={"description": "active third-sector bodies by RUNTS section (a-g)"})


@blp.route("/stakeholders")
class StakeholderStatistics(MethodView):
    @requires(*READERS)
    @blp.response(200, StakeholderStats)
    def get(self, tenant):
        """Stakeholders of the Ambito counted by type."""
        with current_platform().regional() as conn:
            return statistics.stakeholders_by_type(conn=conn, tenant=g.tenant.slug)
