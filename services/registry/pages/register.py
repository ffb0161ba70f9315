"""Pages of the stakeholder register: filters, one organisation with its history, the exports."""
from __future__ import annotations

from flask import Response, abort, current_app, g, request
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from shared.http.app import current_platform
from shared.http.auth import READERS
from shared.web import page_requires
from shared.web.payload import messages

from services.registry.corrections import service as corrections
from services.registry.exports import service as exports
from services.registry.exports.api import CACHE_KEY
from services.registry.exports.cache import ExportCache
from services.registry.pages import labels
from services.registry.pages.blueprint import blp
from services.registry.pages.common import area_names, comune, page, reading
from services.registry.stakeholders import service
from services.registry.stakeholders.schemas import StakeholderListQuery

FILTERS = ("type", "area", "status", "q")
RULES = {"type": _l("Scegli una tipologia dall'elenco."), "status": _l("Scegli uno stato dall'elenco."),
         "area": _l("Scegli un'area dall'elenco."), "q": _l("Cerca con al massimo 100 caratteri."),
         "after": _l("Pagina non valida: torna alla prima.")}


@blp.route("/registro/")
@page_requires(*READERS)
def register(tenant):
    """The register, filtered by type, area, state and text (part of the name or the exact tax code)."""
    asked = {k: v.strip() for k, v in request.args.items() if k in (*FILTERS, "after") and v.strip()}
    try:
        query = StakeholderListQuery().load(asked)
    except ValidationError as err:
        return page("registro.html", 422, stakeholders=[], next_cursor=None, values=request.args,
                    errors=messages(err, RULES), labels=labels)
    with reading() as conn:
        found = service.list_stakeholders(conn=conn, type=query.get("type"), area=query.get("area"),
                                          status=query.get("status"), text=query.get("q"),
                                          after=query.get("after"), limit=query["limit"])
    return page("registro.html", stakeholders=found["items"], next_cursor=found["next_cursor"],
                values=request.args, errors={}, labels=labels,
                filters={k: v for k, v in asked.items() if k != "after"})


@blp.route("/registro/<uuid:stakeholder_id>")
@page_requires(*READERS)
def stakeholder(tenant, stakeholder_id):
    """One organisation of the register and every change to it, oldest first."""
    return stakeholder_page(stakeholder_id)


def stakeholder_page(stakeholder_id, status: int = 200, *, problem=None):
    """The organisation's page; `problem` says why a change was refused."""
    with reading() as conn:
        try:
            found = service.get_stakeholder(conn=conn, stakeholder_id=stakeholder_id)
        except service.StakeholderNotFound:
            abort(404)
        history = service.stakeholder_history(conn=conn, stakeholder_id=stakeholder_id, limit=500)["items"]
        waiting = corrections.list_corrections(conn=conn, stakeholder_id=stakeholder_id, status="pending",
                                               limit=1)["items"]
    names = area_names()
    return page("soggetto.html", status, stakeholder=found, labels=labels, problem=problem, waiting=waiting,
                history=[{**h, "rows": changes(h, names)} for h in history])


def shown(field: str, value, areas: dict[str, str]) -> str:
    """A history value as people read it: Italian names for codes, '—' for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "areas":
        return "; ".join(str(areas.get(code, code)) for code in value)
    names = {"type": labels.TYPES_IT, "status": labels.STATUS_IT, "runts_section": labels.RUNTS}.get(field)
    if names:
        return str(labels.label(names, value))
    return comune(value) if field == "seat_istat" else str(value)


def changes(entry: dict, areas: dict[str, str]) -> list[tuple[str, str, str | None]]:
    """(field, from, to) of one history entry; a direct registration has values only (from is None)."""
    found = []
    for field, change in sorted(entry["changes"].items()):
        if isinstance(change, dict) and "to" in change:
            found.append((str(labels.label(labels.FIELDS, field)), shown(field, change.get("from"), areas),
                          shown(field, change["to"], areas)))
        else:
            found.append((str(labels.label(labels.FIELDS, field)), None, shown(field, change, areas)))
    return found


def _cache() -> ExportCache:
    """The process's export cache, the same the public API's files come from."""
    return current_app.extensions.setdefault(CACHE_KEY, ExportCache(max_bytes=exports.CACHE_BYTES))


@blp.route("/registro/registro.<any(csv, xlsx):fmt>")
@page_requires(*READERS)
def export(tenant, fmt):
    """The register as CSV or XLSX, the same file as the public export (organisations only)."""
    platform, ambito = current_platform(), g.tenant
    made = exports.export(cache=_cache(), read=lambda: platform.read(ambito), tenant=ambito, fmt=fmt,
                          area_names=area_names())
    response = Response(made.body, content_type=made.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="registro-soggetti-{ambito.slug}.{fmt}"'
    return response
