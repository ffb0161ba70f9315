"""The map of services' pure rules: entry checks, opening hours, personal codes, who represents, the summary."""
import uuid
from datetime import date

import pytest
from hypothesis import given, strategies as st

from services.consultation.offer import domain
from services.consultation.offer.domain import InvalidOffer, OfferRetired, hours_errors, personal_code_fields
from services.consultation.offer.schemas import OfferIn, OfferPatch
from services.consultation.offer.summary import summarise
from services.consultation.tables.access import Caller
from services.consultation.targets import CODES, TARGET_GROUPS, is_target_group, label

TODAY = date(2026, 4, 14)
AREAS = ("1", "2", "3", "4", "5")
LAURIA, LAGONEGRO, MARATEA = "076042", "076039", "076044"


def entry(**changes):
    base = {"name": "Centro diurno Il Melograno", "description": "", "area": "3", "target_group": "anziani",
            "comuni": [LAURIA], "capacity_amount": 25, "capacity_unit": "posti", "opening_hours": [],
            "opening_notes": "", "accredited": False, "accredited_by": None, "accredited_since": None,
            "contact_phone": "0973 123456", "contact_email": "centro@example.org", "contact_website": None,
            "address": None}
    return {**base, **changes}


def errors_of(item, **kwargs):
    options = {"area_codes": AREAS, "comuni": None, "today": TODAY, **kwargs}
    with pytest.raises(InvalidOffer) as caught:
        domain.check_entry(item, **options)
    return [field for field, _ in caught.value.errors]


def test_target_groups_are_the_documented_list():
    assert CODES == ("minori", "giovani_famiglia", "anziani", "dipendenze", "salute_mentale", "disabilita",
                     "immigrazione", "poverta_emarginazione", "popolazione_generale")
    assert label("disabilita") == "Disabilità" and label("poverta_emarginazione") == "Povertà ed emarginazione"
    assert is_target_group("anziani") and not is_target_group("Anziani") and not is_target_group(None)
    with pytest.raises(TypeError):
        TARGET_GROUPS["nuovo"] = "x"   # read-only: the needs import the same list


def test_needs_and_the_map_of_services_speak_of_the_same_target_groups():
    # The community profile crosses needs and services by target group: one list, the same codes.
    from services.consultation.contributions.domain import TARGET_GROUPS as NEEDS_TARGET_GROUPS
    assert dict(NEEDS_TARGET_GROUPS) == dict(TARGET_GROUPS)


def test_a_good_entry_passes():
    domain.check_entry(entry(), area_codes=AREAS, comuni=[LAURIA, LAGONEGRO], today=TODAY)
    # Before the Ambito's profile has arrived any well-formed comune is taken.
    domain.check_entry(entry(comuni=[MARATEA]), area_codes=AREAS, comuni=None, today=TODAY)


def test_every_broken_rule_is_named_at_once():
    bad = entry(area="99", target_group="giovani", comuni=[LAURIA, MARATEA],
                accredited_by="Regione Basilicata",
                opening_hours=[{"day_from": "ven", "day_to": "lun", "opens": "09:00", "closes": "12:00"}])
    assert errors_of(bad, comuni=[LAURIA]) == ["area", "target_group", "comuni.1", "opening_hours.0.day_to",
                                               "accredited_by"]


def test_a_region_without_areas_takes_no_area():
    assert errors_of(entry(), area_codes=None) == ["area"]


def test_accreditation():
    domain.check_entry(entry(accredited=True, accredited_by="Regione Basilicata", accredited_since=TODAY),
                       area_codes=AREAS, comuni=None, today=TODAY)
    assert errors_of(entry(accredited=True, accredited_since=date(2026, 4, 15))) == ["accredited_since"]
    assert errors_of(entry(accredited_since=date(2020, 1, 1))) == ["accredited_since"]


@pytest.mark.parametrize("text", ["RSSMRA80A01H501U", "rssmra80a01h501u", "Referente: RSSMRA80A01H501U.",
                                  "RSSMRA80A01H501X",            # a wrong check letter is still a person's
                                  "RSSMRALMA01H501U"])          # omocodia
def test_a_persons_tax_code_is_refused_anywhere(text):
    assert personal_code_fields({"name": "Sportello", "opening_hours": [{"note": text}]}) == ["opening_hours.0.note"]
    assert "contact_email" in errors_of(entry(contact_email=text))
    assert "description" in errors_of(entry(description=f"Per informazioni {text}"))


@pytest.mark.parametrize("text", ["01234567890", "Centro diurno per anziani", "ABCDEFGHIJKLMNOP", "XRSSMRA80A01H501U",
                                  "https://comune.lauria.pz.it/servizi-sociali"])
def test_what_is_not_a_persons_tax_code_passes(text):
    assert personal_code_fields({"description": text}) == []


def hours(*ranges):
    return [{"day_from": a, "day_to": b, "opens": o, "closes": c} for a, b, o, c in ranges]


def test_opening_hours():
    assert hours_errors(hours(("lun", "ven", "09:00", "13:00"), ("lun", "gio", "15:00", "18:00"),
                              ("sab", "sab", "00:00", "24:00"))) == []
    # Touching ranges are fine; overlapping ones on a shared day are not.
    assert hours_errors(hours(("lun", "ven", "09:00", "13:00"), ("ven", "ven", "13:00", "14:00"))) == []
    assert [f for f, _ in hours_errors(hours(("lun", "mer", "09:00", "13:00"), ("mer", "ven", "12:00", "14:00")))] \
        == ["opening_hours.1"]
    assert [f for f, _ in hours_errors(hours(("lun", "lun", "13:00", "09:00")))] == ["opening_hours.0.closes"]
    assert [f for f, _ in hours_errors(hours(("lun", "lun", "24:00", "24:00")))] == ["opening_hours.0.opens"]
    assert [f for f, _ in hours_errors(hours(("lun", "lun", "9:00", "12:00")))] == ["opening_hours.0.opens"]
    assert [f for f, _ in hours_errors(hours(("dom", "lun", "09:00", "12:00")))] == ["opening_hours.0.day_to"]
    assert [f for f, _ in hours_errors(hours(("monday", "lun", "09:00", "12:00")))] == ["opening_hours.0"]


slots = st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 47), st.integers(1, 48))


@given(st.lists(slots, max_size=8))
def test_hours_are_refused_exactly_when_two_ranges_share_a_moment(drawn):
    ranges, minutes_taken, clash, broken = [], {}, False, False
    for first, last, start, end in drawn:
        first, last = min(first, last), max(first, last)
        opens, closes = f"{start // 2:02d}:{start % 2 * 30:02d}", f"{end // 2:02d}:{end % 2 * 30:02d}"
        ranges.append({"day_from": domain.WEEKDAYS[first], "day_to": domain.WEEKDAYS[last],
                       "opens": opens, "closes": closes})
        if end <= start:
            broken = True
            continue
        for day in range(first, last + 1):
            for half_hour in range(start, end):
                clash |= (day, half_hour) in minutes_taken
                minutes_taken[(day, half_hour)] = True
    assert bool(hours_errors(ranges)) == (clash or broken)


def test_a_retired_entry_does_not_change():
    domain.ensure_changeable({"id": 1, "status": "active"})
    with pytest.raises(OfferRetired) as first:
        domain.ensure_changeable({"id": 1, "status": "retired"})
    with pytest.raises(OfferRetired) as second:
        domain.ensure_changeable({"id": 1, "status": "retired"})
    assert first.value is not second.value


def test_the_current_map():
    assert domain.is_current(status="active", organisation_status="active")
    assert domain.is_current(status="active", organisation_status="suspended")
    assert not domain.is_current(status="active", organisation_status="withdrawn")
    assert not domain.is_current(status="retired", organisation_status="active")


ORG = uuid.uuid4()
REPRESENTATIVE = Caller("rappresentante", frozenset({"stakeholder"}))


def membership(accounts=("rappresentante",), state="member", joined_version=1):
    return {"organisation_id": ORG, "accounts": list(accounts), "state": state, "joined_version": joined_version}


def test_a_representative_through_a_membership_in_force():
    assert domain.represents(REPRESENTATIVE, ORG, memberships=[membership()], history=[(1, "active")],
                             status="active")
    # Another account's membership, a join request, a left one: no.
    for other in (membership(accounts=("altro",)), membership(state="requested"), membership(state="left")):
        assert not domain.represents(REPRESENTATIVE, ORG, memberships=[other], history=[(1, "active")],
                                     status="active")
    # A role other than stakeholder does not represent, whatever the membership says.
    assert not domain.represents(Caller("rappresentante", frozenset({"coordinator"})), ORG,
                                 memberships=[membership()], history=[], status="active")
    # Suspended: paused; withdrawn after joining then re-admitted: ended for good.
    assert not domain.represents(REPRESENTATIVE, ORG, memberships=[membership()],
                                 history=[(1, "active"), (2, "suspended")], status="suspended")
    assert not domain.represents(REPRESENTATIVE, ORG, memberships=[membership()],
                                 history=[(1, "active"), (2, "withdrawn"), (3, "active")], status="active")
    # A new membership taken after the re-admission counts.
    assert domain.represents(REPRESENTATIVE, ORG, memberships=[membership(joined_version=3)],
                             history=[(1, "active"), (2, "withdrawn"), (3, "active")], status="active")


def test_the_schemas_flatten_and_default():
    loaded = OfferIn().load({"organisation_id": str(ORG), "name": "Mensa sociale", "area": "4",
                             "target_group": "poverta_emarginazione", "comuni": [LAURIA],
                             "capacity": {"amount": 80, "unit": "pasti-giorno"},
                             "opening_hours": [{"day_from": "lun", "opens": "12:00", "closes": "14:00"}],
                             "contacts": {"email": "mensa@example.org"}})
    assert (loaded["capacity_amount"], loaded["capacity_unit"]) == (80, "pasti-giorno")
    assert (loaded["contact_email"], loaded["contact_phone"], loaded["contact_website"]) == (
        "mensa@example.org", None, None)
    assert loaded["opening_hours"] == [{"day_from": "lun", "day_to": "lun", "opens": "12:00", "closes": "14:00"}]
    assert loaded["accredited"] is False and loaded["description"] == ""
    # A PATCH carries only what it names; a null capacity clears both columns.
    assert OfferPatch().load({"capacity": None}) == {"capacity_amount": None, "capacity_unit": None}
    assert OfferPatch().load({"name": "Mensa"}) == {"name": "Mensa"}


figures = st.fixed_dictionaries({
    "area": st.sampled_from(("1", "3", "9")), "target_group": st.sampled_from(CODES),
    "comuni": st.lists(st.sampled_from((LAURIA, LAGONEGRO, MARATEA)), min_size=1, max_size=4),
    "capacity": st.one_of(st.none(), st.tuples(st.integers(1, 500), st.sampled_from(("posti", "utenti-anno"))))})


def as_row(drawn):
    capacity = drawn["capacity"]
    return {**drawn, "capacity_amount": capacity and capacity[0], "capacity_unit": capacity and capacity[1]}


@given(st.lists(figures.map(as_row), max_size=30))
def test_the_summary_adds_up(rows):
    result = summarise(rows, area_order=("9", "1", "3"), comune_order=(MARATEA, LAURIA))
    assert result["services"] == len(rows) == sum(r["services"] for r in result["by_area_target"])
    for unit in ("posti", "utenti-anno"):
        total = sum(r["capacity_amount"] for r in rows if r["capacity_unit"] == unit)
        listed = {c["unit"]: c["amount"] for c in result["capacity"]}
        assert listed.get(unit, 0) == total
        assert sum({c["unit"]: c["amount"] for c in cell["capacity"]}.get(unit, 0)
                   for cell in result["by_area_target"]) == total
    for cell in result["by_comune"]:
        assert cell["services"] == sum(1 for r in rows if cell["istat_code"] in r["comuni"])
    keys = [(c["area"], c["target_group"]) for c in result["by_area_target"]]
    assert keys == sorted(keys, key=lambda k: (("9", "1", "3").index(k[0]), CODES.index(k[1])))
    assert [c["istat_code"] for c in result["by_comune"]] == [
        code for code in (MARATEA, LAURIA, LAGONEGRO) if any(code in r["comuni"] for r in rows)]


def test_the_summary_by_example():
    rows = [as_row({"area": "3", "target_group": "anziani", "comuni": [LAURIA, LAGONEGRO], "capacity": (25, "posti")}),
            as_row({"area": "3", "target_group": "anziani", "comuni": [LAURIA, LAURIA], "capacity": (10, "posti")}),
            as_row({"area": "3", "target_group": "anziani", "comuni": [LAURIA], "capacity": (300, "utenti-anno")}),
            as_row({"area": "5", "target_group": "disabilita", "comuni": [LAGONEGRO], "capacity": None})]
    assert summarise(rows) == {
        "services": 4,
        "capacity": [{"unit": "posti", "amount": 35}, {"unit": "utenti-anno", "amount": 300}],
        "by_area_target": [
            {"area": "3", "target_group": "anziani", "services": 3,
             "capacity": [{"unit": "posti", "amount": 35}, {"unit": "utenti-anno", "amount": 300}]},
            {"area": "5", "target_group": "disabilita", "services": 1, "capacity": []}],
        "by_comune": [
            {"istat_code": LAGONEGRO, "services": 2, "capacity": [{"unit": "posti", "amount": 25}]},
            {"istat_code": LAURIA, "services": 3,
             "capacity": [{"unit": "posti", "amount": 35}, {"unit": "utenti-anno", "amount": 300}]}]}
    assert summarise([]) == {"services": 0, "capacity": [], "by_area_target": [], "by_comune": []}
