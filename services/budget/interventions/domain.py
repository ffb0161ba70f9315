"""Intervention rules, pure: classification against the vocabularies, CUP, dates, status, proposals, links.

Each check raises InvalidField naming the field (a 422 at the edge) or InterventionRuleError with a
problem slug (a 409). The vocabularies (regional areas, CISIS nomenclature, LEPS) are handed in by
the caller, so these rules never read configuration or the database.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable

# The L. 328/2000 target groups: the same codes as consultation's (services/consultation/targets.py),
# copied because a service never imports another's code; the events carry these codes both ways.
TARGET_GROUPS = ("minori", "giovani_famiglia", "anziani", "dipendenze", "salute_mentale", "disabilita",
                 "immigrazione", "poverta_emarginazione", "popolazione_generale")
KINDS = ("service", "transfer", "project")
STATUSES = ("planned", "active", "suspended", "completed", "cancelled")
STARTED = frozenset({"active", "suspended", "completed"})
ENDED = frozenset({"completed", "cancelled"})
CUP_RE = re.compile(r"^[A-Z0-9]{15}$")
# Fields of the plan's content: changing them needs an editable plan (draft or returned). The others
# (status, actual dates) are monitoring: allowed at any time, after adoption too.
CONTENT_FIELDS = ("code", "title", "description", "nomenclature_code", "area", "target_group", "leps", "kind",
                  "investment", "comuni", "managing_body", "cup", "planned_start", "planned_end", "proposal_ids",
                  "continues")
MONITORING_FIELDS = ("status", "actual_start", "actual_end")
INTERVENTIONS_DATA_SET = "budget.interventions"


class InvalidField(ValueError):
    """A value is not acceptable; `field` names it (dotted path, e.g. `leps.1`)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class InterventionRuleError(Exception):
    """The intervention cannot do what was asked now; `code` is the problem slug (409)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Vocabulary:
    """The codes an intervention may use: the region's areas, the CISIS nomenclature, the LEPS."""

    areas: frozenset[str]
    nomenclature: frozenset[str]
    leps: frozenset[str]


def unique_in_order(values: Iterable) -> list:
    seen, result = set(), []
    for value in values:
        if value not in seen:
            seen.add(value)
            result.append(value)
    return result


def check_classification(values: dict, vocabulary: Vocabulary) -> None:
    """The classification fields present in `values` are codes of their vocabularies."""
    if "nomenclature_code" in values and values["nomenclature_code"] not in vocabulary.nomenclature:
        raise InvalidField("nomenclature_code", "not a code of the CISIS nomenclature of social interventions")
    if "area" in values and values["area"] not in vocabulary.areas:
        raise InvalidField("area", "not a thematic area of the Ambito's region")
    if "target_group" in values and values["target_group"] not in TARGET_GROUPS:
        raise InvalidField("target_group", f"not a target group of L. 328/2000 ({', '.join(TARGET_GROUPS)})")
    if "kind" in values and values["kind"] not in KINDS:
        raise InvalidField("kind", f"must be one of {', '.join(KINDS)}")
    for index, code in enumerate(values.get("leps", ())):
        if code not in vocabulary.leps:
            raise InvalidField(f"leps.{index}", "not a LEPS of the reference list")


def check_cup(*, kind: str, investment: bool, cup: str | None) -> None:
    """A CUP is 15 upper-case letters or digits; an investment is a project and must have one."""
    if cup is not None and not CUP_RE.fullmatch(cup):
        raise InvalidField("cup", "a CUP is 15 characters, upper-case letters and digits")
    if investment and kind != "project":
        raise InvalidField("investment", "only a project can be an investment")
    if investment and cup is None:
        raise InvalidField("cup", "an investment needs its CUP (L. 3/2003 art. 11)")


def check_planned(*, planned_start: date | None, planned_end: date | None, first_year: int, last_year: int) -> None:
    """The planned dates fall within the plan's triennium, start before end."""
    for name, value in (("planned_start", planned_start), ("planned_end", planned_end)):
        if value is not None and not first_year <= value.year <= last_year:
            raise InvalidField(name, f"must fall within the plan's triennium {first_year}-{last_year}")
    if planned_start and planned_end and planned_end < planned_start:
        raise InvalidField("planned_end", "must not come before planned_start")


def check_monitoring(*, status: str, actual_start: date | None, actual_end: date | None) -> None:
    """Status and actual dates agree: started states have a start, only ended states an end."""
    if status not in STATUSES:
        raise InvalidField("status", f"must be one of {', '.join(STATUSES)}")
    if status in STARTED and actual_start is None:
        raise InvalidField("actual_start", f"an intervention that is {status} has an actual start")
    if status == "planned" and actual_start is not None:
        raise InvalidField("status", "an intervention that started is no longer planned")
    if actual_end is not None and status not in ENDED:
        raise InvalidField("actual_end", "only a completed or cancelled intervention has an actual end")
    if actual_end is not None and actual_start is not None and actual_end < actual_start:
        raise InvalidField("actual_end", "must not come before actual_start")


def check_status_change(current: str, target: str) -> None:
    """A cancelled intervention stays cancelled (a new line is planned instead)."""
    if current == "cancelled" and target != "cancelled":
        raise InterventionRuleError("intervention-cancelled", "a cancelled intervention cannot be reopened")


def check_comuni(comuni: list[str], known: set[str]) -> list[str]:
    """The comuni, deduplicated; each must be a comune of the Ambito (or of a former Ambito sharing its profile)."""
    comuni = unique_in_order(comuni)
    for index, code in enumerate(comuni):
        if code not in known:
            raise InvalidField(f"comuni.{index}", "not a comune of this Ambito's territory")
    return comuni


def check_managing_body(organisation: dict | None, *, origins: frozenset[str]) -> None:
    """The managing body is an active organisation of the register replica, of this Ambito or a sharing one."""
    if organisation is not None and organisation.get("revoked_at") is not None:   # the mark first (revoke.py)
        raise InterventionRuleError("organisation-revoked", "the organisation came from a former Ambito's register "
                                    "that is no longer shared with this one: kept for history only")
    if organisation is None or organisation["origin"] not in origins:
        raise InvalidField("managing_body", "not an organisation of the register")
    if organisation["status"] != "active":
        raise InvalidField("managing_body", f"the organisation is {organisation['status']}, not active")


def check_proposals(proposal_ids: list, found: dict, *, origins: frozenset[str]) -> list:
    """The proposals, deduplicated; each must be an accepted proposal of the replica, from a known origin."""
    proposal_ids = unique_in_order(proposal_ids)
    for index, proposal_id in enumerate(proposal_ids):
        row = found.get(proposal_id)
        if row is None or row["origin"] not in origins:
            raise InvalidField(f"proposal_ids.{index}", "not an accepted proposal of this Ambito")
        if row["status"] != "accepted":
            raise InvalidField(f"proposal_ids.{index}", f"the proposal is {row['status']}, not accepted")
    return proposal_ids


def check_continues(continues: dict | None, *, tenant: str, sharing_origins: frozenset[str],
                    replica: dict | None) -> None:
    """The intervention continued belongs to a former Ambito that shares its interventions with this one."""
    if continues is None:
        return
    origin = continues["origin"]
    if origin == tenant:
        raise InvalidField("continues.origin", "an intervention continues one of a former Ambito, not of this one")
    if origin not in sharing_origins:
        raise InvalidField("continues.origin", "not a former Ambito that shares its interventions with this one")
    if replica is None:
        raise InvalidField("continues.intervention_id", f"no intervention of {origin} with this id has reached "
                                                        "this Ambito")
