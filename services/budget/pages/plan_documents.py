"""A plan's documents for the browser (the financial tables as XLSX, the Piano as PDF/A) and the differences
between two of its versions, line by line. The same use cases as the API's documents and differences."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from flask import Response, abort, g, request
from flask_babel import gettext as _

from shared.documents import pdf
from shared.http.app import current_platform
from shared.web import page_requires

from services.budget.documents import service as documents
from services.budget.pages.blueprint import blp
from services.budget.pages.common import PLAN_READERS, area_names, page, reading
from services.budget.plans import service
from services.budget.plans.editable import PlanNotFound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(data: bytes, *, media: str, filename: str, disposition: str) -> Response:
    response = Response(data, content_type=media)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@blp.route("/bilancio/piani/<uuid:plan_id>/versioni/<int:number>/tabelle-finanziarie.xlsx")
@page_requires(*PLAN_READERS)
def financial_tables(tenant, plan_id, number):
    """The version's financial tables (XLSX): by area, fund, year and intervention, totals checked."""
    with reading() as conn:
        try:
            content, data = documents.financial_tables(conn=conn, plan_id=plan_id, number=number,
                                                       ambito=g.tenant.name, area_names=area_names(),
                                                       generated_at=datetime.now(timezone.utc))
        except (PlanNotFound, service.VersionNotFound):
            abort(404)
    plan = content["plan"]
    return _file(data, media=XLSX, disposition="attachment",
                 filename=f"tabelle-finanziarie-{plan['first_year']}-{plan['last_year']}-v{number}.xlsx")


@blp.route("/bilancio/piani/<uuid:plan_id>/versioni/<int:number>/piano.pdf")
@page_requires(*PLAN_READERS)
def piano_pdf(tenant, plan_id, number):
    """The Piano Sociale di Zona of the version (PDF/A, in Italian)."""
    region = current_platform().regions.get(g.tenant.region)
    with reading() as conn:
        try:
            content, html = documents.piano_html(conn=conn, tenant=tenant, plan_id=plan_id, number=number,
                                                 ambito=g.tenant.name, region_name=region.name if region else None,
                                                 area_names=area_names(), generated_at=datetime.now(timezone.utc))
        except (PlanNotFound, service.VersionNotFound):
            abort(404)
    plan = content["plan"]
    return _file(pdf.to_pdf(html), media="application/pdf", disposition="inline",
                 filename=f"piano-sociale-di-zona-{plan['first_year']}-{plan['last_year']}-v{number}.pdf")


@blp.route("/bilancio/piani/<uuid:plan_id>/differenze")
@page_requires(*PLAN_READERS)
def differences(tenant, plan_id):
    """What changed from one version to another: interventions, allocation and co-financing lines, totals."""
    with reading() as conn:
        try:
            plan = service.get_plan(conn=conn, plan_id=plan_id)
        except PlanNotFound:
            abort(404)
        numbers = [v["number"] for v in service.list_versions(conn=conn, plan_id=plan_id)]
        a = request.args.get("da", type=int) or max(1, plan["current_version"] - 1)
        b = request.args.get("a", type=int) or plan["current_version"]
        if a not in numbers or b not in numbers:
            problem, found = _("Scegli due versioni del piano."), None
        else:
            problem, found = None, service.compared(conn=conn, plan_id=plan_id, a=a, b=b)
    return page("differenze.html", plan=plan, numbers=numbers, a=a, b=b, diff=found, problem=problem,
                money=_money)


def _money(text):
    """A snapshot's amount ("1250.50") as a Decimal for the `euro` filter; None stays None."""
    return None if text is None else Decimal(text)
