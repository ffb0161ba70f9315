"""Consultation's personal-data HTTP API: /v1/{tenant}/privacy/… (attendees named in attendance registers)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, OPERATOR, requires
from shared.http.blueprint import Blueprint
from shared.http.idempotency import idempotent
from shared.http.sharing_api import allowed_after_merger

from services.consultation.privacy import service
from services.consultation.privacy.schemas import AttendeeErasureIn, AttendeeErasureOut, AccessLogPage, AccessLogQuery

blp = Blueprint("consultation_privacy", __name__, url_prefix="/v1/<tenant>/privacy",
                description="Dati personali dei registri presenze: registro degli accessi, cancellazioni"
                            " (GDPR art. 17)")


@blp.route("/erasures")
class Erasures(MethodView):
    @allowed_after_merger   # erasure is a data subject's right: a merged Ambito honours it too
    @requires(OPERATOR)
    @idempotent
    @blp.arguments(AttendeeErasureIn)
    @blp.response(201, AttendeeErasureOut)
    def post(self, body, tenant):
        """Remove a person's name and role from every attendance register; the answer lists what was removed."""
        with current_platform().write(g.tenant) as conn:
            return service.erase_attendee(conn=conn, tenant=tenant, by=g.principal.subject,
                                          name=body["attendee_name"], organisation_id=body["organisation_id"],
                                          request_id=g.request_id), 201


@blp.route("/access-log")
class AccessLog(MethodView):
    # The Ufficio di Piano (the controller) and the auditor; entries name accounts and record ids, no attendee.
    @requires(OPERATOR, AUDITOR)
    @blp.arguments(AccessLogQuery, location="query")
    @blp.response(200, AccessLogPage)
    def get(self, query, tenant):
        """Who read, recorded, changed or erased attendees' data, and when; filters subject, action, record, time."""
        with current_platform().read(g.tenant) as conn:
            return service.access_log(conn=conn, after=query.get("after"), limit=query["limit"],
                                      subject=query.get("subject"), action=query.get("action"),
                                      resource=query.get("resource"), resource_id=query.get("resource_id"),
                                      since=query.get("from_"), until=query.get("to"))
