"""The budget service's app factory: its API blueprints and its working pages (services/budget/pages/)."""
from __future__ import annotations

from shared.http.app import create_service_app

from services.budget import SERVICE
from services.budget.allocations.api import blp as allocations_blp
from services.budget.cofinancing.api import blp as cofinancing_blp
from services.budget.documents.api import blp as documents_blp
from services.budget.expenditure.api import blp as expenditure_blp
from services.budget.exports.api import blp as exports_blp
from services.budget.funds.api import blp as funds_blp
from services.budget.interventions.api import blp as interventions_blp
from services.budget.interventions.progress_api import blp as progress_blp
from services.budget.members.api import blp as organisations_blp
from services.budget.pages import pages
from services.budget.plans.api import blp as plans_blp
from services.budget.plans.transitions_api import blp as plan_transitions_blp
from services.budget.proposals.api import blp as accepted_proposals_blp
from services.budget.reference import reference
from services.budget.reference.api import blp as reference_blp
from services.budget.territory.api import blp as territory_blp


def create_app(settings=None, platform=None):
    reference()  # funds, LEPS, nomenclature: a wrong reference file stops the process here (ReferenceDataError)
    return create_service_app(service=SERVICE, title="PdZ Budget",
                              blueprints=[allocations_blp, cofinancing_blp,
                                          interventions_blp, progress_blp, expenditure_blp, reference_blp, funds_blp,
                                          plans_blp, plan_transitions_blp, organisations_blp, accepted_proposals_blp,
                                          territory_blp, exports_blp, documents_blp],
                              pages=pages, settings=settings, platform=platform)
