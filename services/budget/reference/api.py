"""Reference data HTTP API: /v1/{tenant}/funds, /funds/{code}, /leps, /nomenclature (read only)."""
from __future__ import annotations

from dataclasses import asdict

from flask import g
from flask.views import MethodView

from shared.http.app import current_platform
from shared.http.auth import ROLES, requires
from shared.http.blueprint import Blueprint
from shared.http.problems import Problem

from services.budget.reference.loader import reference
from services.budget.reference.model import Fund
from services.budget.reference.schemas import FundOut, FundsOut, FundsQuery, LepsListOut, NomenclatureOut

blp = Blueprint("budget-reference", __name__, url_prefix="/v1/<tenant>",
                description="Dati di riferimento: fondi e vincoli di destinazione, LEPS, nomenclatore degli interventi")


def _sorted(values) -> list[str] | None:
    return None if values is None else sorted(values)


def _view(fund: Fund, region: str) -> dict:
    """The fund as this Ambito sees it: the areas of its own region, with their names."""
    areas = None
    if fund.areas is not None:
        known = current_platform().regions.get(region)
        names = {a.code: a.name for a in known.areas} if known else {}
        areas = [{"code": c, "name": names.get(c, c)} for c in sorted(fund.areas_by_region.get(region, ()))]
    return {"code": fund.code, "name": fund.name, "source": fund.source, "region": fund.region,
            "legal_basis": fund.legal_basis, "rule": fund.rule, "restricted": fund.restricted,
            "earmark": {"areas": areas, "leps": _sorted(fund.leps), "kinds": _sorted(fund.kinds),
                        "target_groups": _sorted(fund.target_groups), "nomenclature": _sorted(fund.nomenclature)}}


def _funds_of(region: str) -> list[Fund]:
    """National, EU, PNRR and comuni funds, and the regional funds of the Ambito's region."""
    return [f for f in reference().funds.values() if f.region is None or f.region == region]


@blp.route("/funds")
class Funds(MethodView):
    @requires(*ROLES)
    @blp.arguments(FundsQuery, location="query")
    @blp.response(200, FundsOut)
    def get(self, query, tenant):
        """Fondi che l'Ambito può ricevere, con i vincoli di destinazione (filtro source)."""
        region = g.tenant.region
        return {"items": [_view(f, region) for f in _funds_of(region)
                          if query.get("source") in (None, f.source)]}


@blp.route("/funds/<code>")
class FundByCode(MethodView):
    @requires(*ROLES)
    @blp.response(200, FundOut)
    def get(self, tenant, code):
        """Un fondo e i suoi vincoli di destinazione."""
        fund = next((f for f in _funds_of(g.tenant.region) if f.code == code), None)
        if fund is None:
            raise Problem(404, "Not Found", f"No fund {code!r} for this Ambito.", slug="not-found")
        return _view(fund, g.tenant.region)


@blp.route("/leps")
class LepsList(MethodView):
    @requires(*ROLES)
    @blp.response(200, LepsListOut)
    def get(self, tenant):
        """Livelli essenziali delle prestazioni sociali (LEPS) con i loro codici."""
        return {"items": [asdict(leps) for leps in reference().leps.values()]}


@blp.route("/nomenclature")
class Nomenclature(MethodView):
    @requires(*ROLES)
    @blp.response(200, NomenclatureOut)
    def get(self, tenant):
        """Nomenclatore degli interventi e servizi sociali: codici, denominazioni e fonte."""
        ref = reference()
        return {"source": ref.nomenclature_source, "items": [asdict(e) for e in ref.nomenclature.values()]}
