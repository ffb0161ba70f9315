"""Snapshots and their differences (services/budget/plans/snapshot.py, differences.py): totals to the cent."""
import json
import uuid
from datetime import date
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from services.budget.plans import differences, snapshot

IDS = [uuid.UUID(int=i) for i in range(1, 7)]
AREAS = ("1", "3", "4", "6")
FUNDS = ("FNPS", "FNA", "POVERTA")
YEARS = (2024, 2025, 2026)
HEADER = {"plan_id": "p", "number": 1}

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@st.composite
def contents(draw):
    """Rows as the store reads them: interventions, their allocations and co-financing."""
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS)))
    interventions = [{"id": i, "code": f"A{n}", "title": draw(st.sampled_from(["Centro diurno", "SAD anziani"])),
                      "description": "", "nomenclature_code": "B1", "area": draw(st.sampled_from(AREAS)),
                      "target_group": "anziani", "leps": draw(st.lists(st.sampled_from(["PIS", "DIM"]), unique=True)),
                      "kind": "service", "comuni": ["076042"], "managing_body": None, "cup": None,
                      "continues_origin": None, "continues_intervention": None,
                      "planned_start": date(2024, 1, 1), "planned_end": None}
                     for n, i in enumerate(ids)]
    allocations = [{"intervention_id": i, "fund_code": f, "year": y, "amount": draw(cents)}
                   for i in ids for f in draw(st.lists(st.sampled_from(FUNDS), unique=True, max_size=2))
                   for y in draw(st.lists(st.sampled_from(YEARS), unique=True, max_size=2))]
    cofinancing = [{"intervention_id": i, "year": y, "total": draw(cents), "population_as_of": None}
                   for i in ids for y in draw(st.lists(st.sampled_from(YEARS), unique=True, max_size=1))]
    shares = [{"intervention_id": c["intervention_id"], "year": c["year"], "istat_code": "076042",
               "population": 12500, "amount": c["total"]} for c in cofinancing]
    return snapshot.build(header=HEADER, interventions=interventions, proposals={}, allocations=allocations,
                          cofinancing=cofinancing, shares=shares)


def amounts(mapping, key="total"):
    return sum((Decimal(v[key] if isinstance(v, dict) else v) for v in mapping.values()), Decimal("0"))


@settings(max_examples=150)
@given(contents())
def test_totals_reconcile_to_the_cent(snap):
    totals = snap["totals"]
    allocated = sum((Decimal(a["amount"]) for a in snap["allocations"]), Decimal("0"))
    cofinanced = sum((Decimal(c["total"]) for c in snap["cofinancing"]), Decimal("0"))
    assert Decimal(totals["allocated"]) == allocated and Decimal(totals["cofinancing"]) == cofinanced
    assert Decimal(totals["total"]) == allocated + cofinanced
    assert amounts(totals["by_area"]) == amounts(totals["by_year"]) == allocated + cofinanced
    assert amounts(totals["by_fund"]) == allocated
    for fund, entry in totals["by_fund"].items():
        assert amounts(entry["by_year"], None) == Decimal(entry["total"]), fund
    # Amounts are strings with two decimals, and the snapshot survives a JSON round trip unchanged.
    assert all(isinstance(a["amount"], str) and a["amount"].split(".")[1].__len__() == 2 for a in snap["allocations"])
    assert json.loads(json.dumps(snap)) == snap


def test_totals_of_a_known_plan():
    i1, i2 = IDS[:2]
    rows = [{"id": i1, "code": "A1", "title": "Centro diurno", "area": "5"},
            {"id": i2, "code": "A2", "title": "SAD anziani", "area": "3"}]
    snap = snapshot.build(
        header=HEADER, interventions=rows, proposals={i1: [IDS[5]]},
        allocations=[{"intervention_id": i1, "fund_code": "FNPS", "year": 2024, "amount": Decimal("10000.10")},
                     {"intervention_id": i1, "fund_code": "FNA", "year": 2025, "amount": Decimal("0.05")},
                     {"intervention_id": i2, "fund_code": "FNPS", "year": 2025, "amount": Decimal("2500.00")}],
        cofinancing=[{"intervention_id": i2, "year": 2025, "total": Decimal("333.34")}],
        shares=[{"intervention_id": i2, "year": 2025, "istat_code": "076042", "population": 2, "amount": "222.23"},
                {"intervention_id": i2, "year": 2025, "istat_code": "076039", "population": 1, "amount": "111.11"}])
    totals = snap["totals"]
    assert (totals["allocated"], totals["cofinancing"], totals["total"]) == ("12500.15", "333.34", "12833.49")
    assert totals["by_area"] == {"3": {"allocated": "2500.00", "cofinancing": "333.34", "total": "2833.34"},
                                 "5": {"allocated": "10000.15", "cofinancing": "0.00", "total": "10000.15"}}
    assert totals["by_fund"] == {"FNA": {"total": "0.05", "by_year": {"2025": "0.05"}},
                                 "FNPS": {"total": "12500.10", "by_year": {"2024": "10000.10", "2025": "2500.00"}}}
    assert totals["by_year"]["2025"] == {"allocated": "2500.05", "cofinancing": "333.34", "total": "2833.39"}
    assert snap["interventions"][0]["proposals"] == [str(IDS[5])]
    assert [s["istat_code"] for s in snap["cofinancing"][0]["shares"]] == ["076039", "076042"]


@settings(max_examples=150)
@given(contents())
def test_a_snapshot_differs_from_itself_in_nothing(a):
    d = differences.diff(a, a)
    assert differences.is_empty(d)
    assert differences.apply_to_totals(a["totals"], d) == a["totals"]


@settings(max_examples=200)
@given(contents(), contents())
def test_the_differences_carry_every_cent_from_a_to_b(a, b):
    d = differences.diff(a, b)
    assert differences.apply_to_totals(a["totals"], d) == b["totals"]
    assert d["totals"] == {"before": a["totals"], "after": b["totals"]}
    assert differences.is_empty(d) == (a["interventions"] == b["interventions"]
                                       and a["allocations"] == b["allocations"]
                                       and [(c["intervention_id"], c["year"], c["total"]) for c in a["cofinancing"]]
                                       == [(c["intervention_id"], c["year"], c["total"]) for c in b["cofinancing"]])


def test_differences_line_by_line():
    i1, i2, i3 = IDS[:3]
    base = [{"id": i1, "code": "A1", "title": "Centro diurno", "area": "5"},
            {"id": i2, "code": "A2", "title": "SAD anziani", "area": "3"}]
    a = snapshot.build(header=HEADER, interventions=base, proposals={}, shares=[], cofinancing=[], allocations=[
        {"intervention_id": i1, "fund_code": "FNPS", "year": 2025, "amount": Decimal("1000.00")},
        {"intervention_id": i2, "fund_code": "FNA", "year": 2025, "amount": Decimal("500.00")}])
    moved = [{**base[0], "title": "Centro diurno disabili", "area": "6"},
             {"id": i3, "code": "A3", "title": "Pronto intervento sociale", "area": "1"}]
    b = snapshot.build(header=HEADER, interventions=moved, proposals={}, shares=[], cofinancing=[], allocations=[
        {"intervention_id": i1, "fund_code": "FNPS", "year": 2025, "amount": Decimal("1200.50")},
        {"intervention_id": i3, "fund_code": "FNPS", "year": 2025, "amount": Decimal("300.00")}])
    d = differences.diff(a, b)
    assert [x["code"] for x in d["interventions"]["added"]] == ["A3"]
    assert [x["code"] for x in d["interventions"]["removed"]] == ["A2"]
    [changed] = d["interventions"]["changed"]
    assert changed["fields"] == {"title": {"before": "Centro diurno", "after": "Centro diurno disabili"},
                                 "area": {"before": "5", "after": "6"}}
    lines = {(x["code"], x["fund_code"]): (x["before"], x["after"], x["delta"]) for x in d["allocations"]}
    assert lines == {("A1", "FNPS"): ("1000.00", "1200.50", "200.50"), ("A2", "FNA"): ("500.00", None, "-500.00"),
                     ("A3", "FNPS"): (None, "300.00", "300.00")}
    assert (d["totals"]["before"]["total"], d["totals"]["after"]["total"]) == ("1500.00", "1500.50")
