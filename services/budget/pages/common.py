"""What every budget page needs: the Ambito's connection and vocabularies, roles, forms' messages, answers."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, REGIONAL_REVIEWER
from shared.web import field_errors

from services.budget.pages import labels
from services.budget.reference import reference

# Who reads the plan's versions and documents (the plans API's READERS): not a stakeholder.
PLAN_READERS = (OPERATOR, COORDINATOR, AUDITOR, REGIONAL_ADMIN, REGIONAL_REVIEWER)
REQUIRED = "Missing data for required field."   # marshmallow's, for a field left blank
MISSING = _l("Campo obbligatorio.")


def reading():
    """A connection to this Ambito's budget database, for reading."""
    return current_platform().read(g.tenant)


def writing():
    """A connection to this Ambito's budget database; the relay is woken after it commits."""
    return current_platform().write(g.tenant)


def area_names() -> dict[str, str]:
    region = current_platform().regions.get(g.tenant.region)
    return {a.code: a.name for a in region.areas} if region else {}


def funds() -> dict:
    """The funds this Ambito may receive: every non-regional fund and its own region's, by code."""
    return {code: fund for code, fund in reference().funds.items()
            if fund.region is None or fund.region == g.tenant.region}


def fund_options() -> list[tuple[str, str]]:
    return [(code, f"{code} – {fund.name}") for code, fund in funds().items()]


def is_operator() -> bool:
    return OPERATOR in g.roles


def reads_plans() -> bool:
    return bool(g.roles.intersection(PLAN_READERS))


def sections() -> list[tuple[str, str]]:
    """Budget's sections this user may open: (endpoint, Italian name)."""
    found = [("home", _("Home del bilancio"), True), ("plans", _("Piani e versioni"), reads_plans()),
             ("allocations", _("Fondi e ripartizioni"), True), ("expenditure", _("Impegni e liquidazioni"), True)]
    return [(f"budget_pages.{name}", text) for name, text, shown in found
            if shown and f"budget_pages.{name}" in current_app.view_functions]


def page(template: str, status: int = 200, **context):
    """Render a budget template with what every page shows."""
    return render_template(f"budget/{template}", tenant=g.tenant, roles=g.roles, area_names=area_names(),
                           is_operator=is_operator(), reads_plans=reads_plans(), sections=sections(),
                           labels=labels, **context), status


def done(message: str, endpoint: str, **values):
    """After a successful POST: the message, and 303 to the page that shows the result."""
    flash(message, "success")
    return redirect(url_for(f"budget_pages.{endpoint}", tenant=g.tenant.slug, **values), code=303)


def payload(form: MultiDict, *, fields: tuple[str, ...] = (), lists: tuple[str, ...] = (),
            booleans: tuple[str, ...] = ()) -> dict:
    """What the API schema reads: a blank field is absent, a list from its repeated fields, a ticked box true."""
    data: dict = {}
    for name in fields:
        value = (form.get(name) or "").strip()
        if value:
            data[name] = value
    for name in lists:
        data[name] = [v for v in form.getlist(name) if v.strip()]
    for name in booleans:
        data[name] = name in form
    return data


def messages(err: ValidationError, rules: dict) -> dict[str, str]:
    """Each field's Italian message: 'Campo obbligatorio.' when left blank, else the field's rule.

    `leps.1` is shown at `leps` (one message per field, list or not); a field without a rule keeps the
    schema's message in Italian (shared.web.field_errors) or, if it is already Italian, as written."""
    found: dict[str, str] = {}
    for name, message in field_errors(err).items():
        field = name.split(".")[0] if name.split(".")[-1].isdigit() else name
        if field in found:
            continue
        english = _first(err.messages, name)
        found[field] = str(MISSING) if english == REQUIRED else str(rules.get(field) or message)
    return found


def _first(messages, dotted: str):
    for part in dotted.split("."):
        if isinstance(messages, dict):
            messages = messages.get(part if part in messages else (int(part) if part.isdigit() else part), {})
    if isinstance(messages, list) and messages:
        return messages[0]
    return messages if isinstance(messages, str) else None
