"""Profile HTTP API: /v1/{tenant}/profile and /v1/{tenant}/areas."""
from __future__ import annotations

from flask import g, request
from flask.views import MethodView
from shared.http.blueprint import Blueprint
from marshmallow import Schema, fields, validate

from shared.http.app import current_platform
from shared.http.auth import ROLES, WRITERS, requires
from shared.http.concurrency import etag, required_version, stale
from shared.http.openapi import problems
from shared.http.problems import Problem, invalid

from services.registry.profile import domain, istat, service
from services.registry.profile.schemas import AreasOut, ProfileIn, ProfileOut

blp = Blueprint("profile", __name__, url_prefix="/v1/<tenant>",
                description="Il profilo dell'Ambito: comuni, capofila, ente gestore, aree tematiche")

ETAG_HEADER = {"ETag": {"description": 'The profile\'s version, e.g. "3": send it back in If-Match',
                        "schema": {"type": "string"}}}
PRECONDITIONS = [
    {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
     "description": "The ETag you read; required once the profile exists (428 without it, 412 if stale)"},
    {"in": "header", "name": "If-None-Match", "required": False, "schema": {"type": "string", "enum": ["*"]},
     "description": "`*`: create only, 412 if the profile already exists"},
]


@blp.route("/profile")
class Profile(MethodView):
    # The profile names public bodies and places only: every role of the Ambito may read it.
    @requires(*ROLES)
    @blp.response(200, ProfileOut, headers=ETAG_HEADER)
    @blp.alt_response(404, **problems(404, ("not-found", "this Ambito has no profile yet")))
    def get(self, tenant):
        """The Ambito's profile: comuni (ISTAT), population, capofila, ente gestore, ASL district."""
        with current_platform().read(g.tenant) as conn:
            profile = service.get_profile(conn=conn)
        if profile is None:
            raise Problem(404, "Not Found", "This Ambito has no profile yet.", slug="not-found")
        return profile, 200, {"ETag": etag(profile["version"])}

    @requires(*WRITERS)
    @blp.arguments(ProfileIn)
    @blp.response(200, ProfileOut, headers=ETAG_HEADER)
    @blp.doc(parameters=PRECONDITIONS)
    def put(self, body, tenant):
        """Create or replace the Ambito's profile (If-Match once it exists)."""
        platform = current_platform()
        region = platform.regions.get(g.tenant.region)
        expected = required_version() if request.headers.get("If-Match") else None
        try:
            with platform.write(g.tenant) as conn:
                profile = service.save_profile(
                    conn=conn, tenant=tenant, tenant_region=g.tenant.region,
                    region_name=region.name if region else None, expected_version=expected,
                    create_only=request.headers.get("If-None-Match", "").strip() == "*", **body)
        except domain.InvalidProfile as exc:
            raise invalid(*((e["field"], e["message"]) for e in exc.errors)) from None
        except service.VersionRequired:
            required_version()  # no If-Match was sent: this raises the platform's 428
            raise
        except service.StaleVersion as exc:
            raise stale(exc.current) from None
        return profile, 200, {"ETag": etag(profile["version"])}


@blp.route("/areas")
class Areas(MethodView):
    @requires(*ROLES)
    @blp.response(200, AreasOut)
    @blp.alt_response(404, **problems(404, ("no-regional-configuration",
                                            "the Ambito's region has no thematic areas configured")))
    def get(self, tenant):
        """The thematic areas of the Ambito's region, from the regional configuration."""
        region = current_platform().regions.get(g.tenant.region)
        if region is None:
            raise Problem(404, "Not Found", f"Region '{g.tenant.region}' has no configuration of thematic areas.",
                          slug="no-regional-configuration")
        return {"region": region.slug, "name": region.name,
                "areas": [{"code": a.code, "name": a.name} for a in region.areas]}


class ComuniQuery(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=100),
                         metadata={"description": "Part of the comune's name (accents and case ignored)"})


class IstatComuneOut(Schema):
    istat_code = fields.String()
    name = fields.String()
    province = fields.String()
    region = fields.String()


@blp.route("/comuni")
class Comuni(MethodView):
    @requires(*ROLES)
    @blp.arguments(ComuniQuery, location="query")
    @blp.response(200, IstatComuneOut(many=True))
    def get(self, query, tenant):
        """Comuni of the Ambito's region in the official ISTAT list, found by name: where codes come from."""
        region = current_platform().regions.get(g.tenant.region)
        wanted = domain.region_key(query["name"])
        return [c for c in istat.official_list().values()
                if wanted in domain.region_key(c.name)
                and domain.in_region(c.region, slug=g.tenant.region, name=region.name if region else None)]
