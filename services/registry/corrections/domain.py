"""Correction rules, pure: which fields a representative may ask to correct, what a request proposes, decisions."""
from __future__ import annotations

# What the register holds of an organisation that its representative may ask to correct. Not the tax code
# (the organisation's identity: a wrong one is a new registration) nor the status (the office's decision).
CORRECTABLE = ("name", "type", "runts_section", "runts_number", "seat_istat", "areas")
STATUSES = ("pending", "accepted", "rejected")


class CorrectionRuleError(ValueError):
    """The request cannot be made or decided as asked; `field` names the input at fault, if one is."""

    field: str | None = None


class NothingToCorrect(CorrectionRuleError):
    """Every proposed value is the one the register already holds."""

    field = "changes"


class RuntsSectionRequired(CorrectionRuleError):
    """After the correction the organisation would be an ETS without its RUNTS section."""

    field = "changes.runts_section"


class AlreadyDecided(CorrectionRuleError):
    def __init__(self, status: str):
        super().__init__(f"the request is already {status}")
        self.status = status


def _comparable(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def proposal(current: dict, proposed: dict) -> dict:
    """The proposed values that differ from the register's (areas deduplicated in order); refuses an empty one."""
    asked = {k: (list(dict.fromkeys(v)) if k == "areas" else v) for k, v in proposed.items() if k in CORRECTABLE}
    found = {k: v for k, v in asked.items() if _comparable(current[k]) != _comparable(v)}
    if not found:
        raise NothingToCorrect("nothing differs from the register")
    return found


def check_result(current: dict, changes: dict) -> None:
    """The organisation as the correction leaves it must still be valid: an ETS names its RUNTS section."""
    after = {**current, **changes}
    if after.get("type") == "ets" and not after.get("runts_section"):
        raise RuntsSectionRequired("an ETS needs its RUNTS section")


def check_pending(status: str) -> None:
    """Only a pending request is decided, once."""
    if status != "pending":
        raise AlreadyDecided(status)


def before(current: dict, changes: dict) -> dict:
    """The register's values of the fields a request changes, as the representative read them."""
    return {k: _comparable(current[k]) for k in changes}
