"""Pages of the sessions: schedule one with its invitations, one session, invite, record it held, take attendance."""
from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.web import page_requires
from shared.web.payload import local_instant, messages, payload

from services.consultation.pages import labels
from services.consultation.pages.blueprint import blp
from services.consultation.pages.common import EVERYONE, MANAGERS, caller, done, manages_table, page, reading, \
    refused, writing
from services.consultation.pages.tables import table_or_404
from services.consultation.sessions import domain, invitations, service
from services.consultation.sessions.attendance import service as attendance
from services.consultation.sessions.attendance.schemas import AttendanceEntryIn
from services.consultation.sessions.minutes import service as minutes
from services.consultation.sessions.schemas import SessionIn
from services.consultation.tables import membership
from services.consultation.tables.access import NotAllowed

RULES = {
    "title": _l("Il titolo va da 1 a 300 caratteri."),
    "starts_at": _l("Indica data e ora di inizio (gg/mm/aaaa, hh:mm)."),
    "ends_at": _l("La fine, se indicata, viene dopo l'inizio."),
    "place": _l("Indica il luogo o il collegamento per la videoconferenza (o entrambi)."),
    "video_link": _l("Un indirizzo web completo, per esempio https://meet.example.it/tavolo."),
    "agenda": _l("Al massimo 50 punti, uno per riga, di al massimo 500 caratteri."),
    "seat_limit": _l("Un numero intero da 1 a 10.000, o vuoto per nessun limite."),
}
ATTENDANCE_RULES = {"organisation_id": _l("Scegli un'organizzazione invitata."),
                    "mode": _l("Scegli in presenza o da remoto.")}
STALE = _l("Nel frattempo qualcun altro ha modificato la sessione: rileggila e riprova.")
NOT_MANAGER = _l("Solo l'Ufficio di Piano o il coordinatore di questo tavolo possono farlo.")


def session_refusal(exc) -> str:
    """A session use case's refusal in Italian."""
    if isinstance(exc, service.Stale):
        return str(STALE)
    if isinstance(exc, domain.SeatLimitTooLow):
        return _("I posti già assegnati superano il nuovo limite.")
    text = str(exc)
    if "cannot have been held yet" in text:
        return _("La sessione non è ancora iniziata: potrà dirsi svolta dall'ora di inizio.")
    if "cancelled" in text and "attendance" in text:
        return _("Una sessione annullata non ha registro delle presenze.")
    if "minutes are written" in text:
        return _("Il verbale si scrive per una sessione svolta: segnatela prima come svolta.")
    if "invitations go to" in text:
        return _("Gli inviti vanno solo a sessioni convocate (non svolte né annullate).")
    return _("La sessione non lo consente nel suo stato attuale.")


def session_or_404(conn, session_id) -> tuple[dict, dict]:
    """The session (with seats) and its table."""
    try:
        found = service.get_session(conn=conn, session_id=session_id)
    except service.SessionNotFound:
        abort(404)
    return service.with_seats(conn, found), table_or_404(conn, found["table_id"])


@blp.route("/tavoli/<uuid:table_id>/sessioni/nuova", methods=["GET", "POST"])
@page_requires(*MANAGERS)
def new_session(tenant, table_id):
    """Schedule a session of a table and (by default) invite its members, in one transaction."""
    with reading() as conn:
        table = table_or_404(conn, table_id)
    if not manages_table(table):
        abort(403)
    if request.method == "GET":
        return page("sessione_nuova.html", table=table, values=MultiDict({"invite": "1"}), errors={})
    form = request.form
    data = payload(form, fields=("title", "starts_at", "ends_at", "place", "video_link", "seat_limit"),
                   lines=("agenda",))
    for name in ("starts_at", "ends_at"):
        if name in data:
            data[name] = local_instant(data[name])
    errors = {}
    try:
        body = SessionIn().load(data)
    except ValidationError as err:
        errors = messages(err, RULES)
    # The schema checks where only once every field is valid: checked here too, so every message shows at once.
    if "place" not in data and "video_link" not in data:
        errors.setdefault("place", str(RULES["place"]))
    if errors:
        return page("sessione_nuova.html", 422, table=table, values=form, errors=errors)
    try:
        with writing() as conn, conn.transaction():
            session = service.schedule(conn=conn, tenant=tenant, caller=caller(), table_id=table_id, **body)
            sent = invitations.invite(conn=conn, tenant=tenant, caller=caller(), session_id=session["id"]) \
                if "invite" in form else {"invited": []}
    except service.TableNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except domain.SessionInputError as exc:
        return page("sessione_nuova.html", 422, table=table, values=form, errors={exc.field: str(RULES[exc.field])})
    return done(_("Sessione convocata; organizzazioni invitate: %(n)s.", n=len(sent["invited"])), "session",
                session_id=session["id"])


@blp.route("/sessioni/<uuid:session_id>")
@page_requires(*EVERYONE)
def session(tenant, session_id):
    """One session: when and where, its agenda, who is invited, who came, its minutes and documents."""
    with reading() as conn:
        found, table = session_or_404(conn, session_id)
        invited = invitations.list_invitations(conn=conn, session_id=session_id)
        present = attendance.summary(conn=conn, session_id=session_id)["organisations"]
        versions = minutes.list_versions(conn=conn, caller=caller(), session_id=session_id)
        manages = manages_table(table)
        uninvited = []
        if manages and found["status"] == domain.SCHEDULED:
            _t, members = membership.list_members(conn=conn, table_id=table["id"], state="member",
                                                  organisation_id=None, after=None, limit=500)
            already = {i["organisation_id"] for i in invited}
            uninvited = [m for m in members["items"] if m["organisation_id"] not in already]
    return page("sessione.html", session=found, table=table, invited=invited, present=present,
                minutes=versions, manages=manages, uninvited=uninvited, started=found["starts_at"] <= service.now())


@blp.route("/sessioni/<uuid:session_id>/inviti", methods=["POST"])
@page_requires(*MANAGERS)
def invite(tenant, session_id):
    """Invite the table's members (the ones ticked, or all of them)."""
    chosen = request.form.getlist("organisation_ids") or None
    try:
        with writing() as conn:
            sent = invitations.invite(conn=conn, tenant=tenant, caller=caller(), session_id=session_id,
                                      organisation_ids=chosen)
    except service.SessionNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except domain.SessionRuleError as exc:
        return refused(session_refusal(exc), "session", session_id=session_id)
    if sent["not_invited"]:
        return refused(_("Non invitate: %(n)s (non più membri del tavolo o sospese).", n=len(sent["not_invited"])),
                       "session", session_id=session_id)
    return done(_("Organizzazioni invitate: %(n)s.", n=len(sent["invited"])), "session", session_id=session_id)


@blp.route("/sessioni/<uuid:session_id>/svolta", methods=["POST"])
@page_requires(*MANAGERS)
def hold(tenant, session_id):
    """Record that the session took place: then its minutes can be written."""
    version = request.form.get("version", type=int)
    try:
        with writing() as conn:
            service.hold(conn=conn, tenant=tenant, caller=caller(), session_id=session_id,
                         version=version if version is not None else -1)
    except service.SessionNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except (service.Stale, domain.SessionRuleError) as exc:
        return refused(session_refusal(exc), "session", session_id=session_id)
    return done(_("Sessione registrata come svolta: ora si può scrivere il verbale."), "session", session_id=session_id)


@blp.route("/sessioni/<uuid:session_id>/annulla", methods=["POST"])
@page_requires(*MANAGERS)
def cancel(tenant, session_id):
    """Cancel a scheduled session, with its reason (its invitations and registrations stay on record)."""
    version = request.form.get("version", type=int)
    reason = (request.form.get("reason") or "").strip() or None
    if reason is not None and len(reason) > 2000:
        return refused(_("Il motivo ha al massimo 2.000 caratteri."), "session", session_id=session_id)
    try:
        with writing() as conn:
            service.cancel(conn=conn, tenant=tenant, caller=caller(), session_id=session_id,
                           version=version if version is not None else -1, reason=reason)
    except service.SessionNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except (service.Stale, domain.SessionRuleError) as exc:
        return refused(session_refusal(exc), "session", session_id=session_id)
    return done(_("Sessione annullata."), "session", session_id=session_id)


def _attendance_page(session_id, status: int = 200, *, errors=None):
    with reading() as conn:
        found, table = session_or_404(conn, session_id)
        if not manages_table(table):
            abort(403)
        invited = invitations.list_invitations(conn=conn, session_id=session_id)
        _t, members = membership.list_members(conn=conn, table_id=table["id"], state="member",
                                              organisation_id=None, after=None, limit=500)
        present = {p["organisation_id"]: p for p in attendance.summary(conn=conn, session_id=session_id)["organisations"]}
    listed = {i["organisation_id"]: i["name"] for i in invited}
    for m in members["items"]:
        listed.setdefault(m["organisation_id"], m["organisation_name"])
    return page("presenze.html", status, session=found, table=table, present=present, errors=errors or {},
                organisations=[(oid, name) for oid, name in listed.items()])


@blp.route("/sessioni/<uuid:session_id>/presenze", methods=["GET", "POST"])
@page_requires(*MANAGERS)
def attendance_sheet(tenant, session_id):
    """The attendance sheet for a tablet: one tap per organisation present, in the room or remote."""
    if request.method == "GET":
        return _attendance_page(session_id)
    try:
        body = AttendanceEntryIn().load(payload(request.form, fields=("organisation_id", "mode")))
    except ValidationError as err:
        return _attendance_page(session_id, 422, errors=messages(err, ATTENDANCE_RULES))
    try:
        with writing() as conn:
            entry = attendance.record(conn=conn, tenant=tenant, caller=caller(), request_id=g.get("request_id"),
                                      session_id=session_id, **body)
            name = next((p["organisation_name"] for p in attendance.summary(conn=conn, session_id=session_id)["organisations"]
                         if p["organisation_id"] == entry["organisation_id"]), "")
    except service.SessionNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except domain.SessionRuleError as exc:
        return refused(session_refusal(exc), "attendance_sheet", session_id=session_id)
    except attendance.AttendanceRuleError:
        return _attendance_page(session_id, 409, errors={"organisation_id": str(ATTENDANCE_RULES["organisation_id"])})
    return done(_("Presenza registrata: %(nome)s, %(modo)s.", nome=name, modo=labels.label(labels.MODE, body["mode"])),
                "attendance_sheet", session_id=session_id)
