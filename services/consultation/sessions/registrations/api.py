"""Registrations HTTP API: /v1/{tenant}/sessions/{id}/registrations."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import COORDINATOR, OPERATOR, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.problems import Problem

from services.consultation.members.domain import NotAllowed as OrganisationNotAllowed
from services.consultation.sessions.api import READERS, caller, run as run_session
from services.consultation.sessions.registrations import service
from services.consultation.sessions.registrations.schemas import (RegistrationIn, RegistrationListQuery,
                                                                  RegistrationOut, RegistrationPage)

blp = Blueprint("session_registrations", __name__, url_prefix="/v1/<tenant>/sessions/<uuid:session_id>/registrations",
                description="Iscrizioni alle sessioni: posti e lista d'attesa")

# Representatives register their own organisation; the office registers on a member's behalf.
WRITERS = (OPERATOR, COORDINATOR, STAKEHOLDER)
STATE = ("session-state", "registrations are closed (the session is not scheduled, or has started)")


def run(action):
    try:
        return run_session(action)
    except service.RegistrationNotFound:
        raise Problem(404, "Not Found", "No such registration for this session.", slug="not-found") from None
    except service.RegistrationRuleError as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None
    except OrganisationNotAllowed as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None


def _answer(registration: dict, status: int = 200):
    return registration, status, {"ETag": etag(registration["version"])}


@blp.route("")
class Registrations(MethodView):
    @requires(*READERS)
    @blp.arguments(RegistrationListQuery, location="query")
    @blp.response(200, RegistrationPage)
    def get(self, query, tenant, session_id):
        """The registrations in registration order (the waiting list's order); filter status."""
        with current_platform().read(g.tenant) as conn:
            return run(lambda: service.list_registrations(conn=conn, session_id=session_id, status=query.get("status"),
                                                          after=query.get("after"), limit=query["limit"]))

    @requires(*WRITERS)
    @idempotent
    @blp.arguments(RegistrationIn)
    @blp.response(201, RegistrationOut)
    @blp.alt_response(409, **conflicts(
        STATE, ("not-invited", "the organisation is not invited to this session"),
        ("already-registered", "the organisation is already registered or waiting"),
        ("organisation-suspended", "the organisation is suspended from the network"),
        ("organisation-withdrawn", "the organisation withdrew from the network"),
        ("unknown-organisation", "the organisation is not in the Ambito's register"),
        ("shared-organisation", "the organisation belongs to another Ambito's register"),
        ("organisation-revoked", "the organisation's former Ambito no longer shares its register")))
    def post(self, body, tenant, session_id):
        """Register an organisation (its representative, or the office on its behalf): a seat, or the waiting list."""
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.register(
                conn=conn, tenant=tenant, caller=caller(), session_id=session_id,
                organisation_id=body["organisation_id"], seats_wanted=body["seats"], on_behalf=body["on_behalf"])), 201)


@blp.route("/<uuid:registration_id>")
class RegistrationById(MethodView):
    @requires(*READERS)
    @blp.response(200, RegistrationOut)
    def get(self, tenant, session_id, registration_id):
        """One registration, with its place on the waiting list and ETag."""
        with current_platform().read(g.tenant) as conn:
            return _answer(run(lambda: service.get_registration(conn=conn, session_id=session_id,
                                                                registration_id=registration_id)))


@blp.route("/<uuid:registration_id>/cancel")
class CancelRegistration(MethodView):
    @requires(*WRITERS)
    @blp.response(200, RegistrationOut)
    @blp.alt_response(409, **conflicts(STATE, ("registration-cancelled", "the registration is already cancelled")))
    def post(self, tenant, session_id, registration_id):
        """Cancel a registration (If-Match required): the freed seats go to the waiting list, in order."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(run(lambda: service.cancel(conn=conn, tenant=tenant, caller=caller(), session_id=session_id,
                                                      registration_id=registration_id, version=version)))
