"""Exports HTTP API for the national platforms: /v1/{tenant}/exports/sioss/{fund}/{section},
/exports/fondo-poverta, /exports/pnrr-cup, each as .csv, .xlsx and .json (GET only, `Cache-Control: no-store`).

docs/budget.md "Exports for the national platforms" maps every column to its source.
"""
from __future__ import annotations

from flask import Response, g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.problems import Problem

from services.budget.exports import rows, service, writers
from services.budget.exports.layouts import SIOSS_SECTIONS
from services.budget.exports.schemas import PovertyQuery, SiossQuery

blp = Blueprint("budget_exports", __name__, url_prefix="/v1/<tenant>/exports",
                description="Esportazioni per le piattaforme nazionali (SIOSS, Piattaforma Multifondo, ReGiS): "
                            "CSV, XLSX e JSON in italiano")

# Allocations, acts and progress are public spending (D.Lgs. 33/2013), readable by every role in the API:
# their files are too. No file names a person.
READERS = (OPERATOR, COORDINATOR, STAKEHOLDER, AUDITOR, REGIONAL_ADMIN)
MEDIA = {"csv": ("text/csv", {"type": "string"}, "CSV (separatore ';', UTF-8 con BOM, CRLF)"),
         "xlsx": (writers.XLSX, {"type": "string", "format": "binary"}, "Cartella di lavoro Excel (XLSX)"),
         "json": (writers.JSON, {"type": "object"}, "JSON (importi come stringhe con due decimali)")}


def _file(fmt: str, what: str, name: str) -> dict:
    media_type, schema, description = MEDIA[fmt]
    return {"200": {"description": f"{what}: {description}", "content": {media_type: {"schema": schema}},
                    "headers": {"Content-Disposition": {"description": f"attachment; filename={name}.{fmt}",
                                                        "required": True, "schema": {"type": "string"}}}}}


def _area_names() -> dict[str, str]:
    region = current_platform().regions.get(g.tenant.region)
    return {a.code: a.name for a in region.areas} if region else {}


def send(table: service.Table, fmt: str, *, name: str) -> Response:
    """The table as a file in `fmt`; CSV and XLSX end with the totals row, JSON carries `totals`."""
    if fmt == "json":
        body = writers.to_json(table.layout, table.rows, totals=table.totals,
                               about={"ambito": g.tenant.slug, **table.about})
    else:
        lines = table.rows + [rows.totals_row(table.layout, table.rows)]
        body = (writers.to_csv(table.layout, lines) if fmt == "csv" else
                writers.to_xlsx(table.layout, lines, title=f"{table.layout.sheet} — {g.tenant.name}"))
    response = Response(body, content_type=writers.CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _sioss(query: dict, fmt: str, fund: str, section: str) -> Response:
    try:
        with current_platform().read(g.tenant) as conn:
            table = service.sioss(conn, fund=fund, section=section, year=query["year"], area_names=_area_names())
    except service.NotASiossFund:
        raise Problem(404, "Not Found", "SIOSS has modules for FNA, FNPS and DOPO-DI-NOI only.",
                      slug="not-found") from None
    suffix = f"-{query['year']}" if query["year"] else ""
    return send(table, fmt, name=f"sioss-{fund.lower()}-{section}-{g.tenant.slug}{suffix}")


def _poverty(query: dict, fmt: str) -> Response:
    with current_platform().read(g.tenant) as conn:
        table = service.fondo_poverta(conn, year=query["year"], as_of=query["as_of"])
    return send(table, fmt, name=f"fondo-poverta-{g.tenant.slug}-{table.about['as_of']:%Y%m%d}")


def _pnrr(fmt: str) -> Response:
    with current_platform().read(g.tenant) as conn:
        table = service.pnrr_cup(conn)
    return send(table, fmt, name=f"pnrr-cup-{g.tenant.slug}")


def _sioss_view(fmt: str, section: str):
    def get(self, query, tenant, fund):
        return _sioss(query, fmt, fund, section)
    get.__doc__ = (f"SIOSS, {SIOSS_SECTIONS[section].sheet.lower()} of one fund (FNA, FNPS, DOPO-DI-NOI) as "
                   f"{fmt.upper()}, in Italian (`year` optional).")
    what = f"SIOSS {SIOSS_SECTIONS[section].sheet}"
    return requires(*READERS)(blp.arguments(SiossQuery, location="query")(
        blp.doc(responses=_file(fmt, what, f"sioss-<fondo>-{section}-<ambito>"))(get)))


def _poverty_view(fmt: str):
    def get(self, query, tenant):
        return _poverty(query, fmt)
    get.__doc__ = (f"The Fondo Povertà economic-financial summary (quota servizi, povertà estrema) per annualità "
                   f"as {fmt.upper()}, cumulative at `as_of`.")
    return requires(*READERS)(blp.arguments(PovertyQuery, location="query")(
        blp.doc(responses=_file(fmt, "Riepilogo economico-finanziario del Fondo Povertà",
                                "fondo-poverta-<ambito>-<data>"))(get)))


def _pnrr_view(fmt: str):
    def get(self, tenant):
        return _pnrr(fmt)
    get.__doc__ = f"Progress per CUP of the interventions financed by PNRR M5C2 lines, as {fmt.upper()}."
    return requires(*READERS)(blp.doc(responses=_file(fmt, "Avanzamento per CUP (PNRR)", "pnrr-cup-<ambito>"))(get))


for _fmt in writers.FORMATS:
    for _section in SIOSS_SECTIONS:
        blp.route(f"/sioss/<fund>/{_section}.{_fmt}")(
            type(f"Sioss_{_section.replace('-', '_')}_{_fmt}", (MethodView,), {"get": _sioss_view(_fmt, _section)}))
    blp.route(f"/fondo-poverta.{_fmt}")(type(f"FondoPoverta_{_fmt}", (MethodView,), {"get": _poverty_view(_fmt)}))
    blp.route(f"/pnrr-cup.{_fmt}")(type(f"PnrrCup_{_fmt}", (MethodView,), {"get": _pnrr_view(_fmt)}))
