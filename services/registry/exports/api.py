"""Public exports: /v1/{tenant}/public/stakeholders.csv and .xlsx (no token: transparency).

GET and HEAD only. Answers are revalidated, never rebuilt while the register stays the same:
a weak ETag (a digest of everything the file shows) and Last-Modified, 304 to a matching
If-None-Match (or, without one, If-Modified-Since), and `Cache-Control: public, no-cache`:
anyone (a browser, a proxy, the ingress) may keep the file but must ask before reusing it,
because a transparency register must show a suspension or a corrected name at once, and
asking costs the service one aggregate query and a 304.
"""
from __future__ import annotations

from flask import Response, current_app, g, request
from flask.views import MethodView
from werkzeug.sansio.http import is_resource_modified
from shared.http.blueprint import Blueprint

from shared.http import openapi
from shared.http.app import current_platform
from shared.http.problems import Problem

from services.registry.exports import service
from services.registry.exports.cache import ExportCache

blp = Blueprint("exports", __name__, url_prefix="/v1/<tenant>/public", public=True,
                description="Esportazioni pubbliche del registro (solo organizzazioni)")

CACHE_KEY = "pdz.registry.exports"

_HEADERS = {
    "ETag": {"description": "Weak validator of the file: send it back in If-None-Match", "required": True,
             "schema": {"type": "string", "pattern": '^W/"[0-9a-f]+"$'}},
    "Last-Modified": {"description": "When the register (or the export's format) last changed", "required": True,
                      "schema": {"type": "string"}},
    "Cache-Control": {"description": "`public, no-cache`: keep it, but revalidate before reuse", "required": True,
                      "schema": {"type": "string"}},
}
_CONDITIONS = [
    {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
     "description": "Only `*` matches (412 otherwise): the ETag is weak and If-Match compares strongly"},
    {"in": "header", "name": "If-None-Match", "required": False, "schema": {"type": "string"},
     "description": "The ETag of the copy you hold: 304 without a body if the register is unchanged"},
    {"in": "header", "name": "If-Modified-Since", "required": False, "schema": {"type": "string"},
     "description": "The Last-Modified of the copy you hold (ignored when If-None-Match is sent)"},
]


def _responses(media_type: str, schema: dict, description: str) -> dict:
    return {"200": {"description": description, "content": {media_type: {"schema": schema}},
                    "headers": {**_HEADERS, "Content-Disposition": {
                        "description": "attachment; filename=registro-soggetti-<tenant>.<ext>", "required": True,
                        "schema": {"type": "string"}}}},
            "412": openapi.problem_response(412, ["stale-etag"], "If-Match named an ETag (only * matches)"),
            "304": {"description": "Your copy is current (If-None-Match / If-Modified-Since): no body",
                    "headers": {k: v for k, v in _HEADERS.items() if k != "Last-Modified"}}}


def _cache() -> ExportCache:
    """This process's cache (one per app: each gunicorn worker has its own)."""
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = current_app.extensions.setdefault(CACHE_KEY, ExportCache(max_bytes=service.CACHE_BYTES))
    return cache


def _answer(fmt: str) -> Response:
    # If-Match compares strongly (RFC 9110 13.1.1) and the ETag is weak: only * matches. Checked first, not by
    # werkzeug's make_conditional, which refuses * too and would send the file with its 412.
    if request.if_match and not request.if_match.star_tag:
        raise Problem(412, "Precondition Failed", "If-Match compares strongly and an export's ETag is weak:"
                      " only If-Match: * matches. Revalidate with If-None-Match.", slug="stale-etag")
    platform = current_platform()
    tenant = g.tenant
    region = platform.regions.get(tenant.region)
    made = service.export(cache=_cache(), read=lambda: platform.read(tenant), tenant=tenant, fmt=fmt,
                          area_names={a.code: a.name for a in region.areas} if region else {})
    # content_type=, not mimetype=: Response adds "; charset=utf-8" to a text mimetype, even one that has it.
    response = Response(made.body, content_type=made.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="registro-soggetti-{tenant.slug}.{fmt}"'
    response.set_etag(made.etag, weak=True)
    response.last_modified = made.last_modified
    response.cache_control.public = True
    response.cache_control.no_cache = True
    # If-None-Match (weak comparison) wins over If-Modified-Since. On a 304 werkzeug drops the body and the
    # entity headers; HEAD gets GET's headers, Content-Length included, without the body.
    if not is_resource_modified(http_if_none_match=request.headers.get("If-None-Match"),
                                http_if_modified_since=request.headers.get("If-Modified-Since"),
                                etag=response.headers["ETag"], last_modified=made.last_modified):
        response.status_code = 304
    return response


@blp.route("/stakeholders.csv")
class StakeholdersCsv(MethodView):
    @blp.doc(security=[], etag=False, parameters=_CONDITIONS, responses=_responses(
        "text/csv", {"type": "string"}, "Il registro in CSV (separatore ';', UTF-8 con BOM)"))
    def get(self, tenant):
        """The register as CSV (organisations only; no token needed)."""
        return _answer("csv")


@blp.route("/stakeholders.xlsx")
class StakeholdersXlsx(MethodView):
    @blp.doc(security=[], etag=False, parameters=_CONDITIONS, responses=_responses(
        service.CONTENT_TYPES["xlsx"], {"type": "string", "format": "binary"}, "Il registro in XLSX"))
    def get(self, tenant):
        """The register as an Excel workbook (organisations only; no token needed)."""
        return _answer("xlsx")
