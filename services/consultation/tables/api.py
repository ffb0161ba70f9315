"""Tables HTTP API: /v1/{tenant}/tables (tavoli tematici, la plenaria, i tavoli permanenti)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, STAKEHOLDER, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version, stale
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts
from shared.http.problems import Problem, invalid

from services.consultation.shared_replicas.store import ReplicaReadOnly
from services.consultation.tables import domain, service
from services.consultation.tables.access import Caller, NotAllowed
from services.consultation.tables.schemas import TableIn, TableListQuery, TableOut, TablePage, TablePatch

blp = Blueprint("tables", __name__, url_prefix="/v1/<tenant>/tables",
                description="Tavoli della consultazione: tematici, la sessione plenaria, i tavoli permanenti")

# Tables are no secret inside the Ambito: everyone with a role in it reads them.
READERS = (REGIONAL_ADMIN, OPERATOR, COORDINATOR, AUDITOR, STAKEHOLDER)
CLOSED = ("table-closed", "the table is closed")
REPLICA = ("replica-read-only", "the table is a replica of another Ambito's (a former Ambito's): only its owner, "
           "named in the problem's `origin`, changes it")


def replica_problem(exc: ReplicaReadOnly) -> Problem:
    """409 naming the Ambito that owns the record (its `origin`)."""
    return Problem(409, "Conflict", str(exc), slug=exc.code, origin=exc.origin)


def caller() -> Caller:
    return Caller(g.principal.subject, g.roles)


def _answer(table: dict, status: int = 200):
    return {"origin": g.tenant.slug, **table}, status, {"ETag": etag(table["version"])}


def _run(action):
    """Map the use case's refusals to problems."""
    try:
        return action()
    except service.TableNotFound:
        raise Problem(404, "Not Found", "No such table in this Ambito.", slug="not-found") from None
    except service.StaleTable as exc:
        raise stale(exc.current_version) from None
    except NotAllowed as exc:
        raise Problem(403, "Forbidden", exc.reason, slug="forbidden") from None
    except domain.TableRuleError as exc:
        raise Problem(409, "Conflict", exc.detail, slug=exc.code) from None
    except ReplicaReadOnly as exc:
        raise replica_problem(exc) from None


def checked_areas(kind: str, codes: list[str]) -> list[str]:
    """The codes if the region plans by them (a plenary may have none); 422 naming each one that fails."""
    region = current_platform().regions.get(g.tenant.region)
    known = region.area_codes() if region is not None else None
    errors = domain.area_errors(kind, codes, known)
    if errors:
        raise invalid(*[("areas" if i is None else f"areas.{i}", message) for i, message in errors])
    return domain.unique(codes)


@blp.route("")
class Tables(MethodView):
    @requires(*READERS)
    @blp.arguments(TableListQuery, location="query")
    @blp.response(200, TablePage)
    def get(self, query, tenant):
        """List the Ambito's tables and those shared by its former Ambiti (each with `origin`): filters kind,
        area, status, origin; cursor pagination over both."""
        with current_platform().read(g.tenant) as conn:
            return service.list_tables(conn=conn, kind=query.get("kind"), area=query.get("area"),
                                       status=query.get("status"), after=query.get("after"), limit=query["limit"],
                                       tenant=g.tenant.slug, origin=query.get("origin"))

    @requires(OPERATOR)
    @idempotent
    @blp.arguments(TableIn)
    @blp.response(201, TableOut)
    def post(self, body, tenant):
        """Create a table (the Ufficio di Piano; Idempotency-Key honoured)."""
        body["areas"] = checked_areas(body["kind"], body["areas"])
        with current_platform().write(g.tenant) as conn:
            return _answer(service.create_table(conn=conn, tenant=tenant, by=g.principal.subject, **body), 201)


@blp.route("/<uuid:table_id>")
class TableById(MethodView):
    @requires(*READERS)
    @blp.response(200, TableOut)
    def get(self, tenant, table_id):
        """One table, with ETag."""
        with current_platform().read(g.tenant) as conn:
            return _answer(_run(lambda: service.get_table(conn=conn, table_id=table_id)))

    @requires(OPERATOR, COORDINATOR)
    @blp.arguments(TablePatch)
    @blp.response(200, TableOut)
    @blp.alt_response(409, **conflicts(CLOSED, REPLICA))
    def patch(self, body, tenant, table_id):
        """Change a table (If-Match required): the office anything but the kind; the table's coordinator
        only the description (403 otherwise)."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            if "areas" in body:
                # The kind decides whether no area is allowed: read it, the update checks the version.
                kind = _run(lambda: service.get_table(conn=conn, table_id=table_id))["kind"]
                body["areas"] = checked_areas(kind, body["areas"])
            return _answer(_run(lambda: service.update_table(conn=conn, tenant=tenant, caller=caller(),
                                                             table_id=table_id, version=version, changes=body)))


@blp.route("/<uuid:table_id>/close")
class CloseTable(MethodView):
    @requires(OPERATOR)
    @blp.response(200, TableOut)
    @blp.alt_response(409, **conflicts(CLOSED, REPLICA))
    def post(self, tenant, table_id):
        """Close a table (If-Match required): it takes no more members and changes no more; all it holds stays."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: service.close_table(conn=conn, tenant=tenant, table_id=table_id,
                                                            version=version)))
