"""Ballots HTTP API: /v1/{tenant}/rounds/{round_id}/ballots (one ballot per organisation, replaced until close)."""
from __future__ import annotations

from flask import g, request
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import COORDINATOR, OPERATOR, ROLES, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version
from shared.http.openapi import conflicts, problems

from services.consultation.rounds import ballots_service as service
from services.consultation.shared_replicas.origins import shared_registers
from services.consultation.rounds.http import NOT_PERMITTED, caller, run
from services.consultation.rounds.schemas import BallotIn, BallotListQuery, BallotOut, BallotPage

blp = Blueprint("round_ballots", __name__, url_prefix="/v1/<tenant>/rounds/<uuid:round_id>/ballots",
                description="Schede dei turni di priorità: una per organizzazione, sostituibile fino alla chiusura")

VOTERS = (OPERATOR, COORDINATOR, STAKEHOLDER)
REFUSALS = (("round-closed", "the round is closed: no ballot changes"),
            ("round-cancelled", "the round was cancelled"),
            ("table-closed", "the table is closed"),
            ("organisation-withdrawn", "the organisation withdrew from the network"),
            ("organisation-suspended", "the organisation is suspended"),
            ("unknown-organisation", "the organisation is not in the replicated register"),
            ("shared-organisation", "the organisation belongs to another Ambito's register"))


def registers() -> frozenset:
    """The former Ambiti whose register is shared with this one (Catalogue.sharing, issue 9; none without it)."""
    return shared_registers(getattr(current_platform().catalogue, "sharing", None), tenant=g.tenant.slug)


def answer(ballot: dict, status: int = 200):
    return ballot, status, {"ETag": etag(ballot["version"])}


@blp.route("")
class Ballots(MethodView):
    @requires(*ROLES)
    @blp.arguments(BallotListQuery, location="query")
    @blp.response(200, BallotPage)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    def get(self, query, tenant, round_id):
        """The round's ballots, each organisation's points: the Ufficio di Piano and the table's coordinator only."""
        who = caller()
        with current_platform().read(g.tenant) as conn:
            return run(lambda: service.list_ballots(conn=conn, caller=who, round_id=round_id,
                                                    after=query.get("after"), limit=query["limit"]))


@blp.route("/<uuid:organisation_id>")
class BallotByOrganisation(MethodView):
    @requires(*ROLES)
    @blp.response(200, BallotOut)
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    def get(self, tenant, round_id, organisation_id):
        """One organisation's ballot, with ETag: the office, and the organisation's own representatives."""
        who = caller()
        with current_platform().read(g.tenant) as conn:
            return answer(run(lambda: service.get_ballot(conn=conn, caller=who, round_id=round_id,
                                                         organisation_id=organisation_id)))

    @requires(*VOTERS)
    @blp.arguments(BallotIn)
    @blp.response(200, BallotOut)
    @blp.alt_response(201, schema=BallotOut, description="The organisation's first ballot")
    @blp.alt_response(403, **problems(403, NOT_PERMITTED))
    @blp.alt_response(409, **conflicts(*REFUSALS))
    @blp.doc(if_match="optional")
    def put(self, body, tenant, round_id, organisation_id):
        """Cast or replace the organisation's ballot: its representative, or the office with on_behalf (marked).

        If-Match is optional: without it the ballot sent replaces the organisation's ballot whatever it was;
        with it, only the version read (412 otherwise, also when the organisation has no ballot yet)."""
        version = required_version() if request.headers.get("If-Match") else None
        who = caller()
        with current_platform().write(g.tenant) as conn:
            ballot, created = run(lambda: service.cast_ballot(
                conn=conn, tenant=tenant, caller=who, round_id=round_id, organisation_id=organisation_id,
                allocations=body["allocations"], on_behalf=body["on_behalf"], version=version,
                shared_registers=registers()))
        return answer(ballot, 201 if created else 200)
