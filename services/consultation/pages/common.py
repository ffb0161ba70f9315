"""What every consultation page needs: the Ambito's connection and areas, the caller, roles, answers."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from shared.http.app import current_platform
from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, READERS, REGIONAL_ADMIN, STAKEHOLDER

from services.consultation.pages import labels
from services.consultation.tables.access import Caller, manages

ROME = ZoneInfo("Europe/Rome")
# Everyone with a role in the Ambito reads tables, sessions and approved minutes (as the API's READERS).
EVERYONE = (REGIONAL_ADMIN, OPERATOR, COORDINATOR, AUDITOR, STAKEHOLDER)
MANAGERS = (OPERATOR, COORDINATOR)   # then access.manages(): the operator, or this table's coordinator


def reading():
    """A connection to this Ambito's consultation database, for reading."""
    return current_platform().read(g.tenant)


def writing():
    """A connection to this Ambito's consultation database; the relay is woken after it commits."""
    return current_platform().write(g.tenant)


def caller() -> Caller:
    """The logged-in account and its roles here, as the use cases take them."""
    return Caller(g.principal.subject, frozenset(g.roles))


def area_names() -> dict[str, str]:
    """The Ambito's region's thematic areas: code -> name."""
    region = current_platform().regions.get(g.tenant.region)
    return {a.code: a.name for a in region.areas} if region else {}


def is_operator() -> bool:
    return OPERATOR in g.roles


def is_office() -> bool:
    """Operator or coordinator: may manage tables (the coordinator only those naming it)."""
    return bool(g.roles & {OPERATOR, COORDINATOR})


def is_reader() -> bool:
    return bool(g.roles & set(READERS))


def is_representative() -> bool:
    return STAKEHOLDER in g.roles


def manages_table(table: dict) -> bool:
    """The operator manages every table; a coordinator those naming it."""
    return manages(caller(), table)


def sections() -> list[tuple[str, str]]:
    """Consultation's sections: (endpoint, Italian name)."""
    found = [("home", _("Tavoli")), ("needs", _("Bisogni e proposte")), ("rounds", _("Turni di priorità")),
             ("timeline", _("Cronoprogramma"))]
    return [(f"consultation_pages.{name}", text) for name, text in found
            if f"consultation_pages.{name}" in current_app.view_functions]


def page(template: str, status: int = 200, **context):
    """Render a consultation template with what every page shows."""
    return render_template(f"consultation/{template}", tenant=g.tenant, roles=g.roles, area_names=area_names(),
                           is_operator=is_operator(), is_office=is_office(), is_reader=is_reader(),
                           is_representative=is_representative(), sections=sections(), labels=labels,
                           **context), status


def done(message: str, endpoint: str, **values):
    """After a successful POST: the message, and 303 to the page that shows the result."""
    flash(message, "success")
    return redirect(url_for(f"consultation_pages.{endpoint}", tenant=g.tenant.slug, **values), code=303)


def refused(message: str, endpoint: str, **values):
    """A domain refusal after a POST: the message as an error, and 303 back to the page it came from."""
    flash(message, "error")
    return redirect(url_for(f"consultation_pages.{endpoint}", tenant=g.tenant.slug, **values), code=303)
