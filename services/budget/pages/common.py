"""What every budget page needs: the Ambito's connection and vocabularies, roles, answers."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, REGIONAL_REVIEWER

from services.budget.pages import labels
from services.budget.reference import reference

# Who reads the plan's versions and documents (the plans API's READERS): not a stakeholder.
PLAN_READERS = (OPERATOR, COORDINATOR, AUDITOR, REGIONAL_ADMIN, REGIONAL_REVIEWER)


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
