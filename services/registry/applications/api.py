"""Applications HTTP API: /v1/{tenant}/applications."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from shared.http.blueprint import Blueprint

from shared.http.app import current_platform
from shared.http.auth import OPERATOR, READERS, STAKEHOLDER, WRITERS, requires
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.problems import Problem, invalid

from services.registry.applications import domain, service
from services.registry.applications.schemas import (ApplicationIn, ApplicationListQuery, ApplicationOut,
                                                    ApplicationPage, ApplicationSummary, RejectIn)
from services.registry.areas import check_areas
from services.registry.calls.service import CallNotFound
from services.registry.seat import check_seat
from services.registry.stakeholders.service import DuplicateTaxCode

blp = Blueprint("applications", __name__, url_prefix="/v1/<tenant>/applications",
                description="Domande di partecipazione agli avvisi, protocollo e istruttoria")

def not_found() -> Problem:
    """A fresh 404 each time: a shared instance would keep every raise's traceback alive."""
    return Problem(404, "Not Found", "No such application.", slug="not-found")



def _own_only() -> bool:
    """A stakeholder representative sees only the applications it submitted."""
    return not g.roles.intersection(READERS)


def _duplicate(protocol_number: str | None) -> Problem:
    """409 naming the application that holds the organisation's place, so a wronged one knows what to contest."""
    if protocol_number is None:  # rejected meanwhile: a retry may pass
        return Problem(409, "Conflict", "This organisation has already applied to this call.",
                       slug="duplicate-application", field="organisation.tax_code")
    return Problem(409, "Conflict", f"This organisation already has a standing application to this call"
                   f" (protocol {protocol_number}). If your organisation did not file it, ask the Ufficio di Piano"
                   " to review it: once it is rejected, you can apply.", slug="duplicate-application",
                   field="organisation.tax_code", standing_protocol_number=protocol_number)


def _run(action):
    try:
        return action()
    except service.ApplicationNotFound:
        raise not_found() from None
    except service.NotYours:
        raise Problem(403, "Forbidden", "You may read only the applications you submitted.",
                      slug="forbidden") from None
    except CallNotFound:
        raise invalid(("call_id", "No such call in this Ambito.")) from None
    except service.CallNotAccepting as exc:
        raise Problem(409, "Call not accepting applications", f"Not accepted: {exc}.", slug="call-closed",
                      deadline=exc.deadline.isoformat()) from None
    except service.AreasOutsideCall as exc:
        raise invalid(*[("areas", f"The call does not concern area {code!r}.") for code in exc.codes]) from None
    except service.DuplicateApplication as exc:
        raise _duplicate(exc.protocol_number) from None
    except domain.ApplicationRuleError as exc:
        raise Problem(409, "Conflict", str(exc), slug="application-state") from None
    except DuplicateTaxCode:
        raise Problem(409, "Conflict", "The register already holds this tax code.",
                      slug="duplicate-tax-code") from None


@blp.route("")
class Applications(MethodView):
    @requires(*READERS, STAKEHOLDER)
    @blp.arguments(ApplicationListQuery, location="query")
    @blp.response(200, ApplicationPage)
    def get(self, query, tenant):
        """List applications (a stakeholder representative sees only its own)."""
        only_of = g.principal.subject if _own_only() else None
        with current_platform().read(g.tenant) as conn:
            return service.list_applications(conn=conn, call_id=query.get("call_id"), status=query.get("status"),
                                             tax_code=query.get("tax_code"), submitted_by=query.get("submitted_by"),
                                             only_of=only_of, after=query.get("after"), limit=query["limit"])

    @requires(STAKEHOLDER, OPERATOR)
    @idempotent
    @blp.arguments(ApplicationIn)
    @blp.response(201, ApplicationSummary)
    @blp.alt_response(409, **conflicts(
        ("call-closed", "the call is not open for applications now (`deadline` says when it closed or opens)"),
        ("duplicate-application", "this organisation (`field`: organisation.tax_code) has a standing (submitted"
                                  " or admitted) application to the call; `standing_protocol_number` names it")))
    def post(self, body, tenant):
        """Apply to an open call; the answer carries the protocol number (Idempotency-Key honoured)."""
        body["areas"] = check_areas(body["areas"], current_platform().regions.get(g.tenant.region))
        check_seat(body["organisation"]["seat_istat"], field="organisation.seat_istat")
        with current_platform().write(g.tenant) as conn:
            return _run(lambda: service.submit_application(conn=conn, tenant=tenant, by=g.principal.subject,
                                                           request_id=g.request_id, **body))


@blp.route("/<uuid:application_id>")
class ApplicationById(MethodView):
    @requires(*READERS, STAKEHOLDER)
    @blp.response(200, ApplicationOut)
    def get(self, tenant, application_id):
        """One application with the people it names (the read is logged)."""
        with current_platform().read(g.tenant) as conn:
            return _run(lambda: service.get_application(conn=conn, application_id=application_id,
                                                        reader=g.principal.subject, own_only=_own_only(),
                                                        request_id=g.request_id))


@blp.route("/<uuid:application_id>/admit")
class AdmitApplication(MethodView):
    @requires(*WRITERS)
    @blp.response(200, ApplicationSummary)
    @blp.alt_response(409, **conflicts(("application-state", "the application was already reviewed"),
                                       ("duplicate-tax-code", "the register took this tax code meanwhile")))
    def post(self, tenant, application_id):
        """Admit: the organisation enters (or is updated in) the stakeholder register."""
        with current_platform().write(g.tenant) as conn:
            return _run(lambda: service.admit_application(conn=conn, tenant=tenant, by=g.principal.subject,
                                                          application_id=application_id))


@blp.route("/<uuid:application_id>/reject")
class RejectApplication(MethodView):
    @requires(*WRITERS)
    @blp.arguments(RejectIn)
    @blp.response(200, ApplicationSummary)
    @blp.alt_response(409, **conflicts(("application-state", "the application was already reviewed")))
    def post(self, body, tenant, application_id):
        """Reject, with the reason."""
        with current_platform().write(g.tenant) as conn:
            return _run(lambda: service.reject_application(conn=conn, tenant=tenant, by=g.principal.subject,
                                                           application_id=application_id,
                                                           reason=body["reason"]))
