"""Pages of the tables: create one, one table with its members (the office invites organisations) and sessions."""
from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.app import current_platform
from shared.http.auth import OPERATOR
from shared.web import page_requires
from shared.web.payload import messages, payload

from services.consultation.contributions import needs_service, proposals_service
from services.consultation.members import service as organisations
from services.consultation.members.domain import NotAllowed as MayNotTakePart
from services.consultation.pages import labels
from services.consultation.pages.blueprint import blp
from services.consultation.pages.common import (EVERYONE, MANAGERS, area_names, caller, done, manages_table, page,
                                                reading, refused, writing)
from services.consultation.sessions import service as sessions
from services.consultation.shared_replicas.origins import shared_registers
from services.consultation.shared_replicas.store import ReplicaReadOnly
from services.consultation.tables import domain, membership, service
from services.consultation.tables.access import NotAllowed, acting_for
from services.consultation.tables.schemas import MemberIn, TableIn

RULES = {
    "kind": _l("Scegli il tipo di tavolo."),
    "title": _l("Il titolo va da 3 a 300 caratteri."),
    "description": _l("La descrizione può avere al massimo 20.000 caratteri."),
    "areas": _l("Scegli almeno un'area tematica della regione (la plenaria può non averne)."),
    "coordinator": _l("L'account del coordinatore ha al massimo 200 caratteri."),
    "membership": _l("Scegli come si entra nel tavolo."),
}
MEMBER_RULES = {
    "organisation_id": _l("Scegli un'organizzazione del registro."),
    "accounts": _l("Un account per riga, al massimo 20, ciascuno di al massimo 200 caratteri."),
}
# Why an organisation may not take part (members/domain.py codes), in Italian.
TAKING_PART = {
    "organisation-suspended": _l("L'organizzazione è sospesa nel registro: non può entrare nel tavolo."),
    "organisation-withdrawn": _l("L'organizzazione è uscita dal registro."),
    "unknown-organisation": _l("L'organizzazione non è (ancora) nel registro dell'Ambito."),
    "shared-organisation": _l("L'organizzazione è del registro di un altro Ambito."),
    "organisation-revoked": _l("L'iscrizione dell'organizzazione è stata revocata."),
}
TABLE_RULES = {
    "table-closed": _l("Il tavolo è chiuso: non cambia più e non accoglie membri."),
    "already-member": _l("L'organizzazione siede già al tavolo (o ha chiesto di entrarvi)."),
    "table-kind": _l("Solo un tavolo permanente o la plenaria accolgono tutte le organizzazioni insieme."),
    "member-state": _l("L'adesione non è in uno stato che lo consente."),
}
REPLICA = _l("Il tavolo è di un Ambito confluito: qui si consulta soltanto.")
NOT_MANAGER = _l("Solo l'Ufficio di Piano o il coordinatore di questo tavolo possono farlo.")


def registers() -> frozenset:
    """The former Ambiti whose register is shared with this one (their organisations may take part)."""
    return shared_registers(getattr(current_platform().catalogue, "sharing", None), tenant=g.tenant.slug)


def table_or_404(conn, table_id) -> dict:
    try:
        return service.get_table(conn=conn, table_id=table_id)
    except service.TableNotFound:
        abort(404)


def _kinds():
    return list(labels.TABLE_KIND.items())


@blp.route("/tavoli/nuovo", methods=["GET", "POST"])
@page_requires(OPERATOR)
def new_table(tenant):
    """Create a table: kind, title, areas, coordinator, how organisations join."""
    areas = list(area_names().items())
    context = dict(areas=areas, kinds=_kinds(), memberships=list(labels.MEMBERSHIP.items()))
    if request.method == "GET":
        return page("tavolo_nuovo.html", values=MultiDict({"membership": "closed"}), errors={}, **context)
    form = request.form
    data = payload(form, fields=("kind", "title", "description", "coordinator", "membership"), lists=("areas",))
    errors = {}
    try:
        body = TableIn().load(data)
    except ValidationError as err:
        errors = messages(err, RULES)
    # The areas are checked at once too, so that every field's message shows in one answer.
    if "areas" not in errors and domain.area_errors(data.get("kind", "thematic"), data["areas"], set(dict(areas))):
        errors["areas"] = str(RULES["areas"])
    if errors:
        return page("tavolo_nuovo.html", 422, values=form, errors=errors, **context)
    with writing() as conn:
        table = service.create_table(conn=conn, tenant=tenant, by=g.principal.subject, **body)
    return done(_("Tavolo creato: ora invitate le organizzazioni."), "table", table_id=table["id"])


def _table_page(table_id, status: int = 200, *, values=None, errors=None):
    with reading() as conn:
        table = table_or_404(conn, table_id)
        _table, members = membership.list_members(conn=conn, table_id=table_id, state=None, organisation_id=None,
                                                  after=None, limit=500)
        shown = [membership.for_reader(m, caller=caller(), table=table) for m in members["items"]]
        found = sessions.list_sessions(conn=conn, table_id=table_id, status=None, after=None, limit=200)["items"] \
            if table.get("origin", g.tenant.slug) == g.tenant.slug else []
        seated = {m["organisation_id"] for m in shown if m["state"] in ("member", "requested")}
        candidates = [o for o in organisations.list_organisations(conn=conn, status="active", limit=500)["items"]
                      if o["id"] not in seated] if manages_table(table) else []
        own = table.get("origin", g.tenant.slug) == g.tenant.slug
        may_contribute = own and (manages_table(table) or bool(acting_for(
            caller(), membership.members_in_force(conn=conn, table_id=table_id))))
        table_needs = needs_service.list_needs(conn=conn, filters={"table_id": table_id}, after_seq=0, limit=500)
        table_proposals = proposals_service.list_proposals(conn=conn, filters={"table_id": table_id}, after_seq=0,
                                                           limit=500)
    return page("tavolo.html", status, table=table, members=shown, sessions=list(reversed(found)),
                candidates=[(str(o["id"]), o["name"]) for o in candidates], manages=manages_table(table),
                for_everyone=table["kind"] in domain.FOR_EVERYONE, may_contribute=may_contribute,
                table_needs=table_needs, table_proposals=table_proposals,
                values=values or MultiDict(), errors=errors or {})


@blp.route("/tavoli/<uuid:table_id>")
@page_requires(*EVERYONE)
def table(tenant, table_id):
    """One table: what it is about, its members, its sessions."""
    return _table_page(table_id)


def table_refusal(exc) -> str:
    """A table use case's refusal in Italian."""
    if isinstance(exc, MayNotTakePart):
        return str(TAKING_PART.get(exc.code, _("L'organizzazione non può partecipare ora.")))
    if isinstance(exc, NotAllowed):
        return str(NOT_MANAGER)
    if isinstance(exc, ReplicaReadOnly):
        return str(REPLICA)
    return str(TABLE_RULES.get(getattr(exc, "code", ""), _("Operazione non consentita ora.")))


@blp.route("/tavoli/<uuid:table_id>/membri", methods=["POST"])
@page_requires(*MANAGERS)
def add_member(tenant, table_id):
    """The office seats an organisation of the register at the table, with the accounts that act for it."""
    form = request.form
    try:
        body = MemberIn().load(payload(form, fields=("organisation_id",), lines=("accounts",)))
    except ValidationError as err:
        return _table_page(table_id, 422, values=form, errors=messages(err, MEMBER_RULES))
    try:
        with writing() as conn:
            membership.add_member(conn=conn, tenant=tenant, caller=caller(), table_id=table_id,
                                  shared_registers=registers(), **body)
    except service.TableNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except (MayNotTakePart, domain.TableRuleError, ReplicaReadOnly) as exc:
        return _table_page(table_id, 409, values=form, errors={"organisation_id": table_refusal(exc)})
    return done(_("Organizzazione aggiunta al tavolo."), "table", table_id=table_id)


@blp.route("/tavoli/<uuid:table_id>/membri/tutti", methods=["POST"])
@page_requires(*MANAGERS)
def add_everyone(tenant, table_id):
    """A standing table or the plenary takes every active organisation of the register at once."""
    try:
        with writing() as conn:
            added = membership.add_everyone(conn=conn, tenant=tenant, caller=caller(), table_id=table_id,
                                            shared_registers=registers())
    except service.TableNotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except (domain.TableRuleError, ReplicaReadOnly) as exc:
        return refused(table_refusal(exc), "table", table_id=table_id)
    return done(_("Organizzazioni aggiunte: %(n)s.", n=len(added["added"])), "table", table_id=table_id)
