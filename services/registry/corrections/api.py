"""Correction requests HTTP API: /v1/{tenant}/corrections."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import READERS, STAKEHOLDER, WRITERS, requires
from shared.http.blueprint import Blueprint
from shared.http.openapi import conflicts
from shared.http.problems import Problem, invalid

from services.registry.areas import check_areas
from services.registry.corrections import domain, service
from services.registry.corrections.schemas import (CorrectionAcceptIn, CorrectionIn, CorrectionListQuery, CorrectionOut,
                                                   CorrectionPage, CorrectionRejectIn)
from services.registry.seat import check_seat

blp = Blueprint("corrections", __name__, url_prefix="/v1/<tenant>/corrections",
                description="Richieste di correzione dei dati del registro, dalle organizzazioni all'Ufficio di Piano")
ALREADY_DECIDED = ("already-decided", "the request was already accepted or rejected")
STAKEHOLDER_CHANGED = ("stakeholder-changed", "the register's record changed since the version given"
                                              " (`current_version`): read it and the request again")


def not_found() -> Problem:
    """A fresh 404 each time: a shared instance would keep every raise's traceback alive."""
    return Problem(404, "Not Found", "No such correction request.", slug="not-found")


def _own_only() -> bool:
    """A representative sees only the requests it made."""
    return not g.roles.intersection(READERS)


def _run(action):
    try:
        return action()
    except service.CorrectionNotFound:
        raise not_found() from None
    except service.NotYours:
        raise Problem(403, "Forbidden", "You may read only the correction requests you made.",
                      slug="forbidden") from None
    except service.NotRepresented:
        raise invalid(("stakeholder_id", "Not an organisation admitted from one of your applications.")) from None
    except domain.NothingToCorrect:
        raise invalid(("changes", "Every proposed value is already the register's: change at least one.")) from None
    except domain.RuntsSectionRequired:
        raise invalid(("changes.runts_section", "An ETS needs its RUNTS section (a-g).")) from None
    except service.CorrectionPending as exc:
        raise Problem(409, "Conflict", "This organisation already has a correction request waiting for the office.",
                      slug="correction-pending", field="stakeholder_id",
                      correction_id=str(exc.correction_id) if exc.correction_id else None) from None
    except domain.AlreadyDecided as exc:
        raise Problem(409, "Conflict", f"The request is already {exc.status}.", slug="already-decided") from None
    except service.StakeholderChanged as exc:
        raise Problem(409, "Conflict", "The register's record changed since you read it: read it again and decide.",
                      slug="stakeholder-changed", current_version=exc.current_version) from None


@blp.route("")
class Corrections(MethodView):
    @requires(*READERS, STAKEHOLDER)
    @blp.arguments(CorrectionListQuery, location="query")
    @blp.response(200, CorrectionPage)
    def get(self, query, tenant):
        """List requests, oldest first (filters status, stakeholder_id); a representative sees only its own."""
        with current_platform().read(g.tenant) as conn:
            return service.list_corrections(conn=conn, status=query.get("status"),
                                            stakeholder_id=query.get("stakeholder_id"),
                                            only_of=g.principal.subject if _own_only() else None,
                                            after=query.get("after"), limit=query["limit"])

    @requires(STAKEHOLDER)
    @blp.arguments(CorrectionIn)
    @blp.response(201, CorrectionOut)
    @blp.alt_response(409, **conflicts(("correction-pending", "the organisation has a request waiting"
                                                              " (`correction_id` names it)")))
    def post(self, body, tenant):
        """Ask the office to correct an organisation you represent: the fields, the proposed values, a reason."""
        changes = body["changes"]
        if "areas" in changes:
            changes["areas"] = check_areas(changes["areas"], current_platform().regions.get(g.tenant.region),
                                           field="changes.areas", required=False)
        check_seat(changes.get("seat_istat"), field="changes.seat_istat")
        with current_platform().write(g.tenant) as conn:
            return _run(lambda: service.request_correction(conn=conn, by=g.principal.subject,
                                                           stakeholder_id=body["stakeholder_id"], changes=changes,
                                                           reason=body["reason"])), 201


@blp.route("/<uuid:correction_id>")
class CorrectionById(MethodView):
    @requires(*READERS, STAKEHOLDER)
    @blp.response(200, CorrectionOut)
    def get(self, tenant, correction_id):
        """One request with its outcome; a representative reads only its own."""
        with current_platform().read(g.tenant) as conn:
            return _run(lambda: service.get_correction(conn=conn, correction_id=correction_id,
                                                       reader=g.principal.subject, own_only=_own_only()))


@blp.route("/<uuid:correction_id>/accept")
class AcceptCorrection(MethodView):
    @requires(*WRITERS)
    @blp.arguments(CorrectionAcceptIn)
    @blp.response(200, CorrectionOut)
    @blp.alt_response(409, **conflicts(ALREADY_DECIDED, STAKEHOLDER_CHANGED))
    def post(self, body, tenant, correction_id):
        """Accept: the stakeholder takes the proposed values (history, version, stakeholder.updated) at once."""
        with current_platform().write(g.tenant) as conn:
            return _run(lambda: service.accept_correction(conn=conn, tenant=tenant, by=g.principal.subject,
                                                          correction_id=correction_id,
                                                          stakeholder_version=body["stakeholder_version"]))


@blp.route("/<uuid:correction_id>/reject")
class RejectCorrection(MethodView):
    @requires(*WRITERS)
    @blp.arguments(CorrectionRejectIn)
    @blp.response(200, CorrectionOut)
    @blp.alt_response(409, **conflicts(ALREADY_DECIDED))
    def post(self, body, tenant, correction_id):
        """Reject, with the reason the organisation will read; the register is not touched."""
        with current_platform().write(g.tenant) as conn:
            return _run(lambda: service.reject_correction(conn=conn, by=g.principal.subject,
                                                          correction_id=correction_id, reason=body["reason"]))
