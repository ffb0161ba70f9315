"""Reporting HTTP API: /v1/{tenant}/statistics/…"""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from shared.http.blueprint import Blueprint
from marshmallow import Schema, fields

from shared.http.app import current_platform
from shared.http.auth import READERS, requires

from services.reporting import statistics

blp = Blueprint("statistics", __name__, url_prefix="/v1/<tenant>/statistics",
                description="Statistiche regionali dell'Ambito")


class StakeholderCounts(Schema):
    total = fields.Integer(metadata={"description": "active stakeholders"})
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"description": "active stakeholders by type"})
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(),
                            metadata={"description": "every stakeholder by status (active, suspended, withdrawn)"})
    by_runts_section = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                   metadata={"description": "active third-sector bodies by RUNTS section (a-g)"})


class StakeholderStats(StakeholderCounts):
    tenant = fields.String()
    former_territories = fields.Dict(
        keys=fields.String(), values=fields.Nested(StakeholderCounts),
        metadata={"description": "merged Ambiti only: the figures of each former Ambito's own register"})
    whole = fields.Nested(StakeholderCounts, metadata={
        "description": "merged Ambiti only: the merged Ambito and its former territories together"})


@blp.route("/stakeholders")
class StakeholderStatistics(MethodView):
    @requires(*READERS)
    @blp.response(200, StakeholderStats)
    def get(self, tenant):
        """Stakeholders of the Ambito counted by type, status and RUNTS section (merged: also by former territory)."""
        with current_platform().regional() as conn:
            return statistics.stakeholders_by_type(conn=conn, tenant=g.tenant.slug,
                                                   merged_from=g.tenant.merged_from)
