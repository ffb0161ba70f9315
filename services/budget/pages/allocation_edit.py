"""One allocation: its figures, and (office, while the plan is editable) the forms that change its amount or release
it. A raise over the fund's limit, or a lowering below what is committed, is said at the amount in Italian."""
from __future__ import annotations

from decimal import Decimal

from flask import abort, g, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR, ROLES
from shared.web import page_requires
from shared.web.filters import euro
from shared.web.money import ItalianAmount, typed
from shared.web.payload import messages, payload

from services.budget.allocations import domain, service
from services.budget.allocations.schemas import AllocationPatch
from services.budget.interventions import service as interventions
from services.budget.pages import earmark
from services.budget.pages.blueprint import blp
from services.budget.pages.common import done, funds, page, reading, writing
from services.budget.pages.labels import PLAN_STATE, label
from services.budget.plans.editable import PlanNotEditable, PlanNotFound


class AmountForm(AllocationPatch):
    amount = ItalianAmount(required=True)


def _allocation_page(allocation_id, status=200, *, values=None, errors=None):
    with reading() as conn:
        try:
            found = service.get_allocation(conn=conn, allocation_id=allocation_id)
        except service.AllocationNotFound:
            abort(404)
        line = interventions.get_intervention(conn=conn, intervention_id=found["intervention_id"])
    values = values if values is not None else MultiDict({"amount": typed(found["amount"])})
    return page("ripartizione.html", status, allocation=found, line=line, values=values, errors=errors or {},
                free=found["amount"] - found["committed"] - found["carried"])


@blp.route("/bilancio/ripartizioni/<uuid:allocation_id>")
@page_requires(*ROLES)
def allocation(tenant, allocation_id):
    """One allocation: amount, committed, paid, carried; the office changes or releases it here."""
    return _allocation_page(allocation_id)


def _refused(allocation_id, form, exc) -> tuple:
    if isinstance(exc, PlanNotEditable):
        return _allocation_page(allocation_id, 409, values=form, errors={"amount": _(
            "Il piano è nello stato «%(stato)s»: le ripartizioni si cambiano solo in bozza o dopo la restituzione"
            " della Regione.", stato=label(PLAN_STATE, exc.state))})
    if isinstance(exc, service.StaleAllocation):
        return _allocation_page(allocation_id, 409, values=form, errors={"amount": _(
            "Nel frattempo la ripartizione è cambiata: rileggi l'importo e riprova.")})
    if isinstance(exc, domain.FundExhausted):
        return _allocation_page(allocation_id, 409, values=form, errors={"amount": _(
            "Supera la disponibilità del fondo %(fondo)s per il %(anno)s: l'aumento può essere al massimo di"
            " %(resto)s.", fondo=exc.extra["fund"], anno=exc.extra["year"],
            resto=euro(Decimal(exc.extra["available"])))})
    if isinstance(exc, domain.BelowCommitted):
        return _allocation_page(allocation_id, 409, values=form, errors={"amount": _(
            "Sono già impegnati %(impegnato)s: la ripartizione non può scendere sotto questa cifra.",
            impegnato=euro(Decimal(exc.extra["committed"])))})
    if isinstance(exc, domain.EarmarkViolation):
        return _allocation_page(allocation_id, 422, values=form, errors={"amount": earmark.italian(
            funds()[exc.extra["fund"]], exc.extra["rule"])})
    if isinstance(exc, domain.FundYearClosed):
        return _allocation_page(allocation_id, 409, values=form, errors={"amount": _(
            "L'anno del fondo è chiuso: le sue ripartizioni non cambiano più.")})
    return _allocation_page(allocation_id, exc.status, values=form, errors={"amount": str(exc)})


REFUSALS = (PlanNotEditable, service.StaleAllocation, domain.AllocationRefused)


@blp.route("/bilancio/ripartizioni/<uuid:allocation_id>/importo", methods=["POST"])
@page_requires(OPERATOR)
def change_allocation(tenant, allocation_id):
    """A new amount: not below what is committed; a raise needs the fund's money and its earmarking."""
    form = request.form
    try:
        body = AmountForm().load(payload(form, fields=("amount",)))
    except ValidationError as err:
        return _allocation_page(allocation_id, 422, values=form, errors=messages(err, {}))
    try:
        with writing() as conn:
            changed = service.change_allocation(conn=conn, tenant=tenant, allocation_id=allocation_id,
                                                version=form.get("version", type=int) or -1, amount=body["amount"],
                                                funds=funds(), region=g.tenant.region)
    except (service.AllocationNotFound, PlanNotFound):
        abort(404)
    except REFUSALS as exc:
        return _refused(allocation_id, form, exc)
    return done(_("Importo della ripartizione portato a %(importo)s.", importo=euro(changed["amount"])),
                "allocation", allocation_id=allocation_id)


@blp.route("/bilancio/ripartizioni/<uuid:allocation_id>/rilascia", methods=["POST"])
@page_requires(OPERATOR)
def release_allocation(tenant, allocation_id):
    """Release an allocation nothing was committed on: its amount goes back to the fund-year."""
    form = request.form
    try:
        with writing() as conn:
            released = service.release_allocation(conn=conn, tenant=tenant, allocation_id=allocation_id,
                                                  version=form.get("version", type=int) or -1)
    except (service.AllocationNotFound, PlanNotFound):
        abort(404)
    except REFUSALS as exc:
        return _refused(allocation_id, form, exc)
    return done(_("Ripartizione rilasciata: %(importo)s tornano disponibili sul fondo %(fondo)s %(anno)s.",
                  importo=euro(released["amount"]), fondo=released["fund_code"], anno=released["year"]),
                "intervention", intervention_id=released["intervention_id"])
