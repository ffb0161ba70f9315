"""What every registry page needs: the Ambito's connection and region, roles, answers after a POST."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from shared.http.app import current_platform
from shared.http.auth import OPERATOR, READERS, STAKEHOLDER

from services.registry.profile import istat

ROME = ZoneInfo("Europe/Rome")


def reading():
    """A connection to this Ambito's registry database, for reading."""
    return current_platform().read(g.tenant)


def writing():
    """A connection to this Ambito's registry database; the relay is woken after it commits."""
    return current_platform().write(g.tenant)


def region():
    """The Ambito's region (its thematic areas), or None if not configured."""
    return current_platform().regions.get(g.tenant.region)


def area_names() -> dict[str, str]:
    found = region()
    return {a.code: a.name for a in found.areas} if found else {}


def is_operator() -> bool:
    return OPERATOR in g.roles


def is_reader() -> bool:
    """Operator, auditor or regional admin: sees every application and the register."""
    return bool(g.roles.intersection(READERS))


def is_representative() -> bool:
    return STAKEHOLDER in g.roles and not is_reader()


def can_apply() -> bool:
    """A representative applies for its organisation; the office may file an application on its behalf."""
    return bool(g.roles & {STAKEHOLDER, OPERATOR})


def comune(code: str | None) -> str:
    """'Lauria (PZ)' for an ISTAT code; the code if the official list lacks it."""
    found = istat.lookup(code) if code else None
    return f"{found.name} ({found.province})" if found else (code or "")


def sections() -> list[tuple[str, str]]:
    """The registry's sections this user may open: (endpoint, Italian name)."""
    reader = is_reader()
    found = [("home", _("Home"), True), ("calls", _("Avvisi"), True),
             ("applications", _("Domande") if reader else _("Le mie domande"), reader or is_representative()),
             ("register", _("Registro dei soggetti"), reader),
             ("organisation", _("La vostra organizzazione"), is_representative()),
             ("corrections", _("Correzioni"), reader),
             ("profile", _("Profilo dell'Ambito"), True),
             ("privacy", _("Dati personali"), reader)]
    return [(f"registry_pages.{name}", text) for name, text, shown in found
            if shown and f"registry_pages.{name}" in current_app.view_functions]


def page(template: str, status: int = 200, **context):
    """Render a registry template with what every page shows."""
    return render_template(f"registry/{template}", tenant=g.tenant, roles=g.roles, area_names=area_names(),
                           is_operator=is_operator(), is_reader=is_reader(), can_apply=can_apply(),
                           sections=sections(), comune=comune, **context), status


def done(message: str, endpoint: str, **values):
    """After a successful POST: the message, and 303 to the page that shows the result."""
    flash(message, "success")
    return redirect(url_for(f"registry_pages.{endpoint}", tenant=g.tenant.slug, **values), code=303)
