"""Application rules, pure: protocol numbers, declarations, review."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# The protocol register follows the Ambito's calendar year, in Italian time.
ROME = ZoneInfo("Europe/Rome")
# What every applicant declares (dichiarazioni sostitutive, DPR 445/2000).
REQUIRED_DECLARATIONS = (
    "possesso_requisiti",                 # meets the call's requirements
    "assenza_cause_esclusione",           # no grounds for exclusion
    "presa_visione_informativa_privacy",  # has read the privacy notice (GDPR art. 13)
)
REVIEW = {"submitted": {"admitted", "rejected"}, "admitted": set(), "rejected": set()}
# The applications that count for "one per organisation and call" (the partial unique index of
# migration registry/007 says the same): a rejected one no longer holds the organisation's place.
STANDING = ("submitted", "admitted")


class ApplicationRuleError(ValueError):
    """The application cannot do what was asked; the message says why."""


def protocol_year(at: datetime) -> int:
    return at.astimezone(ROME).year


def protocol_number(year: int, number: int) -> str:
    """The protocol number as written on documents, e.g. 2026/000123."""
    if not 1 <= number <= 999_999:
        raise ValueError(f"protocol number {number} is out of range")
    return f"{year}/{number:06d}"


def check_review(current: str, target: str) -> None:
    if target not in REVIEW[current]:
        raise ApplicationRuleError(f"an application already {current} cannot be {target}")


def missing_declarations(declarations: dict) -> list[str]:
    """The required declarations not made (absent or not true)."""
    return [name for name in REQUIRED_DECLARATIONS if declarations.get(name) is not True]
