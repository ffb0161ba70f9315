"""Public exports: /v1/{tenant}/public/stakeholders.csv and .xlsx (no token: transparency)."""
from __future__ import annotations

from flask import Response, g
from flask.views import MethodView
from shared.http.blueprint import Blueprint

from shared.http.app import current_platform

from services.registry.exports import tables
from services.registry.profile.istat import lookup
from services.registry.stakeholders import store

blp = Blueprint("exports", __name__, url_prefix="/v1/<tenant>/public", public=True,
                description="Esportazioni pubbliche del registro (solo organizzazioni)")

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table() -> list[tuple]:
    region = current_platform().regions.get(g.tenant.region)
    area_names = {a.code: a.name for a in region.areas} if region else {}
    with current_platform().read(g.tenant) as conn:
        stakeholders = store.all_for_export(conn)

    def comune_name(code):
        comune = lookup(code)
        return comune.name if comune else ""
    return tables.rows(stakeholders, area_names=area_names, comune_name=comune_name)


def _download(body: bytes, mimetype: str, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="registro-soggetti-{g.tenant.slug}.{extension}"')
    return response


@blp.route("/stakeholders.csv")
class StakeholdersCsv(MethodView):
    @blp.doc(security=[], responses={"200": {"description": "Il registro in CSV (separatore ';')",
                                             "content": {"text/csv": {"schema": {"type": "string"}}}}})
    def get(self, tenant):
        """The register as CSV (organisations only; no token needed)."""
        return _download(tables.to_csv(_table()), CSV, "csv")


@blp.route("/stakeholders.xlsx")
class StakeholdersXlsx(MethodView):
    @blp.doc(security=[], responses={"200": {"description": "Il registro in XLSX",
                                             "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, tenant):
        """The register as an Excel workbook (organisations only; no token needed)."""
        return _download(tables.to_xlsx(_table(), title=f"Registro dei soggetti - {g.tenant.name}"), XLSX, "xlsx")
