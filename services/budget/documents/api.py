"""The plan's documents: /v1/{tenant}/plans/{id}/versions/{n}/financial-tables.xlsx and /piano.pdf.

Built on each request from the version's snapshot (frozen from adoption on), or from the live content
while the version is still editable (draft, returned): nothing is cached, so a document never shows
figures older than the plan. Who reads the plan reads its documents (the plans' readers).
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Response, g
from flask.views import MethodView

from shared.documents import pdf
from shared.http.app import current_platform
from shared.http.auth import requires
from shared.http.blueprint import Blueprint

from services.budget.documents import service
from services.budget.plans.api import READERS, run

blp = Blueprint("budget_documents", __name__, url_prefix="/v1/<tenant>/plans",
                description="Documenti del piano: tabelle finanziarie (XLSX) e Piano Sociale di Zona (PDF/A)")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
# A draft changes from one minute to the next: any copy is revalidated before reuse.
CACHE = "private, no-cache"


def _responses(description: str, media: str) -> dict:
    return {"200": {"description": description, "content": {media: {"schema": {"type": "string", "format": "binary"}}},
                    "headers": {
                        "Content-Disposition": {"description": "attachment or inline, with the file's name",
                                                "required": True, "schema": {"type": "string"}},
                        "X-Pdz-Live": {"description": "`true` when built from the live content of an editable version",
                                       "required": True, "schema": {"type": "string", "enum": ["true", "false"]}},
                        "Cache-Control": {"description": CACHE, "required": True, "schema": {"type": "string"}}}}}


def _areas() -> dict[str, str]:
    region = current_platform().regions.get(g.tenant.region)
    return {} if region is None else {a.code: a.name for a in region.areas}


def _region_name() -> str | None:
    region = current_platform().regions.get(g.tenant.region)
    return None if region is None else region.name


def _file(data: bytes, *, media: str, filename: str, disposition: str, live: bool) -> Response:
    response = Response(data, content_type=media)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["X-Pdz-Live"] = "true" if live else "false"
    response.headers["Cache-Control"] = CACHE
    return response


@blp.route("/<uuid:plan_id>/versions/<int:number>/financial-tables.xlsx")
class FinancialTables(MethodView):
    @requires(*READERS)
    @blp.doc(etag=False, responses=_responses("Le tabelle finanziarie della versione: per area, per fondo, per anno "
                                              "e per intervento, con i totali (importi in euro)", XLSX))
    def get(self, tenant, plan_id, number):
        """The version's financial tables as XLSX: one sheet per view, totals checked against the plan's."""
        with current_platform().read(g.tenant) as conn:
            content, data = run(lambda: service.financial_tables(
                conn=conn, plan_id=plan_id, number=number, ambito=g.tenant.name, area_names=_areas(),
                generated_at=datetime.now(timezone.utc)))
        plan = content["plan"]
        return _file(data, media=XLSX, disposition="attachment", live=content["live"],
                     filename=f"tabelle-finanziarie-{plan['first_year']}-{plan['last_year']}-v{number}.xlsx")


@blp.route("/<uuid:plan_id>/versions/<int:number>/piano.pdf")
class PianoPdf(MethodView):
    @requires(*READERS)
    @blp.doc(etag=False, responses=_responses("Il Piano Sociale di Zona della versione (PDF/A-2u, A4, in italiano)",
                                              PDF))
    def get(self, tenant, plan_id, number):
        """The Piano Sociale di Zona of the version as PDF/A: territory, participation, interventions, money, timeline."""
        with current_platform().read(g.tenant) as conn:
            content, html = run(lambda: service.piano_html(
                conn=conn, tenant=tenant, plan_id=plan_id, number=number, ambito=g.tenant.name,
                region_name=_region_name(), area_names=_areas(), generated_at=datetime.now(timezone.utc)))
        plan = content["plan"]
        return _file(pdf.to_pdf(html), media=PDF, disposition="inline", live=content["live"],
                     filename=f"piano-sociale-di-zona-{plan['first_year']}-{plan['last_year']}-v{number}.pdf")
