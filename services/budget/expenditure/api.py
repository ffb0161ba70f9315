"""Expenditure HTTP API: commitments (impegni), payments (liquidazioni) and the summary, under /v1/{tenant}."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import ROLES, WRITERS, requires
from shared.http.blueprint import Blueprint
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.pagination import decode_cursor, page
from shared.http.problems import Problem, invalid

from services.budget.expenditure import domain, service
from services.budget.expenditure.schemas import (CommitmentIn, CommitmentListQuery, CommitmentOut, CommitmentPage,
                                                 PageQuery, PaymentIn, PaymentOut, PaymentPage, SummaryOut,
                                                 SummaryQuery)

blp = Blueprint("expenditure", __name__, url_prefix="/v1/<tenant>",
                description="Rendicontazione: impegni e liquidazioni sulle ripartizioni del piano")

COMMIT_CONFLICTS = (("over-committed", "the commitment would exceed the allocation (allocated, committed and "
                                       "requested named)"),
                    ("plan-not-approved", "the allocation is not in a plan version the Assemblea approved"),
                    ("fund-year-closed", "the fund-year was closed, its unspent money carried as residui"),
                    ("supplier-suspended", "the supplier is suspended in the register"),
                    ("organisation-revoked", "the supplier came from a former Ambito's register that is no longer "
                                             "shared with this one"))
PAY_CONFLICTS = (("over-paid", "the payment would exceed the commitment (committed, paid and requested named)"),)
FILTERS = ("intervention_id", "allocation_id", "plan_id", "fund", "year", "supplier_id", "cup")


def _run(action):
    """Run the use case; its refusals become problems (fresh instances each time)."""
    try:
        return action()
    except domain.AllocationNotFound:
        raise Problem(404, "Not Found", "No such allocation in this Ambito.", slug="not-found") from None
    except domain.CommitmentNotFound:
        raise Problem(404, "Not Found", "No such commitment in this Ambito.", slug="not-found") from None
    except domain.InvalidField as exc:
        raise invalid((exc.field, exc.message)) from None
    except domain.OverCommitted as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code, allocated=str(exc.allocated),
                      committed=str(exc.committed), requested=str(exc.requested)) from None
    except domain.OverPaid as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code, committed=str(exc.committed),
                      paid=str(exc.paid), requested=str(exc.requested)) from None
    except domain.ExpenditureError as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None


def _paged(query: dict, fetch) -> dict:
    """fetch(after_seq, limit + 1) as a page of `limit` items with the next cursor."""
    after = decode_cursor(query.get("after"))
    with current_platform().read(g.tenant) as conn:
        rows = _run(lambda: fetch(conn, after, query["limit"] + 1))
    return page(rows, query["limit"])


def _recorded(record, **arguments):
    """record(conn=, recorded_by=, **arguments) in one write transaction, by the caller: 201 with the record."""
    who = g.principal.subject
    with current_platform().write(g.tenant) as conn:
        return _run(lambda: record(conn=conn, recorded_by=who, **arguments)), 201


@blp.route("/allocations/<uuid:allocation_id>/commitments")
class AllocationCommitments(MethodView):
    @requires(*ROLES)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, CommitmentPage)
    def get(self, query, tenant, allocation_id):
        """The allocation's commitments in recording order (cursor pagination)."""
        return _paged(query, lambda conn, after, limit: service.list_allocation_commitments(
            conn=conn, allocation_id=allocation_id, after_seq=after, limit=limit))

    @requires(*WRITERS)
    @idempotent
    @blp.arguments(CommitmentIn)
    @blp.response(201, CommitmentOut)
    @blp.alt_response(409, **conflicts(*COMMIT_CONFLICTS))
    def post(self, body, tenant, allocation_id):
        """Record a commitment (impegno) on the allocation: the Ufficio di Piano; Idempotency-Key honoured."""
        return _recorded(service.record_commitment, tenant=tenant, allocation_id=allocation_id, **body)


@blp.route("/commitments")
class Commitments(MethodView):
    @requires(*ROLES)
    @blp.arguments(CommitmentListQuery, location="query")
    @blp.response(200, CommitmentPage)
    def get(self, query, tenant):
        """Commitments in recording order, filtered by intervention, allocation, plan, fund, year, supplier, CUP."""
        filters = {k: query.get(k) for k in FILTERS}
        return _paged(query, lambda conn, after, limit: service.list_commitments(
            conn=conn, filters=filters, after_seq=after, limit=limit))


@blp.route("/commitments/<uuid:commitment_id>")
class CommitmentById(MethodView):
    @requires(*ROLES)
    @blp.response(200, CommitmentOut)
    def get(self, tenant, commitment_id):
        """One commitment, with what is paid and still to pay."""
        with current_platform().read(g.tenant) as conn:
            return _run(lambda: service.get_commitment(conn=conn, commitment_id=commitment_id))


@blp.route("/commitments/<uuid:commitment_id>/payments")
class Payments(MethodView):
    @requires(*ROLES)
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, PaymentPage)
    def get(self, query, tenant, commitment_id):
        """The commitment's payments in recording order (cursor pagination)."""
        return _paged(query, lambda conn, after, limit: service.list_payments(
            conn=conn, commitment_id=commitment_id, after_seq=after, limit=limit))

    @requires(*WRITERS)
    @idempotent
    @blp.arguments(PaymentIn)
    @blp.response(201, PaymentOut)
    @blp.alt_response(409, **conflicts(*PAY_CONFLICTS))
    def post(self, body, tenant, commitment_id):
        """Record a payment (liquidazione) on the commitment: the Ufficio di Piano; Idempotency-Key honoured."""
        return _recorded(service.record_payment, tenant=tenant, commitment_id=commitment_id, **body)


@blp.route("/expenditure/summary")
class Summary(MethodView):
    @requires(*ROLES)
    @blp.arguments(SummaryQuery, location="query")
    @blp.response(200, SummaryOut)
    def get(self, query, tenant):
        """Per fund and year: available, allocated, committed, paid and still to pay, with totals to the cent."""
        with current_platform().read(g.tenant) as conn:
            return service.expenditure_summary(conn=conn, year=query.get("year"), fund=query.get("fund"))
