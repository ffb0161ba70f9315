"""Progress HTTP API: /v1/{tenant}/interventions/{id}/progress and the upload /v1/{tenant}/plans/{id}/progress."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import OPERATOR, ROLES, requires
from shared.http.blueprint import Blueprint
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts, problems
from shared.http.problems import invalid

from services.budget.interventions import progress_service as service
from services.budget.interventions.http import CANCELLED, ROWS_REFUSED, run, today
from services.budget.interventions.progress_domain import check_outputs
from services.budget.interventions.schemas import ProgressIn, ProgressList, ProgressOut, UploadIn, UploadOut
from services.budget.interventions.upload import UnreadableFile, read_table

blp = Blueprint("budget_progress", __name__, url_prefix="/v1/<tenant>",
                description="Monitoraggio degli interventi: stato, avanzamento e indicatori di output per "
                            "trimestre, anche da file CSV o XLSX")


@blp.route("/interventions/<uuid:intervention_id>/progress")
class Progress(MethodView):
    @requires(*ROLES)
    @blp.response(200, ProgressList)
    def get(self, tenant, intervention_id):
        """The intervention's progress records, oldest quarter first."""
        with current_platform().read(g.tenant) as conn:
            return {"items": run(lambda: service.list_progress(conn=conn, intervention_id=intervention_id))}

    @requires(OPERATOR)
    @idempotent
    @blp.arguments(ProgressIn)
    @blp.response(201, ProgressOut)
    @blp.alt_response(200, schema=ProgressOut, description="The quarter had a record: it was replaced (revision + 1)")
    @blp.alt_response(409, **conflicts(CANCELLED))
    def post(self, body, tenant, intervention_id):
        """Record a quarter's status, percentage, output indicators and actual start (201), or correct it (200):
        the Ufficio di Piano, also after the plan's adoption; Idempotency-Key."""
        by, day = g.principal.subject, today()
        body["outputs"] = run(lambda: check_outputs(body["outputs"]))
        with current_platform().write(g.tenant) as conn:
            record, new = run(lambda: service.record_progress(conn=conn, tenant=tenant, by=by,
                                                               intervention_id=intervention_id, today=day, **body))
        return record, 201 if new else 200


@blp.route("/plans/<uuid:plan_id>/progress")
class ProgressUpload(MethodView):
    @requires(OPERATOR)
    @idempotent
    @blp.arguments(UploadIn, location="files")
    @blp.response(200, UploadOut)
    @blp.alt_response(422, **problems(422, ROWS_REFUSED))
    def post(self, files, tenant, plan_id):
        """Upload the quarters' progress of the plan's interventions as CSV (';', UTF-8) or XLSX: every row is
        checked, and either all are applied in one transaction or none (422 rows-refused with each line's reason)."""
        try:
            table = read_table(files["file"].read())
        except UnreadableFile as exc:
            raise invalid(("file", str(exc)), location="files") from None
        if not table.rows:
            raise invalid(("file", "il file non contiene righe di dati dopo l'intestazione"), location="files")
        by, day = g.principal.subject, today()
        with current_platform().write(g.tenant) as conn:
            return run(lambda: service.upload_progress(conn=conn, tenant=tenant, by=by, plan_id=plan_id, table=table,
                                                       today=day))
