"""The map of services' HTTP API (mappatura dell'offerta): /v1/{tenant}/offer."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version, stale
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts, problems
from shared.http.problems import Problem, invalid

from services.consultation.members import domain as members
from services.consultation.offer import domain, service
from services.consultation.offer.schemas import (OfferIn, OfferListQuery, OfferOut, OfferPage, OfferPageQuery,
                                                 OfferPatch, OfferRetireIn, OfferSummaryOut)
from services.consultation.shared_replicas.origins import shared_registers
from services.consultation.shared_replicas.store import ReplicaReadOnly
from services.consultation.tables.access import Caller, NotAllowed

blp = Blueprint("offer", __name__, url_prefix="/v1/<tenant>/offer",
                description="Mappatura dell'offerta: i servizi e le risorse che le organizzazioni della rete"
                            " offrono sul territorio dell'Ambito")

READERS = (REGIONAL_ADMIN, OPERATOR, COORDINATOR, AUDITOR, STAKEHOLDER)
# The office for any organisation; a representative for the organisations it acts for at a table.
RECORDERS = (OPERATOR, STAKEHOLDER)

NOT_REPRESENTATIVE = ("not-representative", "a representative may record only for an organisation it acts for"
                                            " at a table (a membership in force listing its account)")
MAY_NOT_TAKE_PART = tuple((cls.code, cls.__doc__.strip()) for cls in (
    members.UnknownOrganisation, members.SharedOrganisation, members.SuspendedOrganisation,
    members.WithdrawnOrganisation))
RETIRED = ("offer-retired", "the entry was retired: it stays as it was")
REPLICA = ("replica-read-only", "the entry is a replica of a former Ambito's: only its owner, named in the "
           "problem's `origin`, changes it")


def registers() -> frozenset:
    """The former Ambiti whose register is shared with this one (Catalogue.sharing, issue 9; none without it)."""
    return shared_registers(getattr(current_platform().catalogue, "sharing", None), tenant=g.tenant.slug)


def _answer(offer: dict, status: int = 200):
    return {"origin": g.tenant.slug, **offer}, status, {"ETag": etag(offer["version"])}


def _run(action):
    """Map the use case's refusals to problems."""
    try:
        return action()
    except service.OfferNotFound:
        raise Problem(404, "Not Found", "No such entry in this Ambito's map of services.", slug="not-found") from None
    except service.StaleOffer as exc:
        raise stale(exc.current_version) from None
    except domain.InvalidOffer as exc:
        raise invalid(*exc.errors) from None
    except domain.OfferRetired:
        raise Problem(409, "Conflict", "This entry was retired and stays as it was.", slug=RETIRED[0]) from None
    except members.NotAllowed as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None
    except ReplicaReadOnly as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code, origin=exc.origin) from None
    except NotAllowed as exc:
        raise Problem(403, "Forbidden", f"{exc.reason[0].upper()}{exc.reason[1:]}.", slug=NOT_REPRESENTATIVE[0]) from None


def _caller() -> Caller:
    return Caller(g.principal.subject, frozenset(g.roles))


def _areas() -> dict[str, str]:
    """The thematic areas of the Ambito's region, code -> name, in the region's order."""
    region = current_platform().regions.get(g.tenant.region)
    return {} if region is None else {a.code: a.name for a in region.areas}


def _filters(query: dict) -> dict:
    return {name: query.get(name) for name in ("area", "target_group", "comune", "organisation_id", "accredited")} \
        | {"current": query["current"]}


@blp.route("")
class Offers(MethodView):
    @requires(*READERS)
    @blp.arguments(OfferPageQuery, location="query")
    @blp.response(200, OfferPage)
    def get(self, query, tenant):
        """List the map: filters area, target_group, comune, organisation_id, accredited, current; cursor pagination."""
        with current_platform().read(g.tenant) as conn:
            return service.list_offers(conn=conn, after=query.get("after"), limit=query["limit"],
                                       tenant=g.tenant.slug, origin=query.get("origin"), **_filters(query))

    @requires(*RECORDERS)
    @idempotent
    @blp.arguments(OfferIn)
    @blp.response(201, OfferOut)
    @blp.alt_response(403, **problems(403, NOT_REPRESENTATIVE))
    @blp.alt_response(409, **conflicts(*MAY_NOT_TAKE_PART))
    def post(self, body, tenant):
        """Record a service an organisation offers (Idempotency-Key honoured); only one that may take part now."""
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: service.add_offer(conn=conn, tenant=tenant, caller=_caller(),
                                                          area_codes=_areas(), shared_registers=registers(),
                                                          **body)), 201)


@blp.route("/summary")
class OfferSummary(MethodView):
    @requires(*READERS)
    @blp.arguments(OfferListQuery, location="query")
    @blp.response(200, OfferSummaryOut)
    def get(self, query, tenant):
        """Counts and capacity by area x target group and by comune (for the community profile); same filters."""
        with current_platform().read(g.tenant) as conn:
            return service.summary(conn=conn, tenant=tenant, areas=_areas(), **_filters(query))


@blp.route("/<uuid:offer_id>")
class OfferById(MethodView):
    @requires(*READERS)
    @blp.response(200, OfferOut)
    def get(self, tenant, offer_id):
        """One entry, with ETag."""
        with current_platform().read(g.tenant) as conn:
            return _answer(_run(lambda: service.get_offer(conn=conn, offer_id=offer_id)))

    @requires(*RECORDERS)
    @blp.arguments(OfferPatch)
    @blp.response(200, OfferOut)
    @blp.alt_response(403, **problems(403, NOT_REPRESENTATIVE))
    @blp.alt_response(409, **conflicts(RETIRED, REPLICA))
    def patch(self, body, tenant, offer_id):
        """Change an entry (If-Match required); the whole entry is checked again."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: service.edit_offer(conn=conn, tenant=tenant, caller=_caller(),
                                                           area_codes=_areas(), offer_id=offer_id,
                                                           version=version, changes=body)))


@blp.route("/<uuid:offer_id>/retire")
class RetireOffer(MethodView):
    @requires(*RECORDERS)
    @blp.arguments(OfferRetireIn)
    @blp.response(200, OfferOut)
    @blp.alt_response(403, **problems(403, NOT_REPRESENTATIVE))
    @blp.alt_response(409, **conflicts(RETIRED, REPLICA))
    def post(self, body, tenant, offer_id):
        """Retire an entry (If-Match required): it stays, marked retired, out of the current map."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: service.retire_offer(conn=conn, tenant=tenant, caller=_caller(),
                                                             offer_id=offer_id, version=version,
                                                             reason=body.get("reason"))))
