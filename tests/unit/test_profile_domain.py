"""Ambito profile rules: ISTAT codes, region, duplicates, capofila, population."""
from datetime import date

import pytest

from services.registry.profile import istat
from services.registry.profile.domain import InvalidProfile, check_profile, in_region, region_key, total_population

TODAY = date(2026, 3, 1)
LAURIA, VIGGIANELLO, FASANO = "076042", "076097", "074007"


def comune(code, population=1000, population_date=date(2025, 1, 1)):
    return {"istat_code": code, "population": population, "population_date": population_date}


def check(comuni, capofila=LAURIA, region="basilicata", tenant_region="basilicata",
          region_name="Regione Basilicata"):
    return check_profile(region=region, tenant_region=tenant_region, region_name=region_name, comuni=comuni,
                         capofila_istat=capofila, resolve=istat.lookup, today=TODAY)


def fields_refused(comuni, **kwargs):
    with pytest.raises(InvalidProfile) as caught:
        check(comuni, **kwargs)
    return {e["field"]: e["message"] for e in caught.value.errors}


def test_a_valid_profile_gets_names_and_provinces_from_istat_in_the_given_order():
    resolved = check([comune(VIGGIANELLO, 3000), comune(LAURIA, 12500)], capofila=VIGGIANELLO)
    assert [(c["istat_code"], c["name"], c["province"]) for c in resolved] == [
        (VIGGIANELLO, "Viggianello", "PZ"), (LAURIA, "Lauria", "PZ")]
    assert total_population(resolved) == 15500


def test_the_capofila_must_be_one_of_the_comuni():
    assert set(fields_refused([comune(LAURIA)], capofila=VIGGIANELLO)) == {"capofila_istat"}


def test_a_comune_listed_twice_is_refused_at_its_second_place():
    refused = fields_refused([comune(LAURIA), comune(VIGGIANELLO), comune(LAURIA, 5)])
    assert set(refused) == {"comuni.2.istat_code"} and "comuni.0" in refused["comuni.2.istat_code"]


def test_an_unknown_code_is_refused_naming_its_place():
    refused = fields_refused([comune(LAURIA), comune(VIGGIANELLO), comune("076999")])
    assert set(refused) == {"comuni.2.istat_code"} and "ISTAT" in refused["comuni.2.istat_code"]


def test_a_comune_of_another_region_is_refused():
    refused = fields_refused([comune(LAURIA), comune(FASANO)])
    assert set(refused) == {"comuni.1.istat_code"}
    assert "Fasano" in refused["comuni.1.istat_code"] and "Puglia" in refused["comuni.1.istat_code"]


def test_fasano_belongs_to_a_puglia_ambito():
    assert check([comune(FASANO, 38700)], capofila=FASANO, region="puglia", tenant_region="puglia",
                 region_name="Regione Puglia")[0]["name"] == "Fasano"


def test_the_region_must_be_the_tenants():
    assert set(fields_refused([comune(LAURIA)], region="puglia")) == {"region"}


def test_population_must_not_be_negative_and_its_date_not_in_the_future():
    refused = fields_refused([comune(LAURIA, -1), comune(VIGGIANELLO, 0, date(2026, 3, 2))])
    assert set(refused) == {"comuni.0.population", "comuni.1.population_date"}


def test_every_rule_broken_is_reported_at_once():
    refused = fields_refused([comune("076999", -5), comune(FASANO)], capofila=VIGGIANELLO, region="x")
    assert set(refused) == {"region", "comuni.0.population", "comuni.0.istat_code", "comuni.1.istat_code",
                            "capofila_istat"}


def test_an_unknown_capofila_listed_among_the_comuni_is_refused_once_as_a_comune():
    refused = fields_refused([comune("076999")], capofila="076999")
    assert set(refused) == {"comuni.0.istat_code"}


@pytest.mark.parametrize("istat_region, slug, name", [
    ("Basilicata", "basilicata", None),
    ("Basilicata", "bas", "Regione Basilicata"),
    ("Emilia-Romagna", "emilia-romagna", None),
    ("Friuli-Venezia Giulia", "fvg", "Regione Autonoma Friuli Venezia Giulia"),
    ("Valle d'Aosta/Vallée d'Aoste", "valle-d-aosta", None),
    ("Valle d'Aosta/Vallée d'Aoste", "vda", "Regione Autonoma Valle d’Aosta"),
    ("Trentino-Alto Adige/Südtirol", "trentino-alto-adige", None),
    ("Veneto", "x", "Regione del Veneto"),
    ("Sardegna", "x", "Regione Autonoma della Sardegna"),
])
def test_istat_region_names_match_the_configured_slug_or_name(istat_region, slug, name):
    assert in_region(istat_region, slug=slug, name=name)


@pytest.mark.parametrize("istat_region, slug, name", [
    ("Puglia", "basilicata", "Regione Basilicata"),
    ("Lombardia", "", None),
    ("Calabria", "campania", "Regione Campania"),
])
def test_other_regions_do_not_match(istat_region, slug, name):
    assert not in_region(istat_region, slug=slug, name=name)


def test_region_key_ignores_case_accents_punctuation_and_the_word_regione():
    assert region_key("Regione Valle d'Aosta") == region_key("VALLE-D-AOSTA") == "valledaosta"
    assert region_key("Vallée d'Aoste") == "valleedaoste"
