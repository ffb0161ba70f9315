"""Sessions HTTP API: /v1/{tenant}/tables/{table_id}/sessions, /v1/{tenant}/sessions/{id} and invitations."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version, stale
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.problems import Problem, invalid

from services.consultation.sessions import domain, invitations, service
from services.consultation.sessions.schemas import (InvitationList, SessionCancelIn, SessionIn, SessionInviteIn,
                                                    SessionInviteOut, SessionListQuery, SessionOut, SessionPage,
                                                    SessionPatch)
from services.consultation.tables import access

blp = Blueprint("sessions", __name__, url_prefix="/v1/<tenant>",
                description="Sessioni dei tavoli: data, luogo, ordine del giorno, posti, inviti")

# Sessions name organisations and places, no people: everyone of the Ambito reads them.
READERS = (REGIONAL_ADMIN, OPERATOR, COORDINATOR, STAKEHOLDER, AUDITOR)
# Managers: the Ufficio di Piano and the table's own coordinator (checked against the table's row).
MANAGERS = (OPERATOR, COORDINATOR)
STATE = ("session-state", "the session's status does not allow it (only a scheduled session changes)")


def caller() -> access.Caller:
    return access.Caller(g.principal.subject, g.roles)


def run(action):
    """Map the use cases' refusals to problems (fresh instances each time)."""
    try:
        return action()
    except (service.TableNotFound, service.SessionNotFound):
        raise Problem(404, "Not Found", "No such table or session in this Ambito.", slug="not-found") from None
    except access.NotAllowed as exc:
        raise Problem(403, "Forbidden", exc.reason, slug="forbidden") from None
    except service.Stale as exc:
        raise stale(exc.current_version) from None
    except domain.SessionInputError as exc:
        raise invalid((exc.field, str(exc))) from None
    except domain.SessionRuleError as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None


def _answer(conn, session: dict, status: int = 200):
    return service.with_seats(conn, session), status, {"ETag": etag(session["version"])}


@blp.route("/tables/<uuid:table_id>/sessions")
class TableSessions(MethodView):
    @requires(*READERS)
    @blp.arguments(SessionListQuery, location="query")
    @blp.response(200, SessionPage)
    def get(self, query, tenant, table_id):
        """A table's sessions, in the order they were scheduled; filter status; cursor pagination."""
        with current_platform().read(g.tenant) as conn:
            found = run(lambda: service.list_sessions(conn=conn, table_id=table_id, status=query.get("status"),
                                                      after=query.get("after"), limit=query["limit"]))
            found["items"] = [service.with_seats(conn, s) for s in found["items"]]
        return found

    @requires(*MANAGERS)
    @idempotent
    @blp.arguments(SessionIn)
    @blp.response(201, SessionOut)
    def post(self, body, tenant, table_id):
        """Schedule a session (the table's coordinator or an operator; Idempotency-Key honoured)."""
        with current_platform().write(g.tenant) as conn:
            return _answer(conn, run(lambda: service.schedule(conn=conn, tenant=tenant, caller=caller(),
                                                              table_id=table_id, **body)), 201)


@blp.route("/sessions/<uuid:session_id>")
class SessionById(MethodView):
    @requires(*READERS)
    @blp.response(200, SessionOut)
    def get(self, tenant, session_id):
        """One session, with its seats and ETag."""
        with current_platform().read(g.tenant) as conn:
            return _answer(conn, run(lambda: service.get_session(conn=conn, session_id=session_id)))

    @requires(*MANAGERS)
    @blp.arguments(SessionPatch(partial=True))
    @blp.response(200, SessionOut)
    @blp.alt_response(409, **conflicts(STATE, ("seat-limit-below-registered",
                                               "the new seat limit is below the seats already allotted")))
    def patch(self, body, tenant, session_id):
        """Change a scheduled session (If-Match required); a higher seat limit promotes the waiting list."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(conn, run(lambda: service.change(conn=conn, tenant=tenant, caller=caller(),
                                                   session_id=session_id, version=version, changes=body)))


@blp.route("/sessions/<uuid:session_id>/hold")
class HoldSession(MethodView):
    @requires(*MANAGERS)
    @blp.response(200, SessionOut)
    @blp.alt_response(409, **conflicts(("session-state", "the session is not scheduled, or has not started yet")))
    def post(self, tenant, session_id):
        """Record that the session took place (If-Match required): then its minutes can be written."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(conn, run(lambda: service.hold(conn=conn, tenant=tenant, caller=caller(),
                                                 session_id=session_id, version=version)))


@blp.route("/sessions/<uuid:session_id>/cancel")
class CancelSession(MethodView):
    @requires(*MANAGERS)
    @blp.arguments(SessionCancelIn)
    @blp.response(200, SessionOut)
    @blp.alt_response(409, **conflicts(("session-state", "only a scheduled session can be cancelled")))
    def post(self, body, tenant, session_id):
        """Cancel a scheduled session (If-Match required); its registrations stay on record."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(conn, run(lambda: service.cancel(conn=conn, tenant=tenant, caller=caller(),
                                                   session_id=session_id, version=version, reason=body["reason"])))


@blp.route("/sessions/<uuid:session_id>/invitations")
class Invitations(MethodView):
    @requires(*READERS)
    @blp.response(200, InvitationList)
    def get(self, tenant, session_id):
        """The organisations invited, in the order they were invited."""
        with current_platform().read(g.tenant) as conn:
            return {"items": run(lambda: invitations.list_invitations(conn=conn, session_id=session_id))}

    @requires(*MANAGERS)
    @idempotent
    @blp.arguments(SessionInviteIn)
    @blp.response(201, SessionInviteOut)
    @blp.alt_response(409, **conflicts(("session-state", "invitations go to scheduled sessions only")))
    def post(self, body, tenant, session_id):
        """Invite the table's members in force (all, or those listed); says who was not invited and why."""
        with current_platform().write(g.tenant) as conn:
            return run(lambda: invitations.invite(conn=conn, tenant=tenant, caller=caller(), session_id=session_id,
                                                  organisation_ids=body["organisation_ids"])), 201
