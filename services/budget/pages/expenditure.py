"""Commitments (impegni) and payments (liquidazioni): the summary per fund-year, the acts recorded, the forms that
record them. The CUP and the CIG are checked as the API checks them (the CIG's check characters where documented)
and a wrong one is said at its field in Italian; over the allocation or the commitment is said at the amount."""
from __future__ import annotations

from flask import abort, g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError, fields
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR, ROLES
from shared.web import page_requires
from shared.web.filters import euro
from shared.web.money import ItalianAmount
from shared.web.payload import messages, payload

from services.budget.allocations import service as allocations
from services.budget.expenditure import domain, service
from services.budget.expenditure.schemas import CommitmentIn, PaymentIn
from services.budget.members import service as members
from services.budget.pages.blueprint import blp
from services.budget.pages.catalogue import every_intervention
from services.budget.pages.common import done, page, reading, writing
from services.budget.pages.interventions import iso_date

LIMIT = 500
RULES = {"allocation_id": _l("Scegli la ripartizione (intervento, fondo, anno) dall'elenco."),
         "act_date": _l("Scrivi la data dell'atto (gg/mm/aaaa)."),
         "act_reference": _l("Scrivi gli estremi dell'atto, ad esempio «Determina n. 123 del 10/03/2025»."),
         "supplier_id": _l("Scegli il fornitore dall'elenco delle organizzazioni del registro.")}
CIG = ((" 10 characters", _l("Il CIG ha 10 caratteri, lettere maiuscole e cifre.")),
       ("check characters", _l("I caratteri di controllo del CIG non corrispondono al suo numero: controlla di averlo"
                               " copiato senza errori.")),
       ("cannot be", _l("Il numero del CIG non può essere fatto di soli zeri.")),
       ("not a CIG", _l("Non è un CIG: 7 cifre e 3 caratteri tra 0-9 e A-F, oppure una lettera e 9 caratteri tra 0-9"
                        " e A-F.")))
CUP = _l("Il CUP ha 15 caratteri, lettere maiuscole e cifre.")


class CommitmentForm(CommitmentIn):
    amount = ItalianAmount(required=True)
    allocation_id = fields.UUID(required=True)


class PaymentForm(PaymentIn):
    amount = ItalianAmount(required=True)


def code_message(field: str, english: str) -> str:
    """A CUP's or CIG's refusal (codes.py writes it in English) in Italian."""
    if field == "cup":
        return str(CUP)
    return next((str(text) for marker, text in CIG if marker in english), str(CIG[-1][1]))


def _form_errors(err: ValidationError) -> dict[str, str]:
    found = messages(err, RULES)
    for name in ("cup", "cig"):
        if name in found and isinstance(err.messages.get(name), list):
            found[name] = code_message(name, err.messages[name][0])
    return found


def _refusal(exc: domain.ExpenditureError, body: dict) -> tuple[int, str, str]:
    """(status, field, Italian message) of a use case's refusal of a commitment or payment."""
    if isinstance(exc, domain.InvalidField):
        if exc.field in ("cup", "cig"):
            return 422, exc.field, code_message(exc.field, exc.message)
        if exc.field == "act_date":
            return 422, "act_date", (_("Un pagamento non può precedere il suo impegno.") if "precede" in exc.message
                                     else _("Si registra un atto già adottato: la data non può essere futura."))
        if exc.field == "amount":
            return 422, "amount", _("L'importo deve essere maggiore di zero.")
        return 422, exc.field, str(RULES.get(exc.field, exc.message))
    if isinstance(exc, domain.OverCommitted):
        return 409, "amount", _("Supera la ripartizione: %(ripartito)s ripartiti, %(impegnato)s già impegnati;"
                                " si possono impegnare al massimo %(resto)s.", ripartito=euro(exc.allocated),
                                impegnato=euro(exc.committed), resto=euro(exc.allocated - exc.committed))
    if isinstance(exc, domain.OverPaid):
        return 409, "amount", _("Supera l'impegno: %(impegnato)s impegnati, %(pagato)s già liquidati; si possono"
                                " liquidare al massimo %(resto)s.", impegnato=euro(exc.committed),
                                pagato=euro(exc.paid), resto=euro(exc.committed - exc.paid))
    if isinstance(exc, domain.PlanNotApproved):
        return 409, "allocation_id", _("Questa ripartizione non è ancora in una versione del piano approvata"
                                       " dall'Assemblea dei Sindaci: si impegna solo dopo l'approvazione.")
    if isinstance(exc, domain.FundYearClosed):
        return 409, "allocation_id", _("L'anno del fondo è chiuso: il non impegnato è passato all'anno dopo come"
                                       " residui. Impegna sulla ripartizione dell'anno successivo.")
    if isinstance(exc, domain.SupplierSuspended):
        return 409, "supplier_id", _("Il fornitore è sospeso nel registro: togli prima la sospensione.")
    return 409, "supplier_id", _("Il fornitore viene da un registro che non è più condiviso con l'Ambito.")


def _choices(conn) -> dict:
    lines = {i["id"]: i for _plan, i in every_intervention(conn)}
    rows = allocations.list_allocations(conn=conn, limit=LIMIT)
    options = []
    for a in rows:
        line = lines.get(a["intervention_id"])
        free = a["amount"] - a["committed"] - a["carried"]
        options.append((str(a["id"]), _("%(codice)s · %(fondo)s %(anno)s · impegnabile %(resto)s",
                                         codice=line["code"] if line else "?", fondo=a["fund_code"], anno=a["year"],
                                         resto=euro(free))))
    suppliers = [(str(o["id"]), o["name"]) for o in members.list_organisations(conn=conn, limit=LIMIT)]
    return {"allocation_options": options, "suppliers": suppliers, "lines": lines}


def _expenditure_page(status=200, *, values, errors):
    with reading() as conn:
        summary = service.expenditure_summary(conn=conn)
        acts = service.list_commitments(conn=conn, filters=dict.fromkeys(
            ("intervention_id", "allocation_id", "plan_id", "fund", "year", "supplier_id", "cup")),
            after_seq=0, limit=LIMIT)
        offered = _choices(conn)
    return page("impegni.html", status, summary=summary, commitments=list(reversed(acts)), values=values,
                errors=errors, **offered)


@blp.route("/bilancio/impegni")
@page_requires(*ROLES)
def expenditure(tenant):
    """Per fund-year: available, allocated, committed, paid, to pay; the commitments; (office) a new one."""
    return _expenditure_page(values=MultiDict(), errors={})


@blp.route("/bilancio/impegni", methods=["POST"])
@page_requires(OPERATOR)
def commit(tenant):
    """Record a commitment on an allocation: amount, act, CUP and CIG checked, supplier."""
    form = request.form
    data = payload(form, fields=("allocation_id", "amount", "act_date", "act_reference", "cup", "cig",
                                 "supplier_id"))
    if "act_date" in data:
        data["act_date"] = iso_date(data["act_date"])
    try:
        body = CommitmentForm().load(data)
    except ValidationError as err:
        return _expenditure_page(422, values=form, errors=_form_errors(err))
    try:
        with writing() as conn:
            made = service.record_commitment(conn=conn, tenant=tenant, recorded_by=g.principal.subject, **body)
    except domain.AllocationNotFound:
        return _expenditure_page(422, values=form, errors={"allocation_id": str(RULES["allocation_id"])})
    except domain.ExpenditureError as exc:
        status, field, message = _refusal(exc, body)
        return _expenditure_page(status, values=form, errors={field: message})
    return done(_("Impegno registrato: %(importo)s (%(atto)s).", importo=euro(made["amount"]),
                  atto=made["act_reference"]), "commitment", commitment_id=made["id"])


def _commitment_page(commitment_id, status=200, *, values=None, errors=None):
    with reading() as conn:
        try:
            found = service.get_commitment(conn=conn, commitment_id=commitment_id)
        except domain.CommitmentNotFound:
            abort(404)
        paid = service.list_payments(conn=conn, commitment_id=commitment_id, after_seq=0, limit=LIMIT)
        offered = _choices(conn)
    supplier = dict(offered["suppliers"]).get(str(found["supplier_id"])) if found["supplier_id"] else None
    return page("impegno.html", status, commitment=found, payments=paid, supplier=supplier,
                line=offered["lines"].get(found["intervention_id"]), values=values or MultiDict(),
                errors=errors or {})


@blp.route("/bilancio/impegni/<uuid:commitment_id>")
@page_requires(*ROLES)
def commitment(tenant, commitment_id):
    """One commitment with its payments and (office) the form to record a payment."""
    return _commitment_page(commitment_id)


@blp.route("/bilancio/impegni/<uuid:commitment_id>/liquidazioni", methods=["POST"])
@page_requires(OPERATOR)
def pay(tenant, commitment_id):
    """Record a payment of part of the commitment (liquidazione)."""
    form = request.form
    data = payload(form, fields=("amount", "act_date", "act_reference"))
    if "act_date" in data:
        data["act_date"] = iso_date(data["act_date"])
    try:
        body = PaymentForm().load(data)
    except ValidationError as err:
        return _commitment_page(commitment_id, 422, values=form, errors=_form_errors(err))
    try:
        with writing() as conn:
            made = service.record_payment(conn=conn, tenant=tenant, commitment_id=commitment_id,
                                          recorded_by=g.principal.subject, **body)
    except domain.CommitmentNotFound:
        abort(404)
    except domain.ExpenditureError as exc:
        status, field, message = _refusal(exc, body)
        return _commitment_page(commitment_id, status, values=form, errors={field: message})
    return done(_("Liquidazione registrata: %(importo)s.", importo=euro(made["amount"])), "commitment",
                commitment_id=commitment_id)
