"""The campaigns of the regional office: the configuration file, the completeness rule (pure), the projector."""
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from shared.events.envelope import new_event
from shared.regions import load_regions

from services.reporting.campaigns.completeness import (
    ROME, AmbitoFacts, FundYear, PlanVersion, assess, deadline_end)
from services.reporting.campaigns.config import (
    CampaignsError, Deadline, fund_names, load_campaigns, parse_campaigns)
from services.reporting.campaigns.projector import PROJECTORS, transition
from services.reporting.budget_projector import PLAN_TRANSITIONED

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "deploy" / "local"
REGIONS = {r.slug for r in load_regions(LOCAL / "regions.yaml")}
FUNDS = fund_names(LOCAL / "budget-reference.yaml")

PLAN = Deadline("piano-2024-2026", "plan_submission", "Invio del Piano", date(2024, 10, 31), first_year=2024)
UPDATE = Deadline("aggiornamento-2025", "yearly_update", "Aggiornamento", date(2025, 3, 31), reference_year=2025)
FNA = Deadline("rendicontazione-fna-2025", "fund_reporting", "Rendicontazione FNA", date(2026, 6, 30),
               fund="FNA", fund_year=2025)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ROME)


def plan(state="draft", *, sent=None, returned=None, kind="triennial", number=1, reference=2024):
    return PlanVersion(2024, 2026, number, kind, reference, state, sent, returned)


# --- configuration -------------------------------------------------------------------------------

def test_the_repository_file_is_valid_and_the_configmap_holds_the_same():
    campaigns = load_campaigns(path=LOCAL / "campaigns.yaml", reference_file=LOCAL / "budget-reference.yaml",
                               regions=REGIONS)
    assert [d.code for d in campaigns.for_year("basilicata", 2024)] == ["rendicontazione-fnps-2023", "piano-2024-2026"]
    assert campaigns.offices["basilicata"].ipa_code == "r_basili"
    assert (ROOT / "deploy" / "k8s" / "base" / "campaigns.yaml").read_text() == (LOCAL / "campaigns.yaml").read_text(), \
        "copy deploy/local/campaigns.yaml to deploy/k8s/base/campaigns.yaml"
    kustomization = (ROOT / "deploy" / "k8s" / "base" / "kustomization.yaml").read_text()
    assert "- campaigns.yaml" in kustomization and "PDZ_CAMPAIGNS_FILE=/etc/pdz/campaigns.yaml" in kustomization


def _document(**deadline):
    entry = {"code": "x-1", "kind": "fund_reporting", "fund": "FNA", "fund_year": 2024, "due": date(2025, 6, 30)}
    entry.update(deadline)
    return {"campaigns": {"basilicata": {2025: [entry]}}}


@pytest.mark.parametrize("change, named", [
    ({"fund": "FNAX"}, "campaigns.basilicata.2025[0].fund"),
    ({"kind": "deadline"}, "campaigns.basilicata.2025[0].kind"),
    ({"due": "30/06/2025"}, "campaigns.basilicata.2025[0].due"),
    ({"fund_year": "2024"}, "campaigns.basilicata.2025[0].fund_year"),
    ({"first_year": 2024}, "campaigns.basilicata.2025[0] has an unknown key 'first_year'"),
    ({"code": "Piano 2024"}, "campaigns.basilicata.2025[0].code"),
])
def test_a_wrong_entry_is_refused_naming_it(change, named):
    with pytest.raises(CampaignsError) as refused:
        parse_campaigns(_document(**change), regions=REGIONS, funds=FUNDS)
    assert named in str(refused.value)


def test_unknown_regions_duplicate_codes_and_bad_offices_are_refused(tmp_path):
    with pytest.raises(CampaignsError, match="campaigns.molise: unknown region"):
        parse_campaigns({"campaigns": {"molise": {}}}, regions=REGIONS, funds=FUNDS)
    twice = _document()
    twice["campaigns"]["basilicata"][2025].append(dict(twice["campaigns"]["basilicata"][2025][0]))
    with pytest.raises(CampaignsError, match=r"campaigns.basilicata.2025: deadline codes must be unique \(x-1\)"):
        parse_campaigns(twice, regions=REGIONS, funds=FUNDS)
    office = {"name": "Regione Basilicata", "ipa_code": "r_basili", "email": "a persona", "homepage": "https://x.it"}
    with pytest.raises(CampaignsError, match="offices.basilicata.email"):
        parse_campaigns({"offices": {"basilicata": office}, "campaigns": {}}, regions=REGIONS, funds=FUNDS)
    broken = tmp_path / "campaigns.yaml"
    broken.write_text(yaml.safe_dump(_document(fund="NOPE")))
    with pytest.raises(CampaignsError, match=f"{broken}: campaigns.basilicata.2025\\[0\\].fund 'NOPE'"):
        load_campaigns(path=broken, reference_file=LOCAL / "budget-reference.yaml", regions=REGIONS)


def test_titles_default_to_italian_from_the_kind_and_the_fund_name():
    parsed = parse_campaigns(_document(), regions=REGIONS, funds=FUNDS)
    assert parsed.for_year("basilicata", 2025)[0].title == "Rendicontazione Fondo per le non autosufficienze, annualità 2024"


# --- completeness: examples ----------------------------------------------------------------------

def test_a_plan_never_created_or_never_sent_is_missing_and_says_so():
    nothing = assess(deadline=PLAN, facts=AmbitoFacts(), today=date(2024, 11, 5))
    assert (nothing.status, nothing.overdue) == ("missing", True)
    assert "piano non ancora inviato alla Regione" in nothing.missing[0]
    approved = assess(deadline=PLAN, facts=AmbitoFacts(plans=(plan("approved"),)), today=date(2024, 10, 1))
    assert approved.status == "missing" and not approved.overdue
    assert approved.missing == ("piano 2024-2026 non ancora inviato alla Regione (stato: approvato)",)


def test_a_plan_sent_on_time_is_done_even_if_accepted_after_the_due_day():
    sent = at(date(2024, 10, 31), 23)   # the last hour of the due day, in Italy
    accepted = plan("accepted", sent=sent)
    result = assess(deadline=PLAN, facts=AmbitoFacts(plans=(accepted,)), today=date(2025, 1, 10))
    assert (result.status, result.completed_at, result.missing) == ("done", sent, ())
    late = assess(deadline=PLAN, facts=AmbitoFacts(plans=(plan("signed", sent=at(date(2024, 11, 1), 0)),)),
                  today=date(2025, 1, 10))
    assert late.status == "late"


def test_a_returned_plan_is_missing_until_sent_again():
    returned = plan("adopted", sent=at(date(2024, 10, 2)), returned=at(date(2024, 10, 20)))
    result = assess(deadline=PLAN, facts=AmbitoFacts(plans=(returned,)), today=date(2024, 10, 25))
    assert result.status == "missing"
    assert result.missing == ("piano 2024-2026 restituito dalla Regione il 20/10/2024: non ancora inviato di nuovo"
                              " (stato: adottato)",)
    again = plan("sent", sent=at(date(2024, 10, 2)), returned=at(date(2024, 10, 20)))
    assert assess(deadline=PLAN, facts=AmbitoFacts(plans=(again,)), today=date(2024, 11, 25)).status == "done"


def test_a_yearly_update_needs_a_plan_covering_its_year_and_its_own_version():
    assert assess(deadline=UPDATE, facts=AmbitoFacts(), today=date(2025, 4, 1)).missing == (
        "nessun Piano registrato copre il 2025",)
    only_plan = AmbitoFacts(plans=(plan("signed", sent=at(date(2024, 9, 1))),))
    assert "aggiornamento annuale 2025 non ancora aperto" in assess(
        deadline=UPDATE, facts=only_plan, today=date(2025, 4, 1)).missing[0]
    update = plan("sent", sent=at(date(2025, 3, 3)), kind="yearly_update", number=2, reference=2025)
    done = assess(deadline=UPDATE, facts=AmbitoFacts(plans=(*only_plan.plans, update)), today=date(2025, 4, 1))
    assert done.status == "done"


def test_fund_reporting_names_every_missing_step():
    empty = assess(deadline=FNA, facts=AmbitoFacts(), today=date(2026, 7, 1))
    assert empty.status == "missing" and empty.overdue
    assert empty.missing == ("nessuna risorsa del FNA 2025 programmata sugli interventi",
                             "nessun impegno registrato sul FNA 2025", "nessun pagamento registrato sul FNA 2025",
                             "annualità 2025 del FNA non ancora chiusa (residui non riportati)")
    committed = FundYear("FNA", 2025, Decimal("1000.00"), Decimal("400.00"))
    result = assess(deadline=FNA, facts=AmbitoFacts(funds={("FNA", 2025): committed}), today=date(2026, 1, 1))
    assert result.missing == ("nessun pagamento registrato sul FNA 2025",
                              "annualità 2025 del FNA non ancora chiusa (residui non riportati)")
    assert not result.overdue


def test_fund_reporting_is_dated_by_the_closure():
    closed = FundYear("FNA", 2025, Decimal("1000.00"), Decimal("400.00"), Decimal("0.01"), at(date(2026, 6, 30), 23))
    result = assess(deadline=FNA, facts=AmbitoFacts(funds={("FNA", 2025): closed}), today=date(2026, 7, 1))
    assert (result.status, result.completed_at) == ("done", closed.closed_at)
    other_fund = AmbitoFacts(funds={("FNPS", 2025): closed})
    assert assess(deadline=FNA, facts=other_fund, today=date(2026, 7, 1)).status == "missing"


# --- completeness: properties ---------------------------------------------------------------------

days = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))
instants = st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(timezone.utc))
amounts = st.decimals(min_value=0, max_value=10**6, places=2)
states = st.sampled_from(["draft", "adopted", "approved", "sent", "returned", "accepted", "signed", "superseded"])


@st.composite
def fund_years(draw):
    return FundYear("FNA", 2025, draw(amounts), draw(amounts), draw(amounts), draw(st.none() | instants))


def _consistent(result, today, due):
    assert result.status in ("done", "late", "missing")
    assert (result.status == "missing") == bool(result.missing) == (result.completed_at is None)
    assert result.overdue == (result.status == "missing" and today > due)


@settings(max_examples=300, deadline=None)
@given(figures=fund_years(), today=days, due=days)
def test_fund_reporting_is_consistent_and_done_only_when_closed_by_the_due_day(figures, today, due):
    deadline = Deadline("r", "fund_reporting", "R", due, fund="FNA", fund_year=2025)
    result = assess(deadline=deadline, facts=AmbitoFacts(funds={("FNA", 2025): figures}), today=today)
    _consistent(result, today, due)
    complete = figures.allocated > 0 and figures.committed > 0 and figures.paid > 0 and figures.closed_at is not None
    assert (result.status != "missing") == complete
    if complete:
        assert (result.status == "done") == (figures.closed_at < deadline_end(due))
    # More money never adds a missing step.
    richer = FundYear("FNA", 2025, figures.allocated + 1, figures.committed + 1, figures.paid + 1, figures.closed_at)
    assert set(assess(deadline=deadline, facts=AmbitoFacts(funds={("FNA", 2025): richer}), today=today).missing) <= \
        set(result.missing)


@settings(max_examples=300, deadline=None)
@given(state=states, sent=st.none() | instants, returned=st.none() | instants, today=days, due=days)
def test_a_plan_counts_when_sent_and_is_timed_by_its_first_sending(state, sent, returned, today, due):
    deadline = Deadline("p", "plan_submission", "P", due, first_year=2024)
    result = assess(deadline=deadline, facts=AmbitoFacts(plans=(plan(state, sent=sent, returned=returned),)),
                    today=today)
    _consistent(result, today, due)
    counted = sent is not None and state in ("sent", "accepted", "signed", "superseded")
    assert (result.status != "missing") == counted
    if counted:
        assert result.completed_at == sent
        assert (result.status == "done") == (sent < deadline_end(due))
    # The day it is judged changes only `overdue`, never the status.
    assert assess(deadline=deadline, facts=AmbitoFacts(plans=(plan(state, sent=sent, returned=returned),)),
                  today=today + timedelta(days=400)).status == result.status


def test_the_due_day_ends_at_midnight_in_italy():
    assert deadline_end(date(2025, 6, 30)) == datetime(2025, 6, 30, 22, 0, tzinfo=timezone.utc)
    assert deadline_end(date(2025, 12, 31)) == datetime(2025, 12, 31, 23, 0, tzinfo=timezone.utc)


# --- the projector ---------------------------------------------------------------------------------

def _transition(**data):
    plan_id = str(uuid.uuid4())
    body = {"plan_id": plan_id, "first_year": 2024, "last_year": 2026, "number": 1, "kind": "triennial",
            "reference_year": 2024, "action": "send", "from": "approved", "to": "sent", "by_role": "operator",
            "at": "2024-10-02T09:00:00+00:00", "version": 5}
    body.update(data)
    return new_event(type=PLAN_TRANSITIONED, service="budget", tenant="lagonegrese", aggregate_id=plan_id, data=body)


def test_a_transition_gives_budgets_state_row_then_its_own_the_same_each_time():
    event = _transition()
    rows = PROJECTORS[PLAN_TRANSITIONED](event)
    assert [r.table for r in rows] == ["budget_plan_states", "plan_transition_facts"]
    own = rows[1]
    assert own.key == {"tenant": "lagonegrese", "plan_id": uuid.UUID(event.data["plan_id"]), "plan_version": 5}
    assert own.values == {"number": 1, "action": "send", "to_state": "sent",
                          "at": datetime(2024, 10, 2, 9, tzinfo=timezone.utc)}
    assert PROJECTORS[PLAN_TRANSITIONED](event) == rows   # a duplicate writes the same rows


@pytest.mark.parametrize("field, value", [("version", "5"), ("at", "ieri"), ("plan_id", "x"), ("to", None)])
def test_a_malformed_transition_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        transition(_transition(**{field: value}))


def test_the_consumer_runs_the_campaign_projector_for_plan_transitions():
    from services.reporting.projector import PROJECTORS as ALL
    assert [r.table for r in ALL[PLAN_TRANSITIONED](_transition())] == ["budget_plan_states", "plan_transition_facts"]


@settings(max_examples=100, deadline=None)
@given(order=st.permutations(range(5)), duplicates=st.lists(st.integers(0, 4), max_size=5))
def test_transitions_give_the_same_table_whatever_the_order_and_duplicates(order, duplicates):
    plan_id = str(uuid.uuid4())
    moves = [("adopt", "adopted"), ("approve", "approved"), ("send", "sent"), ("return", "returned"),
             ("adopt", "adopted")]
    events = [_transition(plan_id=plan_id, action=a, to=to, version=v, at=f"2024-10-{10 + v:02d}T09:00:00+00:00")
              for v, (a, to) in enumerate(moves, start=2)]
    table = {}
    for i in [*order, *duplicates]:
        for row in transition(events[i]):   # no guard needed: one event, one key, always the same values
            table[tuple(sorted(row.key.items()))] = row.values
    expected = {}
    for event in events:
        row = transition(event)[0]
        expected[tuple(sorted(row.key.items()))] = row.values
    assert table == expected
    assert min(v["at"] for v in table.values() if v["to_state"] == "sent") == datetime(2024, 10, 14, 9,
                                                                                         tzinfo=timezone.utc)
