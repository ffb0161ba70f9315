"""GET /v1/regions/{region}/campaigns?year=: the Region's deadlines and each Ambito's completeness."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shared.http.app import current_platform
from shared.http.auth import REGIONAL_ADMIN, requires
from shared.http.blueprint import Blueprint
from shared.http.problems import Problem

from services.reporting.campaigns.completeness import ROME
from services.reporting.campaigns.config import KINDS, Campaigns, load_campaigns
from services.reporting.campaigns.view import STATUSES, campaign_view, region_ambiti

EXTENSION = "pdz.reporting.campaigns"

blp = Blueprint("campaigns", __name__, url_prefix="/v1/regions/<region>/campaigns",
                description="Scadenze regionali e completezza degli Ambiti (ufficio regionale)")


@blp.record_once
def install(state) -> None:
    """Read and check the campaigns file once, when the app registers this blueprint (at start): a wrong
    file stops the process, naming the entry. The open-data catalogue reads its offices from it too."""
    app = state.app
    app.extensions[EXTENSION] = load_campaigns(regions={r.slug for r in app.extensions["pdz"].regions})


def campaigns() -> Campaigns:
    return current_app.extensions[EXTENSION]


class CampaignQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100),
                          metadata={"description": "the campaign year (default: this year in Italy)"})


class AmbitoCompleteness(Schema):
    tenant = fields.String()
    name = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "done: on time; late: after the due day; missing: not yet (see missing)"})
    completed_at = fields.DateTime(allow_none=True, metadata={
        "description": "when the completing act happened (the first sending; the fund-year's closure)"})
    overdue = fields.Boolean(metadata={"description": "missing and the due day has passed"})
    missing = fields.List(fields.String(), metadata={"description": "what is missing, in Italian"})


class Summary(Schema):
    done = fields.Integer()
    late = fields.Integer()
    missing = fields.Integer()


class DeadlineCompleteness(Schema):
    code = fields.String()
    kind = fields.String(validate=validate.OneOf(KINDS))
    title = fields.String()
    due = fields.Date(metadata={"description": "the last day, inclusive (Europe/Rome)"})
    first_year = fields.Integer(allow_none=True, metadata={"description": "plan_submission: the triennium's first year"})
    reference_year = fields.Integer(allow_none=True, metadata={"description": "yearly_update: the year updated"})
    fund = fields.String(allow_none=True, metadata={"description": "fund_reporting: budget's fund code"})
    fund_year = fields.Integer(allow_none=True, metadata={"description": "fund_reporting: the fund's year"})
    summary = fields.Nested(Summary)
    ambiti = fields.List(fields.Nested(AmbitoCompleteness))


class CampaignView(Schema):
    region = fields.String()
    year = fields.Integer()
    today = fields.Date(metadata={"description": "the day the completeness was judged (Europe/Rome)"})
    years = fields.List(fields.Integer(), metadata={"description": "the years the region configured"})
    deadlines = fields.List(fields.Nested(DeadlineCompleteness), metadata={"description": "by due date"})


@blp.route("")
class Campaign(MethodView):
    @requires(REGIONAL_ADMIN)
    @blp.arguments(CampaignQuery, location="query")
    @blp.response(200, CampaignView)
    def get(self, query, region):
        """The region's deadlines of a year, each with every Ambito's completeness and what is missing."""
        platform = current_platform()
        if platform.regions.get(region) is None:
            raise Problem(404, "Not Found", f"Non esiste la regione '{region}'.", slug="not-found")
        today = datetime.now(ROME).date()
        with platform.regional() as conn:
            return campaign_view(conn=conn, campaigns=campaigns(), region=region, year=query.get("year", today.year),
                                 ambiti=region_ambiti(catalogue=platform.catalogue, region=region), today=today)
