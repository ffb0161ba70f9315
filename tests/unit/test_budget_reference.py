"""The budget's reference data: the shipped files load, and every kind of bad file is refused naming the entry."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from shared.regions import parse_regions

from services.budget.reference import ReferenceDataError, load_reference, parse_reference, reference
from services.budget.reference import loader

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "deploy" / "local"
REGIONS = parse_regions({"regions": {
    "basilicata": {"areas": [{"code": str(n), "name": f"Area {n}"} for n in range(1, 10)]},
    "lombardia": {"areas": [{"code": "inclusione-coesione", "name": "Inclusione e coesione"},
                            {"code": "cura-salute-domiciliarita", "name": "Cura, salute e domiciliarità"}]},
}})
NOMENCLATURE = {
    "source": {"document": "Nomenclatore di prova", "version": "test", "year": 2013},
    "entries": [{"code": "A", "name": "Gruppo A"}, {"code": "A1", "name": "Riga A1", "parent": "A"},
                {"code": "A2", "name": "Riga A2", "parent": "A"}, {"code": "B", "name": "Gruppo B"}],
}
REFERENCE = {
    "leps": [{"code": "pronto-intervento-sociale", "name": "Pronto intervento sociale"},
             {"code": "dopo-di-noi-vita-indipendente", "name": "Dopo di noi e vita indipendente"}],
    "funds": [
        {"code": "FNPS", "name": "Fondo nazionale politiche sociali", "source": "national", "legal_basis": "L. 328/2000"},
        {"code": "DOPO-DI-NOI", "name": "Dopo di Noi", "source": "national", "legal_basis": "L. 112/2016",
         "earmark": {"areas": {"basilicata": ["5"], "lombardia": ["cura-salute-domiciliarita"]},
                     "leps": ["dopo-di-noi-vita-indipendente"], "target_groups": ["disabilita"]}},
        {"code": "FR-BASILICATA", "name": "Fondo regionale", "source": "regional", "region": "basilicata",
         "legal_basis": "esempio", "earmark": {"areas": ["4"], "nomenclature": ["A"], "kinds": ["service"]}},
    ],
}


def parsed(reference_data=None, nomenclature_data=None):
    return parse_reference(reference_data or REFERENCE, nomenclature_data or NOMENCLATURE, REGIONS)


def refused(mutate, *, nomenclature: bool = False) -> str:
    data, nomen = copy.deepcopy(REFERENCE), copy.deepcopy(NOMENCLATURE)
    mutate(nomen if nomenclature else data)
    with pytest.raises(ReferenceDataError) as error:
        parse_reference(data, nomen, REGIONS)
    return str(error.value)


def test_the_shipped_files_load_with_every_fund_of_the_domain():
    ref = load_reference(LOCAL / "budget-reference.yaml", LOCAL / "budget-nomenclature.yaml", LOCAL / "regions.yaml")
    assert {"FNPS", "FP-SERVIZI", "FP-POVERTA-ESTREMA", "FNA", "DOPO-DI-NOI", "PN-INCLUSIONE", "FEAD", "REACT-EU",
            "POC-INCLUSIONE", "PNRR-M5C2-1.1.1", "PNRR-M5C2-1.1.2", "PNRR-M5C2-1.1.3", "PNRR-M5C2-1.1.4",
            "PNRR-M5C2-1.2", "PNRR-M5C2-1.3.1", "PNRR-M5C2-1.3.2", "FSE-PLUS", "FSC-SOCIALE", "COMUNI"} <= set(ref.funds)
    assert {f.source for f in ref.funds.values()} == {"national", "regional", "EU", "PNRR", "comuni"}
    # One regional fund per configured region, as an example.
    assert {f.region for f in ref.funds.values() if f.source == "regional"} == {"basilicata", "lombardia", "puglia"}
    assert {"pronto-intervento-sociale", "dimissioni-protette", "dopo-di-noi-vita-indipendente",
            "centro-servizi-poverta"} <= set(ref.leps)
    assert ref.nomenclature_source and all(f.legal_basis for f in ref.funds.values())
    # Earmarks are what the funds are for, e.g. Dopo di Noi only disability, FNA only non self-sufficiency.
    assert ref.funds["DOPO-DI-NOI"].target_groups == {"disabilita"}
    assert ref.funds["FNA"].areas_by_region["basilicata"] == {"3", "5", "6"}
    assert ref.funds["FNPS"].restricted is False


def test_reference_is_read_once_per_process():
    assert reference() is reference()


def test_the_kubernetes_copies_are_the_local_files():
    for name in ("budget-reference.yaml", "budget-nomenclature.yaml"):
        assert (ROOT / "deploy" / "k8s" / "base" / name).read_text() == (LOCAL / name).read_text(), \
            f"copy deploy/local/{name} to deploy/k8s/base/{name}"


def test_a_nomenclature_group_stands_for_its_lines_and_areas_split_by_region():
    ref = parsed()
    fund = ref.funds["FR-BASILICATA"]
    assert fund.nomenclature == {"A", "A1", "A2"}
    assert fund.areas_by_region == {"basilicata": {"4"}}
    assert ref.funds["DOPO-DI-NOI"].areas == {"5", "cura-salute-domiciliarita"}
    assert ref.nomenclature["A1"].parent == "A" and ref.nomenclature["A1"].level == 2


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["funds"].append(copy.deepcopy(d["funds"][0])), "fund FNPS: duplicate code"),
    (lambda d: d["funds"][1]["earmark"]["leps"].append("leps-inventato"), "fund DOPO-DI-NOI.earmark.leps: unknown leps-inventato"),
    (lambda d: d["funds"][0].update(source="statale"), "fund FNPS: source 'statale'"),
    (lambda d: d["funds"][2]["earmark"].update(areas=["99"]), "fund FR-BASILICATA.areas: 99 not an area of any region"),
    (lambda d: d["funds"][1]["earmark"]["areas"].update(basilicata=["povertà"]), "not an area of basilicata"),
    (lambda d: d["funds"][1]["earmark"]["areas"].pop("lombardia"), "names none for region lombardia"),
    (lambda d: d["funds"][1]["earmark"]["areas"].update(veneto=["1"]), "unknown region 'veneto'"),
    (lambda d: d["funds"][2]["earmark"].update(areas=["4", "inclusione-coesione"]), "areas of another region"),
    (lambda d: d["funds"][2].pop("region"), "fund FR-BASILICATA: a regional fund names its region"),
    (lambda d: d["funds"][0].update(region="basilicata"), "fund FNPS: a regional fund names its region"),
    (lambda d: d["funds"][0].update(region="molise", source="regional"), "fund FNPS: unknown region 'molise'"),
    (lambda d: d["funds"][2]["earmark"].update(kinds=["servizio"]), "fund FR-BASILICATA.earmark.kinds: unknown servizio"),
    (lambda d: d["funds"][1]["earmark"].update(target_groups=["disabili"]), "target_groups: unknown disabili"),
    (lambda d: d["funds"][2]["earmark"].update(nomenclature=["Z9"]), "nomenclature: unknown Z9"),
    (lambda d: d["funds"][0].update(earmarks={}), "fund FNPS: unknown keys earmarks"),
    (lambda d: d["funds"][1]["earmark"].update(aree=["5"]), "fund DOPO-DI-NOI.earmark may only have"),
    (lambda d: d["funds"][0].update(code="fnps"), "bad fund code 'fnps'"),
    (lambda d: d["funds"][0].pop("legal_basis"), "fund FNPS.legal_basis must be a non-empty string"),
    (lambda d: d["funds"][0].update(name=""), "fund FNPS.name must be a non-empty string"),
    (lambda d: d["funds"][1]["earmark"].update(leps=[]), "earmark.leps must be a non-empty list"),
    (lambda d: d["leps"].append({"code": "pronto-intervento-sociale", "name": "Doppione"}),
     "LEPS pronto-intervento-sociale: duplicate code"),
    (lambda d: d["leps"].append({"code": "Pronto Intervento", "name": "x"}), "reference.leps[2]: bad code"),
    (lambda d: d.pop("funds"), "must be a mapping with 'leps' and 'funds' lists"),
])
def test_a_bad_reference_file_is_refused_naming_the_entry(mutate, expected):
    assert expected in refused(mutate)


@pytest.mark.parametrize("mutate, expected", [
    (lambda n: n["entries"].append({"code": "A1", "name": "Doppione"}), "nomenclature entry A1: duplicate code"),
    (lambda n: n["entries"].append({"code": "C1", "name": "Orfana", "parent": "C"}),
     "nomenclature entry C1: parent 'C' is not an entry listed before it"),
    (lambda n: n["entries"].append({"code": "c 1", "name": "x"}), "bad code 'c 1'"),
    (lambda n: n["entries"].append({"code": "C", "name": ""}), "nomenclature entry C.name"),
    (lambda n: n["source"].pop("year"), "nomenclature.source.year must be a year"),
    (lambda n: n["source"].pop("document"), "nomenclature.source.document"),
    (lambda n: n.pop("source"), "nomenclature.source must say document, version and year"),
])
def test_a_bad_nomenclature_is_refused_naming_the_entry(mutate, expected):
    assert expected in refused(mutate, nomenclature=True)


def test_missing_or_broken_files_are_refused(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("funds: [\n")
    with pytest.raises(ReferenceDataError, match="not found"):
        load_reference(tmp_path / "none.yaml", LOCAL / "budget-nomenclature.yaml", LOCAL / "regions.yaml")
    with pytest.raises(ReferenceDataError, match="not valid YAML"):
        load_reference(broken, LOCAL / "budget-nomenclature.yaml", LOCAL / "regions.yaml")


@pytest.mark.parametrize("process", ["api", "consumer"])
def test_the_api_and_the_consumer_refuse_to_start_with_an_invalid_file(process, tmp_path, monkeypatch):
    from services.budget import entrypoints
    from services.budget.app import create_app

    start = create_app if process == "api" else entrypoints.consumer

    def consumes(**_kwargs):
        raise AssertionError("the consumer started without checking the reference data")

    monkeypatch.setattr("shared.processes.run_consumer", consumes)

    bad = yaml.safe_load((LOCAL / "budget-reference.yaml").read_text())
    next(f for f in bad["funds"] if f["code"] == "DOPO-DI-NOI")["earmark"]["leps"] = ["leps-inventato"]
    path = tmp_path / "budget-reference.yaml"
    path.write_text(yaml.safe_dump(bad))
    monkeypatch.setenv("PDZ_BUDGET_REFERENCE_FILE", str(path))
    loader.reference.cache_clear()
    try:
        with pytest.raises(ReferenceDataError, match="leps-inventato"):
            start()
    finally:
        monkeypatch.delenv("PDZ_BUDGET_REFERENCE_FILE")
        loader.reference.cache_clear()
