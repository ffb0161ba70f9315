"""Pages of needs and proposals (FASE 2): the Ambito's list; a representative (or the office on an organisation's
behalf) records a need or a proposal at a table its organisation sits at."""
from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared import money
from shared.http.auth import COORDINATOR, OPERATOR, STAKEHOLDER
from shared.web import page_requires
from shared.web.money import NotItalianAmount, parse_italian_amount
from shared.web.payload import messages, payload

from services.consultation.contributions import domain, needs_service, proposals_service
from services.consultation.contributions.schemas import NeedIn, ProposalIn
from services.consultation.members.domain import NotAllowed as MayNotTakePart
from services.consultation.pages.blueprint import blp
from services.consultation.pages.common import EVERYONE, area_names, caller, done, manages_table, page, reading, \
    writing
from services.consultation.pages.tables import TAKING_PART, table_or_404
from services.consultation.sessions import service as sessions
from services.consultation.tables import membership, service as tables
from services.consultation.tables.access import NotAllowed, acting_for
from services.consultation.targets import TARGET_GROUPS

CONTRIBUTORS = (OPERATOR, COORDINATOR, STAKEHOLDER)
RULES = {
    "organisation_id": _l("Scegli l'organizzazione per cui scrivete."),
    "title": _l("Il titolo va da 3 a 300 caratteri."),
    "description": _l("Descrivete in al massimo 20.000 caratteri."),
    "area": _l("Scegli un'area tematica della regione."),
    "target_group": _l("Scegli un'area di utenza."),
    "evidence": _l("Al massimo 5.000 caratteri."),
    "session_id": _l("Scegli una sessione di questo tavolo, o nessuna."),
    "need_ids": _l("Scegli almeno un bisogno a cui la proposta risponde."),
    "expected_outcome": _l("Il risultato atteso, in al massimo 5.000 caratteri."),
    "estimated_cost": _l("Un importo in euro, per esempio 12.000,00."),
}
NOT_FOR_YOU = _l("Non rappresentate questa organizzazione a questo tavolo.")
CLOSED = _l("Il tavolo è chiuso: non accoglie nuovi contributi.")


def _choices(conn, table: dict) -> list[tuple[str, str]]:
    """The organisations this user may write for at the table: its own as a representative, any member for the
    office (on the organisation's behalf)."""
    members = membership.members_in_force(conn=conn, table_id=table["id"])
    mine = set(acting_for(caller(), members))
    office = manages_table(table)
    return [(str(m["organisation_id"]), m["organisation_name"]) for m in members
            if m["state"] == "member" and (m["organisation_id"] in mine or office)]


def _context(conn, table: dict) -> dict:
    return dict(table=table, organisations=_choices(conn, table), target_groups=list(TARGET_GROUPS.items()),
                areas=[(c, n) for c, n in area_names().items() if not table["areas"] or c in table["areas"]],
                sessions=[(str(s["id"]), s["title"]) for s in sessions.list_sessions(
                    conn=conn, table_id=table["id"], status=None, after=None, limit=200)["items"]],
                needs=[(str(n["id"]), n["title"]) for n in needs_service.list_needs(
                    conn=conn, filters={"table_id": table["id"]}, after_seq=0, limit=500)])


def _refusal(exc) -> dict[str, str]:
    """A contribution use case's refusal, at the field it concerns."""
    if isinstance(exc, domain.InvalidField):
        field = exc.field.split(".")[0]
        return {field: str(RULES.get(field, exc.message))}
    if isinstance(exc, MayNotTakePart):
        return {"organisation_id": str(TAKING_PART.get(exc.code, _("L'organizzazione non può partecipare ora.")))}
    if isinstance(exc, NotAllowed):
        return {"organisation_id": str(NOT_FOR_YOU)}
    return {"_schema": str(CLOSED) if isinstance(exc, domain.TableClosed) else _("Il contributo non è accettato ora.")}


def _on_behalf(conn, table: dict, organisation_id) -> bool:
    """The office writes on an organisation's behalf unless it also represents it at the table."""
    members = membership.members_in_force(conn=conn, table_id=table["id"])
    return manages_table(table) and organisation_id not in acting_for(caller(), members)


def _contribute(table_id, *, template: str, schema, fields: tuple, lists: tuple, record, message: str):
    with reading() as conn:
        table = table_or_404(conn, table_id)
        context = _context(conn, table)
    if not context["organisations"]:
        abort(403)   # neither a representative of a member here nor the office of this table
    if request.method == "GET":
        only = context["organisations"][0][0] if len(context["organisations"]) == 1 else ""
        return page(template, values=MultiDict({"organisation_id": only}), errors={}, **context)
    form = request.form
    data = payload(form, fields=fields, lists=lists)
    if "estimated_cost" in data:
        data["estimated_cost"] = euro_text(data["estimated_cost"])
    data["table_id"] = str(table_id)
    try:
        body = schema().load(data)
    except ValidationError as err:
        return page(template, 422, values=form, errors=messages(err, RULES), **context)
    try:
        with writing() as conn:
            body["on_behalf"] = _on_behalf(conn, table, body["organisation_id"])
            record(conn, body)
    except (domain.InvalidField, domain.ContributionError, MayNotTakePart, NotAllowed) as exc:
        status = 422 if isinstance(exc, domain.InvalidField) else 409
        return page(template, status, values=form, errors=_refusal(exc), **context)
    return done(message, "table", table_id=table_id)


def euro_text(text: str) -> str:
    """'12.000,50' or '12000,50' (Italian) -> '12000.50'; anything else unchanged for the schema to judge."""
    try:
        return money.format_amount(parse_italian_amount(text))
    except NotItalianAmount:
        return text.replace(" ", "").replace("€", "")


@blp.route("/tavoli/<uuid:table_id>/bisogni/nuovo", methods=["GET", "POST"])
@page_requires(*CONTRIBUTORS)
def new_need(tenant, table_id):
    """Record a need raised by a member organisation at the table."""
    def record(conn, body):
        body.pop("table_id")
        needs_service.record_need(conn=conn, tenant=tenant, caller=caller(), area_codes=list(area_names()),
                                  table_id=table_id, **body)
    return _contribute(table_id, template="bisogno_nuovo.html", schema=NeedIn, record=record,
                       fields=("organisation_id", "title", "description", "area", "target_group", "evidence",
                               "session_id"), lists=(), message=_("Bisogno registrato."))


@blp.route("/tavoli/<uuid:table_id>/proposte/nuova", methods=["GET", "POST"])
@page_requires(*CONTRIBUTORS)
def new_proposal(tenant, table_id):
    """Submit a proposal of a member organisation answering one or more of the table's needs."""
    def record(conn, body):
        body.pop("table_id")
        proposals_service.submit_proposal(conn=conn, tenant=tenant, caller=caller(), table_id=table_id, **body)
    return _contribute(table_id, template="proposta_nuova.html", schema=ProposalIn, record=record,
                       fields=("organisation_id", "title", "description", "expected_outcome", "estimated_cost"),
                       lists=("need_ids",), message=_("Proposta presentata."))


@blp.route("/bisogni")
@page_requires(*EVERYONE)
def needs(tenant):
    """Every need and proposal of the Ambito, newest first."""
    with reading() as conn:
        found = needs_service.list_needs(conn=conn, filters={}, after_seq=0, limit=500)
        proposals = proposals_service.list_proposals(conn=conn, filters={}, after_seq=0, limit=500)
        names = {t["id"]: t["title"] for t in tables.list_tables(conn=conn, kind=None, area=None, status=None,
                                                                 after=None, limit=500)["items"]}
    return page("bisogni.html", needs=list(reversed(found)), proposals=list(reversed(proposals)), names=names,
                target_groups=TARGET_GROUPS)


