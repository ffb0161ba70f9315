"""The intervention and progress rules, pure: each refusal names its field; percentages and figures are exact."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from services.budget.interventions import domain
from services.budget.interventions.progress_domain import (Period, RecordRefused, check_outputs, check_record,
                                                           figure_text, parse_figure, parse_percent)

VOCABULARY = domain.Vocabulary(areas=frozenset({"1", "3"}), nomenclature=frozenset({"2"}),
                               leps=frozenset({"dimissioni-protette", "pronto-intervento-sociale"}))


def field_of(action) -> str:
    with pytest.raises(domain.InvalidField) as caught:
        action()
    return caught.value.field


def test_classification_names_the_field_and_the_index():
    ok = {"nomenclature_code": "2", "area": "3", "target_group": "anziani", "kind": "service",
          "leps": ["dimissioni-protette"]}
    domain.check_classification(ok, VOCABULARY)
    for change, field in [({"nomenclature_code": "9"}, "nomenclature_code"), ({"area": "9"}, "area"),
                          ({"target_group": "tutti"}, "target_group"), ({"kind": "gift"}, "kind"),
                          ({"leps": ["pronto-intervento-sociale", "x"]}, "leps.1")]:
        assert field_of(lambda: domain.check_classification({**ok, **change}, VOCABULARY)) == field
    # Only the fields present are checked (a PATCH of the title does not re-check the LEPS).
    domain.check_classification({"title": "x"}, domain.Vocabulary(frozenset(), frozenset(), frozenset()))


def test_target_groups_are_consultations():
    from services.consultation.targets import CODES   # the test may look at both services; the code may not
    assert domain.TARGET_GROUPS == CODES


@pytest.mark.parametrize("kind,investment,cup,field", [
    ("project", True, None, "cup"), ("service", True, "J31B21004620006", "investment"),
    ("project", False, "J31B2100462000", "cup"), ("project", False, "j31b21004620006", "cup"),
    ("project", False, "J31B21004620006 ", "cup")])
def test_cup_rules(kind, investment, cup, field):
    assert field_of(lambda: domain.check_cup(kind=kind, investment=investment, cup=cup)) == field


def test_cup_accepted():
    domain.check_cup(kind="project", investment=True, cup="J31B21004620006")
    domain.check_cup(kind="service", investment=False, cup=None)
    domain.check_cup(kind="transfer", investment=False, cup="J31B21004620006")


def test_planned_dates_within_the_triennium():
    check = lambda s, e: domain.check_planned(planned_start=s, planned_end=e, first_year=2024, last_year=2026)  # noqa: E731
    check(date(2024, 1, 1), date(2026, 12, 31))
    check(None, None)
    assert field_of(lambda: check(date(2023, 12, 31), None)) == "planned_start"
    assert field_of(lambda: check(None, date(2027, 1, 1))) == "planned_end"
    assert field_of(lambda: check(date(2025, 2, 2), date(2025, 2, 1))) == "planned_end"


def test_monitoring_status_and_dates_agree():
    domain.check_monitoring(status="planned", actual_start=None, actual_end=None)
    domain.check_monitoring(status="completed", actual_start=date(2024, 1, 1), actual_end=date(2025, 1, 1))
    domain.check_monitoring(status="cancelled", actual_start=None, actual_end=date(2025, 1, 1))
    assert field_of(lambda: domain.check_monitoring(status="active", actual_start=None, actual_end=None)) == (
        "actual_start")
    assert field_of(lambda: domain.check_monitoring(status="planned", actual_start=date(2024, 1, 1),
                                                    actual_end=None)) == "status"
    assert field_of(lambda: domain.check_monitoring(status="active", actual_start=date(2024, 1, 1),
                                                    actual_end=date(2024, 6, 1))) == "actual_end"
    assert field_of(lambda: domain.check_monitoring(status="completed", actual_start=date(2024, 1, 2),
                                                    actual_end=date(2024, 1, 1))) == "actual_end"
    with pytest.raises(domain.InterventionRuleError):
        domain.check_status_change("cancelled", "active")
    domain.check_status_change("completed", "active")


def test_comuni_managing_body_proposals_and_link():
    assert domain.check_comuni(["076042", "076097", "076042"], {"076042", "076097"}) == ["076042", "076097"]
    assert field_of(lambda: domain.check_comuni(["076042", "076069"], {"076042"})) == "comuni.1"
    origins = frozenset({"a"})
    domain.check_managing_body({"origin": "a", "status": "active"}, origins=origins)
    assert field_of(lambda: domain.check_managing_body({"origin": "b", "status": "active"}, origins=origins)) == (
        "managing_body")
    assert field_of(lambda: domain.check_managing_body({"origin": "a", "status": "withdrawn"}, origins=origins)) == (
        "managing_body")
    assert field_of(lambda: domain.check_managing_body(None, origins=origins)) == "managing_body"
    p, q = uuid.uuid4(), uuid.uuid4()
    found = {p: {"origin": "a", "status": "accepted"}, q: {"origin": "b", "status": "accepted"}}
    assert domain.check_proposals([p, p], found, origins=origins) == [p]
    assert field_of(lambda: domain.check_proposals([p, q], found, origins=origins)) == "proposal_ids.1"
    link = {"origin": "lagonegrese", "intervention_id": p}
    domain.check_continues(link, tenant="lp", sharing_origins=frozenset({"lagonegrese"}), replica={"id": p})
    domain.check_continues(None, tenant="lp", sharing_origins=frozenset(), replica=None)
    assert field_of(lambda: domain.check_continues(link, tenant="lp", sharing_origins=frozenset(),
                                                   replica={"id": p})) == "continues.origin"
    assert field_of(lambda: domain.check_continues(link, tenant="lagonegrese", sharing_origins=frozenset(
        {"lagonegrese"}), replica={"id": p})) == "continues.origin"
    assert field_of(lambda: domain.check_continues(link, tenant="lp", sharing_origins=frozenset({"lagonegrese"}),
                                                   replica=None)) == "continues.intervention_id"


@pytest.mark.parametrize("quarter,first,last", [(1, date(2025, 1, 1), date(2025, 3, 31)),
                                                (2, date(2025, 4, 1), date(2025, 6, 30)),
                                                (3, date(2025, 7, 1), date(2025, 9, 30)),
                                                (4, date(2025, 10, 1), date(2025, 12, 31))])
def test_periods(quarter, first, last):
    period = Period(2025, quarter)
    assert (period.first_day, period.last_day, str(period)) == (first, last, f"2025-Q{quarter}")


def test_record_rules_give_english_and_italian_reasons():
    ok = dict(period=Period(2025, 2), status="active", percentage=Decimal("40"), actual_start=date(2025, 2, 3),
              first_year=2024, today=date(2025, 4, 1))
    check_record(**ok)
    for change, field in [({"period": Period(2023, 4)}, "year"), ({"today": date(2025, 3, 31)}, "quarter"),
                          ({"status": "completed"}, "percentage"), ({"actual_start": None}, "actual_start"),
                          ({"status": "planned"}, "status"), ({"actual_start": date(2025, 7, 1)}, "actual_start")]:
        with pytest.raises(RecordRefused) as caught:
            check_record(**{**ok, **change})
        assert caught.value.field == field and caught.value.italian and caught.value.message


def test_outputs_are_named_once_and_are_figures():
    assert check_outputs({" utenti  serviti ": 42, "ore": "12.5"}) == {"utenti serviti": Decimal("42"),
                                                                       "ore": Decimal("12.5")}
    for outputs, field in [({"a": -1}, "outputs.a"), ({"a": "1e3"}, "outputs.a"), ({"a": True}, "outputs.a"),
                           ({" ": 1}, "outputs"), ({"a": 1, " a ": 2}, "outputs.a"),
                           ({str(i): 1 for i in range(31)}, "outputs")]:
        with pytest.raises(RecordRefused) as caught:
            check_outputs(outputs)
        assert caught.value.field == field, outputs


cents = st.integers(min_value=0, max_value=10000)


@given(cents)
def test_every_percentage_reads_back_exactly_from_its_text_and_its_float(hundredths):
    value = Decimal(hundredths) / 100
    text = f"{value:.2f}"
    assert parse_percent(text) == value
    assert parse_percent(float(text)) == value              # a JSON number or a spreadsheet cell
    assert parse_percent(text.replace(".", ","), comma=True) == value
    assert str(parse_percent(text)) == text


@given(st.integers(min_value=10001, max_value=10 ** 6))
def test_a_percentage_over_100_is_refused(hundredths):
    with pytest.raises(ValueError):
        parse_percent(f"{Decimal(hundredths) / 100:.2f}")


@given(st.integers(min_value=0, max_value=10 ** 14 - 1))
def test_figures_round_trip_to_the_cent(hundredths):
    value = Decimal(hundredths) / 100
    assert parse_figure(figure_text(value)) == value
    assert parse_figure(f"{value:.2f}") == value
    if hundredths < 2 ** 53:   # a double holds it exactly enough for its shortest repr to be the figure
        assert parse_figure(float(f"{value:.2f}")) == value


@given(st.integers(min_value=0, max_value=10 ** 6).filter(lambda n: n % 10 != 0))
def test_three_decimals_are_never_silently_rounded(thousandths):
    text = f"{Decimal(thousandths) / 1000:.3f}"
    for parse in (parse_percent, parse_figure):
        with pytest.raises(ValueError):
            parse(text)
