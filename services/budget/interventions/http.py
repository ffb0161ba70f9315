"""What the interventions' API modules share: the Ambito's context, today, refusals as problems."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import g

from shared.http.app import current_platform
from shared.http.concurrency import stale
from shared.http.problems import Problem, invalid

from services.budget.interventions import domain
from services.budget.interventions.progress_service import RowsRefused
from services.budget.interventions.service import (PROFILE, PROPOSALS, REGISTER, Context, DuplicateCode,
                                                   InterventionNotFound, StaleIntervention)
from services.budget.plans.editable import PlanNotEditable, PlanNotFound
from services.budget.reference import reference

ROME = ZoneInfo("Europe/Rome")
DATA_SETS = (REGISTER, PROFILE, PROPOSALS, domain.INTERVENTIONS_DATA_SET)
NOT_EDITABLE = ("plan-not-editable", "the plan's current version is adopted or further on: its content is frozen "
                                     "(open a new version to change it)")
DUPLICATE = ("duplicate-code", "another intervention of the plan has this code (`field`: code)")
REVOKED = ("organisation-revoked", "the managing body came from a former Ambito's register that is no longer "
                                   "shared with this one")
CANCELLED = ("intervention-cancelled", "a cancelled intervention cannot be reopened")
ROWS_REFUSED = ("rows-refused", "some rows of the file were refused (`rows`: line and reason, in Italian); "
                                "nothing was applied")


def today() -> date:
    """Today in Italy: the quarter a progress record may reach."""
    return datetime.now(ROME).date()


def context() -> Context:
    """The caller's Ambito: its slug, its region's areas, the CISIS nomenclature and LEPS, who shares with it."""
    tenant = g.tenant.slug
    region = current_platform().regions.get(g.tenant.region)
    data = reference()
    vocabulary = domain.Vocabulary(areas=frozenset(a.code for a in region.areas) if region else frozenset(),
                                   nomenclature=frozenset(data.nomenclature), leps=frozenset(data.leps))
    sharing = getattr(current_platform().catalogue, "sharing", None)
    shared = {name: frozenset(s.origin for s in sharing.into(tenant) if name in s.data and s.origin != tenant)
              if sharing is not None else frozenset() for name in DATA_SETS}
    return Context(tenant=tenant, vocabulary=vocabulary, shared=shared)


def run(action):
    """Run the use case; its refusals become problems (fresh instances each time)."""
    try:
        return action()
    except (InterventionNotFound, PlanNotFound):
        raise Problem(404, "Not Found", "No such record in this Ambito.", slug="not-found") from None
    except StaleIntervention as exc:
        raise stale(exc.current_version) from None
    except domain.InvalidField as exc:
        raise invalid((exc.field, exc.message)) from None
    except PlanNotEditable as exc:
        raise Problem(409, "Conflict", str(exc), slug="plan-not-editable", state=exc.state) from None
    except DuplicateCode:
        raise Problem(409, "Conflict", "Another intervention of this plan has this code.", slug="duplicate-code",
                      field="code") from None
    except domain.InterventionRuleError as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None
    except RowsRefused as exc:
        raise Problem(422, "Rows refused", f"{len(exc.rows)} righe rifiutate su {exc.total}: nessuna è stata "
                      "applicata. Correggere il file e caricarlo di nuovo.", slug="rows-refused",
                      rows=[{"line": r.line, "reason": r.reason} for r in exc.rows]) from None
