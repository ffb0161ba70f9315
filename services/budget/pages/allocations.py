"""Funds and allocations: each fund-year's live totals (assigned + residui, allocated, available), the form that
allocates an amount of a fund to an intervention, and the form that records a fund's assignment by decree.

A refusal of the allocation's rules is said at the field it concerns, in Italian, with what was typed kept:
over the fund's limit at the amount, against the fund's earmarking at the fund, outside the triennium at the year.
"""
from __future__ import annotations

from decimal import Decimal

from flask import g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError, fields
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR, ROLES
from shared.web import page_requires
from shared.web.filters import euro
from shared.web.money import ItalianAmount
from shared.web.payload import messages, payload

from services.budget.allocations import domain, service
from services.budget.allocations.schemas import AllocationIn
from services.budget.funds import domain as funds_domain, service as funds_service
from services.budget.funds.schemas import AssignmentIn
from services.budget.pages import earmark
from services.budget.pages.blueprint import blp
from services.budget.pages.catalogue import intervention_options
from services.budget.pages.labels import PLAN_STATE, label
from services.budget.pages.common import done, fund_options, funds, page, reading, writing
from services.budget.plans.editable import PlanNotEditable, PlanNotFound

NEAR_LIMIT = Decimal("0.10")   # a fund-year with at most a tenth of its money left needs attention
FUND = _l("Scegli il fondo dall'elenco.")
YEAR = _l("Scrivi l'anno con quattro cifre, ad esempio 2025.")
INTERVENTION = _l("Scegli l'intervento dall'elenco.")
RULES = {"fund": FUND, "year": YEAR, "intervention_id": INTERVENTION}
ASSIGNMENT_RULES = {"fund": FUND, "year": YEAR, "decree_reference": _l("Scrivi gli estremi del decreto, ad esempio"
                                                                        " «DGR n. 512 del 14/06/2025» (al massimo"
                                                                        " 300 caratteri)."),
                    "decree_date": _l("Scrivi la data del decreto (gg/mm/aaaa).")}


class AllocationForm(AllocationIn):
    """The API's allocation, with the amount typed in Italian format and the intervention chosen in the form."""

    amount = ItalianAmount(required=True)
    intervention_id = fields.UUID(required=True)


class AssignmentForm(AssignmentIn):
    """The API's fund assignment, with the amount typed in Italian format."""

    amount = ItalianAmount(required=True)


def near_limit(row: dict) -> bool:
    """Little is left of a fund-year that has been allocated: what the home shows as needing attention."""
    total = row["assigned"] + row["residui_in"]
    return row["allocated"] > 0 and total > 0 and row["available"] <= total * NEAR_LIMIT


def ledger_rows(conn) -> list[dict]:
    """Every fund-year of the Ambito with its live figures and whether it is near its limit."""
    return [{**row, "near_limit": near_limit(row)}
            for row in funds_service.fund_years(conn=conn, year=None, fund=None)]


def _allocations_page(status=200, *, values, errors):
    with reading() as conn:
        rows = ledger_rows(conn)
        options = intervention_options(conn)
        made = service.list_allocations(conn=conn, limit=500)
    titles = {value: text for value, text in options}
    return page("ripartizioni.html", status, ledger=rows, interventions=options, funds=fund_options(),
                allocations=list(reversed(made)), titles=titles, values=values, errors=errors,
                totals=_totals(rows))


def _totals(rows: list[dict]) -> dict:
    zero = Decimal("0.00")
    return {key: sum((r[key] for r in rows), zero) for key in ("assigned", "residui_in", "allocated", "available")}


@blp.route("/bilancio/ripartizioni")
@page_requires(*ROLES)
def allocations(tenant):
    """Each fund-year's live totals, the Ambito's allocations and (office) the form to allocate."""
    chosen = request.args.get("intervento", "")
    return _allocations_page(values=MultiDict({"intervention_id": chosen} if chosen else {}), errors={})


@blp.route("/bilancio/ripartizioni", methods=["POST"])
@page_requires(OPERATOR)
def allocate(tenant):
    """Allocate an amount of a fund's year to an intervention; a refusal is said at its field."""
    form = request.form
    data = payload(form, fields=("intervention_id", "fund", "year", "amount"))
    try:
        body = AllocationForm().load(data)
    except ValidationError as err:
        return _allocations_page(422, values=form, errors=messages(err, RULES))
    fund = funds().get(body["fund"])
    if fund is None:
        return _allocations_page(422, values=form, errors={"fund": str(FUND)})
    try:
        with writing() as conn:
            made = service.make_allocation(conn=conn, tenant=tenant, intervention_id=body["intervention_id"],
                                           fund=fund, year=body["year"], amount=body["amount"],
                                           by=g.principal.subject, region=g.tenant.region)
    except (service.InterventionNotFound, PlanNotFound):
        return _allocations_page(422, values=form, errors={"intervention_id": str(INTERVENTION)})
    except PlanNotEditable as exc:
        return _allocations_page(409, values=form, errors={"intervention_id": _(
            "Il piano di questo intervento è nello stato «%(stato)s»: le ripartizioni si cambiano solo in bozza o"
            " dopo la restituzione della Regione. Apri un aggiornamento annuale.", stato=_state(exc.state))})
    except domain.InvalidField as exc:
        return _allocations_page(422, values=form, errors={exc.field: _invalid(exc, body)})
    except domain.AllocationRefused as exc:
        field, message = refusal(exc, body, fund)
        return _allocations_page(exc.status, values=form, errors={field: message})
    return done(_("Ripartiti %(importo)s del fondo %(fondo)s per il %(anno)s.", importo=euro(made["amount"]),
                  fondo=fund.code, anno=made["year"]), "allocations")


def _state(state: str) -> str:
    return str(label(PLAN_STATE, state))


def _invalid(exc: domain.InvalidField, body: dict) -> str:
    if exc.field == "year":
        return _("L'anno è fuori dal triennio del piano dell'intervento (%(triennio)s).",
                 triennio=exc.message.rsplit(" ", 1)[-1])
    if exc.field == "amount":
        return _("L'importo deve essere maggiore di zero.")
    return exc.message


def refusal(exc: domain.AllocationRefused, body: dict, fund) -> tuple[str, str]:
    """The field a refusal of the allocation rules concerns, and what to tell the office there."""
    if isinstance(exc, domain.FundExhausted):
        return "amount", _("Supera la disponibilità del fondo %(fondo)s per il %(anno)s: restano %(resto)s da"
                           " ripartire, l'importo richiesto è %(importo)s.", fondo=fund.code, anno=body["year"],
                           resto=euro(Decimal(exc.extra["available"])), importo=euro(body["amount"]))
    if isinstance(exc, domain.EarmarkViolation):
        return "fund", earmark.italian(fund, exc.extra["rule"])
    if isinstance(exc, domain.FundYearClosed):
        return "year", _("L'anno %(anno)s del fondo %(fondo)s è chiuso: il non impegnato è passato al %(dopo)s come"
                         " residui. Ripartisci sul %(dopo)s.", anno=body["year"], fondo=fund.code,
                         dopo=body["year"] + 1)
    if isinstance(exc, domain.AllocationExists):
        return "fund", _("L'intervento ha già una ripartizione del fondo %(fondo)s per il %(anno)s: modificane"
                         " l'importo dalla sua pagina (dall'intervento).", fondo=fund.code, anno=body["year"])
    if isinstance(exc, domain.InterventionCancelled):
        return "intervention_id", _("L'intervento è annullato: non riceve più fondi.")
    return "_schema", str(exc)


@blp.route("/bilancio/fondi/assegnazione", methods=["GET", "POST"])
@page_requires(OPERATOR)
def new_assignment(tenant):
    """Record what a fund assigned to the Ambito for a year, by decree (decreto di riparto)."""
    if request.method == "GET":
        return page("assegnazione.html", values=MultiDict(), errors={}, funds=fund_options())
    form = request.form
    try:
        body = AssignmentForm().load(payload(form, fields=("fund", "year", "amount", "decree_reference",
                                                           "decree_date")))
    except ValidationError as err:
        return page("assegnazione.html", 422, values=form, errors=messages(err, ASSIGNMENT_RULES),
                    funds=fund_options())
    if body["amount"] <= 0:
        return page("assegnazione.html", 422, values=form, funds=fund_options(),
                    errors={"amount": _("L'importo deve essere maggiore di zero.")})
    try:
        with writing() as conn:
            funds_service.record_assignment(conn=conn, tenant=tenant, region=g.tenant.region, recorded_by=
                                            g.principal.subject, **body)
    except (funds_domain.UnknownFund, funds_domain.FundOfAnotherRegion, funds_domain.FundYearClosed,
            funds_domain.TotalTooLarge, funds_domain.DuplicateDecree) as exc:
        field, message = _assignment_refusal(exc, body)
        return page("assegnazione.html", 422 if field == "fund" else 409, values=form, errors={field: message},
                    funds=fund_options())
    return done(_("Assegnazione registrata: %(importo)s del fondo %(fondo)s per il %(anno)s.",
                  importo=euro(body["amount"]), fondo=body["fund"], anno=body["year"]), "allocations")


def _assignment_refusal(exc, body: dict) -> tuple[str, str]:
    name = type(exc).__name__
    if name == "DuplicateDecree":
        return "decree_reference", _("Questo decreto è già registrato per il fondo %(fondo)s e il %(anno)s.",
                                     fondo=body["fund"], anno=body["year"])
    if name == "FundYearClosed":
        return "year", _("L'anno %(anno)s del fondo è chiuso: le sue assegnazioni sono definitive.", anno=body["year"])
    if name == "TotalTooLarge":
        return "amount", _("Il totale assegnato al fondo per l'anno diventerebbe troppo grande.")
    return "fund", str(FUND)
