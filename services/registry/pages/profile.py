"""Pages of the Ambito profile: read it; the office edits name, comuni with population, capofila, ente gestore."""
from __future__ import annotations

import re

from flask import g, request
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.auth import OPERATOR, ROLES
from shared.web import page_requires
from shared.web.payload import MISSING, messages, payload

from services.registry.pages.applications import seat_options
from services.registry.pages.blueprint import blp
from services.registry.pages.common import done, page, reading, region, writing
from services.registry.profile import domain, service
from services.registry.profile.schemas import ProfileIn

EMPTY_ROWS = 3   # blank rows offered to add comuni (no JavaScript needed)
ROW = re.compile(r"^comuni\.([0-9]{1,4})\.(istat_code|population|population_date)$")
RULES = {
    "name": _l("La denominazione dell'Ambito va da 2 a 300 caratteri."),
    "ente_gestore": _l("L'ente gestore ha al massimo 300 caratteri."),
    "asl_district": _l("Il distretto sanitario ha al massimo 300 caratteri."),
    "capofila_istat": _l("Il comune capofila deve essere uno dei comuni dell'Ambito."),
    "comuni": _l("Indica almeno un comune dell'Ambito."),
}
ROW_RULES = {"istat_code": _l("Scegli un comune della regione dell'Ambito; ogni comune una volta sola."),
             "population": _l("La popolazione è un numero intero, 0 o più."),
             "population_date": _l("La data di riferimento è una data passata (gg/mm/aaaa).")}
STALE = _l("Nel frattempo qualcun altro ha salvato il profilo: ricarica la pagina e riporta le tue modifiche.")


def _rule(field: str) -> str | None:
    found = ROW.match(field)
    return ROW_RULES[found.group(2)] if found else RULES.get(field)


def _values(profile: dict | None) -> MultiDict:
    """The form as the saved profile fills it."""
    if profile is None:
        return MultiDict({"name": g.tenant.name})
    values = MultiDict({k: profile[k] or "" for k in ("name", "ente_gestore", "asl_district", "capofila_istat")})
    values["version"] = str(profile["version"])
    for i, c in enumerate(profile["comuni"]):
        values[f"comuni.{i}.istat_code"] = c["istat_code"]
        values[f"comuni.{i}.population"] = str(c["population"])
        values[f"comuni.{i}.population_date"] = c["population_date"].isoformat()
    return values


def _rows(form) -> list[int]:
    """The indexes of the comune rows the form has, filled or not."""
    return sorted({int(m.group(1)) for m in map(ROW.match, form.keys()) if m})


def _edit_page(status=200, *, values, errors, problem=None):
    rows = _rows(values)
    shown = rows + list(range((max(rows) + 1) if rows else 0, ((max(rows) + 1) if rows else 0) + EMPTY_ROWS))
    return page("profilo_modifica.html", status, values=values, errors=errors, problem=problem, rows=shown,
                comuni=seat_options())


@blp.route("/profilo")
@page_requires(*ROLES)
def profile(tenant):
    """The Ambito's profile: comuni and population, capofila, ente gestore, ASL district."""
    with reading() as conn:
        found = service.get_profile(conn=conn)
    return page("profilo.html", profile=found)


def _payload(form) -> tuple[dict, list[int]]:
    """The API's payload; blank comune rows are left out (`kept` maps its rows to the form's)."""
    data = payload(form, fields=("name", "ente_gestore", "asl_district", "capofila_istat"))
    comuni, kept = [], []
    for i in _rows(form):
        row = {k: (form.get(f"comuni.{i}.{k}") or "").strip() for k in ROW_RULES}
        if not any(row.values()):
            continue
        population = row["population"].replace(".", "").replace(" ", "")
        row["population"] = int(population) if population.isdigit() else row["population"]
        comuni.append({k: v for k, v in row.items() if v != ""})
        kept.append(i)
    data["comuni"] = comuni
    return data, kept


def _on_form(errors: dict[str, str], kept: list[int]) -> dict[str, str]:
    """Errors named by the payload's row numbers, named by the form's."""
    found = {}
    for field, message in errors.items():
        match = ROW.match(field)
        found[f"comuni.{kept[int(match.group(1))]}.{match.group(2)}" if match else field] = message
    return found


@blp.route("/profilo/modifica", methods=["GET", "POST"])
@page_requires(OPERATOR)
def edit_profile(tenant):
    """Create or change the profile; the comuni come from the official ISTAT list."""
    if request.method == "GET":
        with reading() as conn:
            found = service.get_profile(conn=conn)
        return _edit_page(values=_values(found), errors={})
    form = request.form
    data, kept = _payload(form)
    try:
        body = ProfileIn().load(data)
    except ValidationError as err:
        return _edit_page(422, values=form, errors=_on_form(messages(err, _rule), kept))
    known = region()
    version = form.get("version", type=int)
    try:
        with writing() as conn:
            service.save_profile(conn=conn, tenant=tenant, tenant_region=g.tenant.region,
                                 region_name=known.name if known else None, expected_version=version,
                                 create_only=version is None, **body)
    except domain.InvalidProfile as exc:
        errors = {e["field"]: _rule(e["field"]) or MISSING for e in exc.errors}
        return _edit_page(422, values=form, errors=_on_form(errors, kept))
    except (service.StaleVersion, service.VersionRequired):
        return _edit_page(409, values=form, errors={}, problem=STALE)
    return done(_("Profilo dell'Ambito salvato."), "profile")


