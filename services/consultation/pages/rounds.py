"""Pages of the prioritisation rounds: the office opens one on a table's proposals and closes it; a representative
distributes its organisation's points; everyone reads the results."""
from __future__ import annotations

import uuid

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.web import page_requires
from shared.web.payload import local_instant, messages, payload

from services.consultation.contributions import proposals_service
from services.consultation.members.domain import NotAllowed as MayNotTakePart
from services.consultation.pages.blueprint import blp
from services.consultation.pages.common import EVERYONE, MANAGERS, caller, done, manages_table, page, reading, \
    refused, writing
from services.consultation.pages.tables import registers, table_or_404
from services.consultation.rounds import ballots, ballots_service, domain, service
from services.consultation.rounds.schemas import RoundIn
from services.consultation.tables import membership
from services.consultation.tables.access import NotAllowed, acting_for

RULES = {
    "title": _l("Il titolo va da 3 a 300 caratteri."),
    "description": _l("Al massimo 5.000 caratteri."),
    "proposal_ids": _l("Scegli da 2 a 50 proposte del tavolo, presentate o in valutazione."),
    "points": _l("Un numero intero da 1 a 1.000."),
    "closes_at": _l("Indica data e ora di chiusura, future ed entro un anno."),
}
POINTS = _l("Un numero intero, 0 o più.")
REFUSALS = {"round-closed": _l("Il turno è chiuso."), "round-cancelled": _l("Il turno è stato annullato."),
            "table-closed": _l("Il tavolo è chiuso.")}


def _close_due() -> None:
    """Rounds whose closing time has passed get their closure and results stored, as the API does on read."""
    with reading() as conn:
        due = service.due_rounds(conn=conn)
    for round_id in due:
        with writing() as conn:
            service.close_due(conn=conn, tenant=g.tenant.slug, round_id=round_id)


@blp.route("/turni")
@page_requires(*EVERYONE)
def rounds(tenant):
    """Every round of the Ambito, newest first, with its state."""
    _close_due()
    with reading() as conn:
        found = service.list_rounds(conn=conn, table_id=None, status=None, after=None, limit=100)["items"]
    return page("turni.html", rounds=list(reversed(found)))


@blp.route("/tavoli/<uuid:table_id>/turni/nuovo", methods=["GET", "POST"])
@page_requires(*MANAGERS)
def new_round(tenant, table_id):
    """Open a round on two or more of the table's proposals (submitted or under evaluation)."""
    with reading() as conn:
        table = table_or_404(conn, table_id)
        proposals = [(str(p["id"]), p["title"]) for p in proposals_service.list_proposals(
            conn=conn, filters={"table_id": table_id}, after_seq=0, limit=500) if p["status"] in domain.RANKABLE]
    if not manages_table(table):
        abort(403)
    context = dict(table=table, proposals=proposals)
    if request.method == "GET":
        return page("turno_nuovo.html", values=MultiDict({"points": "10"}), errors={}, **context)
    form = request.form
    data = payload(form, fields=("title", "description", "points", "closes_at"), lists=("proposal_ids",))
    data["table_id"] = str(table_id)
    if data.get("points", "").isdigit():   # the schema is strict: a JSON number, never text
        data["points"] = int(data["points"])
    if "closes_at" in data:
        data["closes_at"] = local_instant(data["closes_at"])
    try:
        body = RoundIn().load(data)
    except ValidationError as err:
        return page("turno_nuovo.html", 422, values=form, errors=messages(err, RULES), **context)
    try:
        with writing() as conn:
            made = service.open_round(conn=conn, tenant=tenant, caller=caller(), **body)
    except NotAllowed:
        abort(403)
    except domain.InvalidField as exc:
        field = exc.field.split(".")[0]
        return page("turno_nuovo.html", 422, values=form, errors={field: str(RULES.get(field, exc.message))},
                    **context)
    except domain.RoundError as exc:
        return page("turno_nuovo.html", 409, values=form, errors={"_schema": str(REFUSALS.get(exc.code, exc))},
                    **context)
    return done(_("Turno di priorità aperto."), "round", round_id=made["id"])


def _round_page(round_id, status: int = 200, *, values=None, errors=None):
    _close_due()
    with reading() as conn:
        try:
            found = service.get_round(conn=conn, round_id=round_id)
        except service.RoundNotFound:
            abort(404)
        table = table_or_404(conn, found["table_id"])
        members = membership.members_in_force(conn=conn, table_id=table["id"])
    mine = set(acting_for(caller(), members))
    voters = [(str(m["organisation_id"]), m["organisation_name"]) for m in members
              if m["state"] == "member" and m["organisation_id"] in mine]
    if values is None:   # one organisation to vote for: already chosen
        values = MultiDict({"organisation_id": voters[0][0]} if len(voters) == 1 else {})
    return page("turno.html", status, round=found, table=table, voters=voters, manages=manages_table(table),
                values=values, errors=errors or {})


@blp.route("/turni/<uuid:round_id>")
@page_requires(*EVERYONE)
def round(tenant, round_id):  # noqa: A001 (the endpoint's name)
    """One round: its proposals, the ballot form for a representative, the results once closed."""
    return _round_page(round_id)


@blp.route("/turni/<uuid:round_id>/voto", methods=["POST"])
@page_requires(*EVERYONE)
def vote(tenant, round_id):
    """Cast (or replace) the organisation's ballot: all the round's points over its proposals."""
    form = request.form
    with reading() as conn:
        try:
            found = service.get_round(conn=conn, round_id=round_id)
        except service.RoundNotFound:
            abort(404)
    allocations, errors = [], {}
    for proposal in found["proposals"]:
        name = f"punti-{proposal['id']}"
        text = (form.get(name) or "0").strip()
        if not text.isdigit():
            errors[name] = str(POINTS)
        else:
            allocations.append({"proposal_id": proposal["id"], "points": int(text)})
    try:
        organisation_id = uuid.UUID(form.get("organisation_id") or "")
    except ValueError:
        errors["organisation_id"] = _("Scegli l'organizzazione per cui votate.")
    if errors:
        return _round_page(round_id, 422, values=form, errors=errors)
    try:
        with writing() as conn:
            ballots_service.cast_ballot(conn=conn, tenant=tenant, caller=caller(), round_id=round_id,
                                        organisation_id=organisation_id, allocations=allocations,
                                        on_behalf=False, version=None, shared_registers=registers())
    except ballots.InvalidBallot:
        total = sum(a["points"] for a in allocations)
        return _round_page(round_id, 422, values=form, errors={"_schema": _(
            "I punti dati sommano a %(dati)s: vanno distribuiti tutti i %(punti)s punti.", dati=total,
            punti=found["points"])})
    except (NotAllowed, MayNotTakePart):
        return _round_page(round_id, 403, values=form, errors={
            "organisation_id": _("Non votate per questa organizzazione a questo tavolo.")})
    except domain.RoundError as exc:
        return refused(str(REFUSALS.get(exc.code, exc)), "round", round_id=round_id)
    return done(_("Voto registrato: potete cambiarlo finché il turno è aperto."), "round", round_id=round_id)


@blp.route("/turni/<uuid:round_id>/chiudi", methods=["POST"])
@page_requires(*MANAGERS)
def close(tenant, round_id):
    """Close the round now: the results are computed."""
    version = request.form.get("version", type=int)
    try:
        with writing() as conn:
            service.close_round(conn=conn, tenant=tenant, caller=caller(), round_id=round_id,
                                version=version if version is not None else -1)
    except service.RoundNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except service.StaleRound:
        return refused(_("Nel frattempo il turno è cambiato: rileggilo e riprova."), "round", round_id=round_id)
    except domain.RoundError as exc:
        return refused(str(REFUSALS.get(exc.code, exc)), "round", round_id=round_id)
    return done(_("Turno chiuso: ecco la graduatoria."), "round", round_id=round_id)
