"""Reporting HTTP API: /v1/{tenant}/statistics/…"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import g
from flask.views import MethodView
from shared.http.blueprint import Blueprint
from marshmallow import Schema, fields, validate

from shared.http.app import current_platform
from shared.http.auth import READERS, requires
from shared.http.money_field import Amount
from shared.http.openapi import problems
from shared.http.problems import Problem

from services.reporting import comparison_indicators, freshness, funds, statistics
from services.reporting.indicators.answers import current_year
from services.reporting.indicators.model import Period
from services.reporting.indicators.query import PeriodQuery

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


def _as_of() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.DateTime(allow_none=True), metadata={
        "description": "per source service (registry, consultation, budget): the time of the newest event applied "
                       "to the read models; null: none yet (docs/reporting.md, Freshness)"})


def _fresh(conn, answer: dict) -> dict:
    """The answer with its freshness (item 5 of issue 11: every statistics answer says how fresh it is)."""
    return {**answer, "as_of": freshness.as_of(conn)}


class StakeholderStats(StakeholderCounts):
    tenant = fields.String()
    as_of = _as_of()
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
            return _fresh(conn, statistics.stakeholders_by_type(conn=conn, tenant=g.tenant.slug,
                                                                merged_from=g.tenant.merged_from))


def _figures(description: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Decimal(as_string=True),
                       metadata={"description": description})


class IndicatorComparison(Schema):
    indicator = fields.String(metadata={"description": "total, type:<type>, runts_section:<a-g> or ets_share"})
    territories = _figures("each former Ambito's value now (exact, as a decimal string)")
    previous_year = _figures("each former Ambito's value at the end of the previous year")
    gap = fields.Decimal(as_string=True, metadata={"description": "max - min of the values now (0: aligned)"})
    gap_previous_year = fields.Decimal(as_string=True, metadata={"description": "the gap at the previous year's end"})
    gap_change = fields.Decimal(as_string=True, metadata={
        "description": "gap - gap_previous_year (negative: the territories came closer)"})


def _optional(description: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.String(allow_none=True),
                       metadata={"description": description})


class FigureComparison(Schema):
    dimension = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "the figure's breakdown, e.g. {\"fund\": \"FNPS\"}; {} for none"})
    territories = _optional("each former Ambito's value in the period (exact decimal string; null: not available)")
    previous_year = _optional("each former Ambito's value in the same period of the previous year")
    gap = fields.String(allow_none=True, metadata={"description": "max - min of the values (0: aligned; null: "
                                                                  "a territory's value is not available)"})
    gap_previous_year = fields.String(allow_none=True, metadata={"description": "the gap a year before"})
    gap_change = fields.String(allow_none=True, metadata={
        "description": "gap - gap_previous_year (negative: the territories came closer)"})


class IndicatorSideBySide(Schema):
    indicator = fields.String(metadata={"description": "the indicator's code (GET /v1/indicators/definitions)"})
    name = fields.String()
    unit = fields.String(metadata={"description": "EUR, EUR/abitante, numero, percentuale, abitanti"})
    kind = fields.String(metadata={"description": "flow (in the period) or stock (at its end)"})
    comparable = fields.Boolean(metadata={"description": "true: per inhabitant or a share, comparable as it is; "
                                                         "false: a count or an amount, it grows with the territory"})
    as_of = fields.DateTime(allow_none=True)
    figures = fields.List(fields.Nested(FigureComparison))


class Comparison(Schema):
    tenant = fields.String()
    as_of = _as_of()
    former_territories = fields.List(fields.String())
    previous_year_end = fields.DateTime(metadata={"description": "1 January of this year, 00:00 Europe/Rome"})
    indicators = fields.List(fields.Nested(IndicatorComparison), metadata={
        "description": "the stakeholder figures now and at previous_year_end (whatever the period)"})
    period = fields.String(metadata={"description": "the period of by_indicator (default: this year in Italy)"})
    previous_period = fields.String(metadata={"description": "the same period of the previous year"})
    by_indicator = fields.List(fields.Nested(IndicatorSideBySide), metadata={
        "description": "every registered indicator, by code: per dimension, the former Ambiti side by side"})


@blp.route("/comparison")
class TerritoryComparison(MethodView):
    @requires(*READERS)
    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, Comparison)
    @blp.alt_response(404, **problems(404, ("not-merged", "the Ambito was not formed by merging others")))
    def get(self, query, tenant):
        """The former territories of a merged Ambito side by side, per indicator, with the gap and its change."""
        merged_from = g.tenant.merged_from
        if not merged_from:
            raise Problem(404, "Not Found", "L'Ambito non nasce dalla fusione di altri Ambiti.", slug="not-merged")
        period = Period.parse(query["period"]) if query.get("period") else current_year()
        with current_platform().regional() as conn:
            as_of = freshness.as_of(conn)
            stakeholders = statistics.compare_former_territories(conn=conn, merged_from=tuple(merged_from),
                                                                 now=datetime.now(timezone.utc))
            every = comparison_indicators.compare_indicators(conn, tenant=g.tenant, period=period, as_of=as_of)
        return {"tenant": g.tenant.slug, "former_territories": list(merged_from), "as_of": as_of,
                **stakeholders, **every}


class FundFigures(Schema):
    allocated = Amount(metadata={"description": "allocated to the plan's interventions (programmato)"})
    committed = Amount(metadata={"description": "committed by adopted acts (impegnato)"})
    paid = Amount(metadata={"description": "paid (liquidato)"})


class FundYear(FundFigures):
    fund = fields.String(metadata={"description": "fund code of the budget reference data, e.g. FNPS"})
    year = fields.Integer()


class FundStats(Schema):
    tenant = fields.String()
    as_of = _as_of()
    year = fields.Integer(allow_none=True, metadata={"description": "the year asked for; null: every year"})
    funds = fields.List(fields.Nested(FundYear), metadata={"description": "per fund and year, by year then fund"})
    totals = fields.Nested(FundFigures)


class FundQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), metadata={"description": "one year only"})


@blp.route("/funds")
class FundStatistics(MethodView):
    @requires(*READERS)
    @blp.arguments(FundQuery, location="query")
    @blp.response(200, FundStats)
    def get(self, query, tenant):
        """Allocated, committed and paid per fund and year of the Ambito, from budget's events."""
        with current_platform().regional() as conn:
            return _fresh(conn, funds.fund_statistics(conn=conn, tenant=g.tenant.slug, year=query.get("year")))
