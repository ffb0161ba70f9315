"""The cronoprogramma's pure rules: lateness, the day in Rome, status moves and actual days, the template."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from services.consultation.timeline import domain, events, template
from tests.contract.catalogue import assert_valid_event

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
statuses = st.sampled_from(domain.STATUSES)


@given(status=statuses, planned_end=days, today=days)
def test_never_late_when_done_or_cancelled(status, planned_end, today):
    result = domain.lateness(status=status, planned_end=planned_end, today=today)
    if status in ("done", "cancelled"):
        assert result == domain.Lateness(False, 0)
    assert result.late == (result.days > 0)


@given(status=st.sampled_from(("planned", "in_progress")), planned_end=days, today=days)
def test_late_days_are_the_days_after_the_planned_end(status, planned_end, today):
    result = domain.lateness(status=status, planned_end=planned_end, today=today)
    assert result.days == max(0, (today - planned_end).days)
    assert result.late == (today > planned_end)
    shown = domain.effective_status(status=status, planned_end=planned_end, today=today)
    assert shown == ("late" if result.late else status)


def test_the_planned_end_day_itself_is_in_time():
    end = date(2026, 5, 31)
    assert not domain.lateness(status="planned", planned_end=end, today=end).late
    assert domain.lateness(status="in_progress", planned_end=end, today=end + timedelta(days=1)) == \
        domain.Lateness(True, 1)


def test_today_is_the_day_in_rome():
    # 23:30 UTC on 31 December is already 1 January in Rome (UTC+1); 22:30 UTC on 30 June is 1 July (UTC+2).
    assert domain.today_in_rome(datetime(2025, 12, 31, 23, 30, tzinfo=timezone.utc)) == date(2026, 1, 1)
    assert domain.today_in_rome(datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc)) == date(2026, 7, 1)
    assert domain.today_in_rome(datetime(2026, 6, 30, 21, 59, tzinfo=timezone.utc)) == date(2026, 6, 30)


TODAY = date(2026, 6, 10)


def milestone(**values):
    return {"status": "planned", "planned_start": date(2026, 4, 1), "planned_end": date(2026, 5, 31),
            "actual_start": None, "actual_end": None, **values}


def test_starting_and_finishing_record_today_unless_told():
    started = domain.apply_changes(milestone(), {"status": "in_progress"}, today=TODAY)
    assert started["actual_start"] == TODAY and started["actual_end"] is None
    done = domain.apply_changes(started, {"status": "done"}, today=TODAY)
    assert done["actual_end"] == TODAY and done["actual_start"] == TODAY
    told = domain.apply_changes(milestone(), {"status": "done", "actual_start": date(2026, 4, 8),
                                              "actual_end": date(2026, 6, 5)}, today=TODAY)
    assert (told["actual_start"], told["actual_end"]) == (date(2026, 4, 8), date(2026, 6, 5))


def test_going_back_forgets_the_actual_days():
    done = milestone(status="done", actual_start=date(2026, 4, 8), actual_end=date(2026, 6, 5))
    reopened = domain.apply_changes(done, {"status": "in_progress"}, today=TODAY)
    assert reopened["actual_start"] == date(2026, 4, 8) and reopened["actual_end"] is None
    again = domain.apply_changes(reopened, {"status": "planned"}, today=TODAY)
    assert again["actual_start"] is None and again["actual_end"] is None


@pytest.mark.parametrize("old, new", [("done", "cancelled"), ("done", "planned"), ("cancelled", "done"),
                                      ("cancelled", "in_progress")])
def test_moves_that_are_not_allowed(old, new):
    current = milestone(status=old, actual_end=date(2026, 6, 1) if old == "done" else None)
    with pytest.raises(domain.MilestoneStateError, match=f"{old} milestone cannot become {new}"):
        domain.apply_changes(current, {"status": new}, today=TODAY)


@pytest.mark.parametrize("changes, field", [
    ({"status": "done", "actual_end": TODAY + timedelta(days=1)}, "actual_end"),
    ({"status": "in_progress", "actual_start": TODAY + timedelta(days=1)}, "actual_start"),
    ({"actual_end": date(2026, 6, 1)}, "actual_end"),                     # not done
    ({"actual_start": date(2026, 6, 1)}, "actual_start"),                 # still planned
    ({"status": "done", "actual_start": date(2026, 6, 2), "actual_end": date(2026, 6, 1)}, "actual_end"),
    ({"planned_end": date(2026, 3, 1)}, "planned_end"),
])
def test_days_that_do_not_fit_are_named(changes, field):
    with pytest.raises(domain.InvalidMilestone) as refused:
        domain.apply_changes(milestone(), changes, today=TODAY)
    assert field in [f for f, _ in refused.value.errors]


@given(status=statuses, new=statuses, today=days)
def test_whatever_is_accepted_is_consistent(status, new, today):
    current = milestone(status=status, planned_start=today - timedelta(days=30), planned_end=today,
                        actual_start=today - timedelta(days=3) if status in ("in_progress", "done") else None,
                        actual_end=today if status == "done" else None)
    try:
        merged = domain.apply_changes(current, {"status": new}, today=today)
    except domain.MilestoneStateError:
        assert new not in domain.TRANSITIONS[status]
        return
    assert merged["status"] == new
    assert (merged["actual_end"] is not None) == (new == "done")
    if new == "planned":
        assert merged["actual_start"] is None


def test_refusals_are_fresh_exceptions():
    caught = []
    for _ in range(2):
        with pytest.raises(domain.InvalidMilestone) as refused:
            domain.check_planned(date(2026, 5, 1), date(2026, 4, 1))
        caught.append(refused.value)
    assert caught[0] is not caught[1]


def test_a_year_is_bounded():
    domain.check_year_room(domain.MAX_PER_YEAR - 1)
    with pytest.raises(domain.TimelineFull):
        domain.check_year_room(domain.MAX_PER_YEAR)
    with pytest.raises(domain.TimelineFull):
        domain.check_year_room(domain.MAX_PER_YEAR - 3, adding=6)


def test_the_template_has_seed_001s_months():
    items = template.milestones_for(2027)
    spans = {m["template_key"]: (m["phase"], m["planned_start"], m["planned_end"]) for m in items}
    assert spans == {
        "avviso": ("fase_1", date(2027, 2, 1), date(2027, 3, 31)),
        "tavoli": ("fase_2", date(2027, 4, 1), date(2027, 5, 31)),
        "valutazione": ("fase_3", date(2027, 6, 1), date(2027, 8, 31)),
        "intesa_asl": ("fase_3", date(2027, 6, 1), date(2027, 8, 31)),
        "supervisione_regionale": ("approvazione", date(2027, 8, 1), date(2027, 9, 30)),
        "approvazione": ("approvazione", date(2027, 10, 1), date(2027, 10, 31)),
    }
    assert all(m["plan_year"] == 2027 and m["phase"] in domain.PHASES and m["title"] for m in items)
    assert any("Accordo di programma" in m["title"] for m in items)


def test_the_events_match_the_catalogue_and_carry_no_note():
    row = {"id": uuid.uuid4(), "plan_year": 2026, "phase": "fase_2", "table_id": uuid.uuid4(),
           "title": "Tavolo socio-sanitario: terza sessione", "note": "Referente: Maria Rossi, 333 1234567",
           "planned_start": date(2026, 4, 1), "planned_end": date(2026, 5, 31), "actual_start": date(2026, 4, 2),
           "actual_end": None, "status": "in_progress", "template_key": None, "version": 2,
           "created_at": datetime(2026, 1, 5, tzinfo=timezone.utc),
           "updated_at": datetime(2026, 4, 2, tzinfo=timezone.utc)}
    planned = events.milestone_event(events.MILESTONE_PLANNED, tenant="fasano", milestone=row)
    updated = events.milestone_event(events.MILESTONE_UPDATED, tenant="fasano", milestone=row,
                                     changed=["status", "note", "actual_start"])
    for event in (planned, updated):
        assert_valid_event(event.type, event.data)
        assert "note" not in event.data and "Rossi" not in str(event.data)
        assert event.subject == str(row["id"]) and event.tenantid == "fasano"
    assert updated.data["changed"] == ["actual_start", "note", "status"]
