"""earmark_violation: what each fund may pay for, on the shipped reference data and as properties."""
from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from hypothesis import given, strategies as st

from services.budget.reference import Fund, earmark_violation, reference

AREAS = ("1", "2", "3", "4", "5", "6")
LEPS = ("a", "b", "c")
KINDS = ("service", "transfer", "project")
GROUPS = ("minori", "anziani", "disabilita", "poverta_emarginazione")
CODES = ("A1", "A2", "B1")


def fund(code):
    return reference().funds[code]


def check(code, *, area, leps=(), kind="service", nomenclature="1", target_group=None, region="basilicata"):
    return earmark_violation(fund(code), area=area, leps=leps, kind=kind, nomenclature_code=nomenclature,
                             target_group=target_group, region=region)


def test_dopo_di_noi_pays_only_for_severe_disability_without_family_support():
    ok = dict(area="5", leps=["dopo-di-noi-vita-indipendente"], target_group="disabilita")
    assert check("DOPO-DI-NOI", **ok) is None
    assert "thematic areas 5, 6" in check("DOPO-DI-NOI", **{**ok, "area": "4"})
    assert "target groups disabilita" in check("DOPO-DI-NOI", **{**ok, "target_group": "anziani"})
    assert "LEPS dopo-di-noi-vita-indipendente" in check("DOPO-DI-NOI", **{**ok, "leps": ["pronto-intervento-sociale"]})


def test_fna_is_for_non_self_sufficiency_and_the_poverty_fund_for_poverty():
    assert check("FNA", area="6", target_group="anziani") is None
    assert check("FNA", area="2", target_group="minori") is not None
    assert check("FNA", area="3", target_group="minori") is not None
    assert check("FP-SERVIZI", area="4", target_group="poverta_emarginazione") is None
    assert "FP-SERVIZI" in check("FP-SERVIZI", area="3", target_group="anziani")
    assert check("FP-POVERTA-ESTREMA", area="9", target_group="poverta_emarginazione") is None


def test_pnrr_lines_pay_for_their_own_projects():
    assert check("PNRR-M5C2-1.2", area="5", kind="project", target_group="disabilita") is None
    assert "kind project" in check("PNRR-M5C2-1.2", area="5", kind="service", target_group="disabilita")
    assert check("PNRR-M5C2-1.1.3", area="6", kind="project", leps=["dimissioni-protette"]) is None
    assert check("PNRR-M5C2-1.1.3", area="6", kind="project", leps=[]) is not None
    assert check("PNRR-M5C2-1.1.1", area="2", kind="project", leps=["prevenzione-allontanamento-familiare"]) is None


def test_general_funds_pay_for_anything_and_regional_funds_only_in_their_region():
    for code in ("FNPS", "COMUNI", "FSC-SOCIALE"):
        assert check(code, area="7", kind="transfer") is None
    assert check("FR-BASILICATA", area="7") is None
    assert "region lombardia" in check("FSR-LOMBARDIA", area="7")


def test_with_a_region_only_that_regions_areas_count():
    # Lombardia's areas are not Basilicata's, even though both are in the fund's rule.
    assert check("FNA", area="cura-salute-domiciliarita", target_group="anziani") is not None
    assert check("FNA", area="cura-salute-domiciliarita", target_group="anziani", region="lombardia") is None
    assert check("FNA", area="cura-salute-domiciliarita", target_group="anziani", region=None) is None


optional = lambda values: st.none() | st.frozensets(st.sampled_from(values), min_size=1)  # noqa: E731

funds = st.builds(
    lambda areas, leps, kinds, groups, codes: Fund(
        code="TEST", name="Fondo di prova", source="national", areas=areas, leps=leps, kinds=kinds,
        target_groups=groups, nomenclature=codes,
        areas_by_region=MappingProxyType({"basilicata": areas} if areas is not None else {})),
    optional(AREAS), optional(LEPS), optional(KINDS), optional(GROUPS), optional(CODES))
interventions = st.fixed_dictionaries({
    "area": st.sampled_from(AREAS), "leps": st.frozensets(st.sampled_from(LEPS)), "kind": st.sampled_from(KINDS),
    "nomenclature_code": st.sampled_from(CODES), "target_group": st.sampled_from(GROUPS),
    "region": st.sampled_from(["basilicata", None])})


def allowed(fund, intervention):
    return earmark_violation(fund, **intervention) is None


@given(funds, interventions)
def test_a_fund_pays_exactly_when_every_rule_it_sets_holds(fund, i):
    expected = ((fund.areas is None or i["area"] in fund.areas)
                and (fund.leps is None or bool(fund.leps & i["leps"]))
                and (fund.kinds is None or i["kind"] in fund.kinds)
                and (fund.target_groups is None or i["target_group"] in fund.target_groups)
                and (fund.nomenclature is None or i["nomenclature_code"] in fund.nomenclature))
    assert allowed(fund, i) is expected


@given(funds, interventions, st.sampled_from(["areas", "leps", "kinds", "target_groups", "nomenclature"]))
def test_lifting_a_restriction_never_refuses_what_was_allowed(fund, i, dimension):
    lifted = replace(fund, **{dimension: None})
    if allowed(fund, i):
        assert allowed(lifted, i)


@given(funds, interventions, st.sampled_from(LEPS))
def test_covering_one_more_leps_never_makes_an_intervention_ineligible(fund, i, extra):
    if allowed(fund, i):
        assert allowed(fund, {**i, "leps": i["leps"] | {extra}})


@given(funds, interventions)
def test_a_refusal_names_the_fund_and_is_words(fund, i):
    message = earmark_violation(fund, **i)
    assert message is None or (message.startswith("fund TEST ") and len(message) > 20)
