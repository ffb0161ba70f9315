"""Cronoprogramma HTTP API: /v1/{tenant}/timeline (the year), /timeline/milestones, /timeline/template."""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import ROLES, WRITERS, requires
from shared.http.blueprint import Blueprint
from shared.http.concurrency import etag, required_version, stale
from shared.http.idempotency import idempotent
from shared.http.openapi import conflicts, problems
from shared.http.problems import Problem, invalid

from services.consultation.timeline import domain, service
from services.consultation.timeline.schemas import (MilestoneIn, MilestoneListQuery, MilestoneOut, MilestonePage,
                                                    MilestonePatch, TemplateIn, TemplateOut, TimelineOut,
                                                    TimelineQuery)

blp = Blueprint("timeline", __name__, url_prefix="/v1/<tenant>/timeline",
                description="Cronoprogramma del Piano: fasi e tappe, date previste ed effettive, ritardi")

FULL = ("timeline-full", f"the year already holds {domain.MAX_PER_YEAR} milestones")


def _answer(milestone: dict, status: int = 200):
    return milestone, status, {"ETag": etag(milestone["version"])}


def _run(action):
    """Map the use case's refusals to problems (fresh instances each time)."""
    try:
        return action()
    except service.MilestoneNotFound:
        raise Problem(404, "Not Found", "No such milestone in this Ambito.", slug="not-found") from None
    except service.StaleMilestone as exc:
        raise stale(exc.current_version) from None
    except domain.InvalidMilestone as exc:
        raise invalid(*exc.errors) from None
    except domain.TimelineFull as exc:
        raise Problem(409, "Conflict", str(exc), slug="timeline-full") from None
    except domain.MilestoneStateError as exc:
        raise Problem(409, "Conflict", str(exc), slug="milestone-state") from None


@blp.route("")
class Timeline(MethodView):
    @requires(*ROLES)
    @blp.arguments(TimelineQuery, location="query")
    @blp.response(200, TimelineOut)
    def get(self, query, tenant):
        """A year's cronoprogramma: the five phases in order, each with its milestones by date and counts."""
        year = query.get("year") or service.today().year
        with current_platform().read(g.tenant) as conn:
            return service.year_timeline(conn=conn, year=year)


@blp.route("/milestones")
class Milestones(MethodView):
    @requires(*ROLES)
    @blp.arguments(MilestoneListQuery, location="query")
    @blp.response(200, MilestonePage)
    def get(self, query, tenant):
        """List milestones in creation order: filters year, phase, status, table_id, late; cursor pagination."""
        filters = {name: query.get(name) for name in ("year", "phase", "status", "table_id", "late")}
        with current_platform().read(g.tenant) as conn:
            return service.list_milestones(conn=conn, after=query.get("after"), limit=query["limit"], **filters)

    @requires(*WRITERS)
    @idempotent
    @blp.arguments(MilestoneIn)
    @blp.response(201, MilestoneOut)
    @blp.alt_response(409, **conflicts(FULL))
    def post(self, body, tenant):
        """Plan a milestone in a phase (Idempotency-Key honoured); it starts as planned."""
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: service.plan_milestone(conn=conn, tenant=tenant,
                                                               subject=g.principal.subject, **body)), 201)


@blp.route("/milestones/<uuid:milestone_id>")
class MilestoneById(MethodView):
    @requires(*ROLES)
    @blp.response(200, MilestoneOut)
    @blp.alt_response(404, **problems(404, ("not-found", "no such milestone in this Ambito")))
    def get(self, tenant, milestone_id):
        """One milestone, with ETag and its lateness as of today (Europe/Rome)."""
        with current_platform().read(g.tenant) as conn:
            return _answer(_run(lambda: service.get_milestone(conn=conn, milestone_id=milestone_id)))

    @requires(*WRITERS)
    @blp.arguments(MilestonePatch)
    @blp.response(200, MilestoneOut)
    @blp.alt_response(404, **problems(404, ("not-found", "no such milestone in this Ambito")))
    @blp.alt_response(409, **conflicts(("milestone-state", "the status move is not allowed")))
    def patch(self, body, tenant, milestone_id):
        """Edit a milestone: text, phase, table, planned days, status and actual days (If-Match required)."""
        version = required_version()
        with current_platform().write(g.tenant) as conn:
            return _answer(_run(lambda: service.edit_milestone(conn=conn, tenant=tenant, milestone_id=milestone_id,
                                                               version=version, changes=body)))


@blp.route("/template")
class Template(MethodView):
    @requires(*WRITERS)
    @blp.arguments(TemplateIn)
    @blp.response(201, TemplateOut)
    @blp.alt_response(200, schema=TemplateOut, description="The year already held every milestone of the"
                                                           " template: nothing was added")
    @blp.alt_response(409, **conflicts(FULL))
    def post(self, body, tenant):
        """Instantiate the default template (seed 001's months) for a year; idempotent: adds what is missing."""
        year = body["year"]
        with current_platform().write(g.tenant) as conn:
            created, items = _run(lambda: service.instantiate_template(conn=conn, tenant=tenant,
                                                                       subject=g.principal.subject, year=year))
        return {"year": year, "created": created, "items": items}, 201 if created else 200
