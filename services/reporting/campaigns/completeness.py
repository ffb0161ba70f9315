"""Whether an Ambito met a deadline, from the facts of the read model: pure, no I/O.

- done: every requirement holds and the act that completes it happened on or before the due day
  (Europe/Rome, the day inclusive);
- late: every requirement holds, the completing act came after the due day;
- missing: some requirement does not hold yet; `missing` says which, in Italian, and `overdue` whether
  the due day has passed.

What completes each kind (docs/reporting.md, Campaigns):
- plan_submission: the triennial plan (version 1 of the plan starting in `first_year`) sent to the
  Region; the first sending dates it. A plan the Region returned and the Ambito has not sent again is
  missing until it is sent again (the Region is waiting for it).
- yearly_update: the same, for the plan's yearly_update version of `reference_year`.
- fund_reporting: for the fund-year, money programmed (allocated), committed and paid, and the
  fund-year closed by the Ufficio di Piano (its residui carried): the closure dates it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.reporting.campaigns.config import Deadline

ROME = ZoneInfo("Europe/Rome")
ZERO = Decimal("0.00")
SENT_OR_LATER = frozenset({"sent", "accepted", "signed", "superseded"})
STATE_NAMES = {"draft": "in bozza", "adopted": "adottato", "approved": "approvato", "sent": "inviato",
               "returned": "restituito dalla Regione", "accepted": "accolto", "signed": "sottoscritto",
               "superseded": "sostituito"}


@dataclass(frozen=True)
class PlanVersion:
    """A plan version as reporting knows it (budget_plan_states + plan_transition_facts)."""
    first_year: int
    last_year: int
    number: int
    kind: str                       # triennial | yearly_update
    reference_year: int
    state: str
    first_sent_at: datetime | None = None
    last_returned_at: datetime | None = None


@dataclass(frozen=True)
class FundYear:
    """A fund-year of an Ambito: its money (budget_allocation_facts) and its closure (budget_residui_facts)."""
    fund: str
    year: int
    allocated: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    closed_at: datetime | None = None


@dataclass(frozen=True)
class AmbitoFacts:
    plans: tuple[PlanVersion, ...] = ()
    funds: dict = field(default_factory=dict)     # (fund, year) -> FundYear


@dataclass(frozen=True)
class Assessment:
    status: str                     # done | late | missing
    completed_at: datetime | None
    missing: tuple[str, ...]
    overdue: bool


def deadline_end(due: date) -> datetime:
    """The first instant after the due day in Italy: an act at or after it is late."""
    return datetime.combine(due + timedelta(days=1), datetime.min.time(), ROME)


def _day(at: datetime) -> str:
    return at.astimezone(ROME).strftime("%d/%m/%Y")


def _judge(deadline: Deadline, today: date, missing: list[str], completed_at: datetime | None) -> Assessment:
    if missing or completed_at is None:
        return Assessment("missing", None, tuple(missing), today > deadline.due)
    status = "done" if completed_at < deadline_end(deadline.due) else "late"
    return Assessment(status, completed_at, (), False)


def _submission(version: PlanVersion | None, *, label: str, absent: str) -> tuple[list[str], datetime | None]:
    """What is missing for a plan version to count as sent, and the instant it was first sent."""
    if version is None:
        return [absent], None
    if version.state in SENT_OR_LATER and version.first_sent_at is not None:
        return [], version.first_sent_at
    if version.first_sent_at is not None:   # sent once, returned, not yet sent again
        returned = f" il {_day(version.last_returned_at)}" if version.last_returned_at else ""
        return [f"{label} restituito dalla Regione{returned}: non ancora inviato di nuovo"
                f" (stato: {STATE_NAMES.get(version.state, version.state)})"], None
    return [f"{label} non ancora inviato alla Regione (stato: {STATE_NAMES.get(version.state, version.state)})"], None


def _plan_submission(deadline: Deadline, facts: AmbitoFacts) -> tuple[list[str], datetime | None]:
    first = deadline.first_year
    version = next((p for p in facts.plans if p.first_year == first and p.number == 1), None)
    return _submission(version, label=f"piano {first}-{first + 2}",
                       absent=f"nessun Piano {first}-{first + 2} registrato: piano non ancora inviato alla Regione")


def _yearly_update(deadline: Deadline, facts: AmbitoFacts) -> tuple[list[str], datetime | None]:
    year = deadline.reference_year
    if not any(p.first_year <= year <= p.last_year for p in facts.plans):
        return [f"nessun Piano registrato copre il {year}"], None
    updates = [p for p in facts.plans if p.kind == "yearly_update" and p.reference_year == year]
    # Two versions for one year (one superseded by a later one of the same year): the first counts.
    version = min(updates, key=lambda p: p.number) if updates else None
    return _submission(version, label=f"aggiornamento annuale {year}",
                       absent=f"aggiornamento annuale {year} non ancora aperto né inviato alla Regione")


def _fund_reporting(deadline: Deadline, facts: AmbitoFacts) -> tuple[list[str], datetime | None]:
    fund, year = deadline.fund, deadline.fund_year
    figures = facts.funds.get((fund, year)) or FundYear(fund, year)
    missing = []
    if figures.allocated <= ZERO:
        missing.append(f"nessuna risorsa del {fund} {year} programmata sugli interventi")
    if figures.committed <= ZERO:
        missing.append(f"nessun impegno registrato sul {fund} {year}")
    if figures.paid <= ZERO:
        missing.append(f"nessun pagamento registrato sul {fund} {year}")
    if figures.closed_at is None:
        missing.append(f"annualità {year} del {fund} non ancora chiusa (residui non riportati)")
    return missing, figures.closed_at


RULES = {"plan_submission": _plan_submission, "yearly_update": _yearly_update, "fund_reporting": _fund_reporting}


def assess(*, deadline: Deadline, facts: AmbitoFacts, today: date) -> Assessment:
    """The Ambito's completeness of one deadline: done, late or missing (with what is missing)."""
    missing, completed_at = RULES[deadline.kind](deadline, facts)
    return _judge(deadline, today, missing, completed_at)
