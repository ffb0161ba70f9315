"""The progress upload of a plan: a CSV (';', UTF-8) or XLSX file of quarters, checked row by row and applied all
or nothing, with the report of the refused rows (line and reason, in Italian) shown on the page."""
from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _

from shared.http.auth import OPERATOR
from shared.web import page_requires

from services.budget.interventions import progress_service
from services.budget.interventions.http import today
from services.budget.interventions.upload import UnreadableFile, read_table
from services.budget.pages.blueprint import blp
from services.budget.pages.common import done, page, reading, writing
from services.budget.plans import service as plans
from services.budget.plans.editable import PlanNotFound


def _upload_page(plan_id, status=200, *, errors=None, refused=None, total=0):
    with reading() as conn:
        try:
            plan = plans.get_plan(conn=conn, plan_id=plan_id)
        except PlanNotFound:
            abort(404)
    return page("avanzamento.html", status, plan=plan, errors=errors or {}, refused=refused or [], total=total)


@blp.route("/bilancio/piani/<uuid:plan_id>/avanzamento", methods=["GET", "POST"])
@page_requires(OPERATOR)
def progress_upload(tenant, plan_id):
    """Upload the quarters' progress of the plan's interventions: every row applied, or none and the report."""
    if request.method == "GET":
        return _upload_page(plan_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(plan_id, 422, errors={"file": _("Scegli il file da caricare (CSV o XLSX).")})
    try:
        table = read_table(upload.read())
    except UnreadableFile as exc:
        return _upload_page(plan_id, 422, errors={"file": _("Il file non si legge come tabella: %(motivo)s.",
                                                            motivo=str(exc).rstrip("."))})
    if not table.rows:
        return _upload_page(plan_id, 422, errors={"file": _("Il file non contiene righe di dati dopo l'intestazione.")})
    try:
        with writing() as conn:
            result = progress_service.upload_progress(conn=conn, tenant=tenant, by=g.principal.subject,
                                                      plan_id=plan_id, table=table, today=today())
    except PlanNotFound:
        abort(404)
    except progress_service.RowsRefused as exc:
        return _upload_page(plan_id, 422, refused=exc.rows, total=exc.total, errors={"file": _(
            "Righe rifiutate: %(rifiutate)s su %(totale)s, e nessuna è stata applicata. Correggi il file e caricalo di"
            " nuovo.", rifiutate=len(exc.rows), totale=exc.total)})
    return done(_("Avanzamento caricato: righe applicate %(n)s (nuovi trimestri %(nuove)s, correzioni %(sostituite)s).",
                  n=result["applied"], nuove=result["created"], sostituite=result["replaced"]), "interventions",
                plan_id=plan_id)
