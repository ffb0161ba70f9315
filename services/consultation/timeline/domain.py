"""The cronoprogramma's rules, pure: phases, status moves, actual dates, lateness.

A milestone (tappa) belongs to one phase of the Piano (seed 001: FASE 1-3,
then approval and monitoring) and has planned and actual days. Lateness is
never stored: it follows from the planned end, the status and today's date in
Europe/Rome, so it is computed when read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")

# code -> (number, title): the Piano's phases in their order (DOMAIN.md "The planning cycle").
PHASES = {
    "fase_1": (1, "FASE 1 – Costruzione della rete dei soggetti (avviso pubblico)"),
    "fase_2": (2, "FASE 2 – Profilo di comunità e tavoli tematici"),
    "fase_3": (3, "FASE 3 – Sistema degli interventi e delle risorse"),
    "approvazione": (4, "Approvazione del Piano e Accordo di programma"),
    "monitoraggio": (5, "Monitoraggio, rendicontazione e aggiornamento"),
}

STATUSES = ("planned", "in_progress", "done", "cancelled")
STATUS_LABELS = {"planned": "programmata", "in_progress": "in corso", "done": "conclusa",
                 "late": "in ritardo", "cancelled": "annullata"}
# Every move the office may record; the same status is no move.
TRANSITIONS = {
    "planned": {"in_progress", "done", "cancelled"},
    "in_progress": {"planned", "done", "cancelled"},
    "done": {"in_progress"},       # reopened: it turned out not to be finished
    "cancelled": {"planned"},      # taken up again
}
# A year's cronoprogramma is read whole (GET /timeline): this bounds that answer.
MAX_PER_YEAR = 200


class MilestoneStateError(ValueError):
    """The status move asked for is not allowed (the API answers 409 milestone-state)."""


class TimelineFull(MilestoneStateError):
    """The year's cronoprogramma holds MAX_PER_YEAR milestones already (409 timeline-full)."""


class InvalidMilestone(ValueError):
    """Dates or fields that do not fit together; `errors` lists (field, message) (the API answers 422)."""

    def __init__(self, *errors: tuple[str, str]):
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Lateness:
    late: bool
    days: int


def today_in_rome(now: datetime) -> date:
    """The calendar day it is in Italy at the instant `now` (aware)."""
    return now.astimezone(ROME).date()


def lateness(*, status: str, planned_end: date, today: date) -> Lateness:
    """Late: still to be finished (planned or in progress) after its planned end day; days counted after it.

    The planned end day itself is still in time. A done or cancelled milestone
    is never late, whenever it ended.
    """
    if status in ("planned", "in_progress") and today > planned_end:
        return Lateness(True, (today - planned_end).days)
    return Lateness(False, 0)


def effective_status(*, status: str, planned_end: date, today: date) -> str:
    """The status people read: `late` when lateness says so, else the recorded one."""
    return "late" if lateness(status=status, planned_end=planned_end, today=today).late else status


def check_planned(planned_start: date, planned_end: date) -> None:
    if planned_end < planned_start:
        raise InvalidMilestone(("planned_end", "must not come before planned_start"))


def check_year_room(count: int, adding: int = 1) -> None:
    if count + adding > MAX_PER_YEAR:
        raise TimelineFull(f"a year's cronoprogramma holds at most {MAX_PER_YEAR} milestones")


def apply_changes(current: dict, changes: dict, *, today: date) -> dict:
    """The milestone's fields after `changes` (status, dates, text), or a refusal.

    Moving to in progress records today as the actual start and to done today
    as the actual end, unless the request gives them; going back to planned
    forgets the actual days, reopening a done one forgets its end.
    """
    merged = {**current, **changes}
    old, new = current["status"], merged["status"]
    if new != old:
        if new not in TRANSITIONS[old]:
            raise MilestoneStateError(f"a {old} milestone cannot become {new}")
        # What the request does not say follows the move; what it says is checked below.
        if new == "planned":
            for name in ("actual_start", "actual_end"):
                if name not in changes:
                    merged[name] = None
        if new == "in_progress":
            if "actual_end" not in changes:
                merged["actual_end"] = None
            if merged.get("actual_start") is None:
                merged["actual_start"] = today
        if new == "done" and merged.get("actual_end") is None:
            merged["actual_end"] = today
    errors = []
    if merged["planned_end"] < merged["planned_start"]:
        errors.append(("planned_end", "must not come before planned_start"))
    for name in ("actual_start", "actual_end"):
        if merged.get(name) is not None and merged[name] > today:
            errors.append((name, "an actual day cannot be in the future (Europe/Rome)"))
    if merged["status"] == "planned" and merged.get("actual_start") is not None:
        errors.append(("actual_start", "a planned milestone has not started: set status in_progress or done"))
    if merged.get("actual_end") is not None and merged["status"] != "done":
        errors.append(("actual_end", "only a done milestone has an actual end: set status done"))
    if (merged.get("actual_start") is not None and merged.get("actual_end") is not None
            and merged["actual_end"] < merged["actual_start"]):
        errors.append(("actual_end", "must not come before actual_start"))
    if errors:
        raise InvalidMilestone(*errors)
    return merged
