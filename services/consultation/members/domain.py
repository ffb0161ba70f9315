"""Who may take part in the consultation, from the replicated register: pure rules, no I/O.

The registry decides an organisation's status; consultation only applies it:
- active: may be invited to tables and may contribute;
- suspended: not now. Its memberships are paused and resume as they were when
  the registry reactivates it;
- withdrawn: it left the network. Its memberships end for good: if a new
  admission brings it back (the registry can), it must be invited again
  (membership_state reads the replicated status history for that).
Whatever the status, its past contributions stay (the replica never deletes an
organisation, so what it contributed keeps pointing at it).
Organisations of the Ambito's own register (origin = the tenant) take part, and so do those of
an Ambito that shares its register (registry.stakeholders) with this one (`shared_registers`: the
former Ambiti of a merged one, issue 9); rows of any other origin are there to be read only.
"""
from __future__ import annotations

ACTIVE, SUSPENDED, WITHDRAWN = "active", "suspended", "withdrawn"
STATUSES = (ACTIVE, SUSPENDED, WITHDRAWN)

# The registry's organisation types (it.pdz.registry.stakeholder.*.v1), for filters and documentation.
ORGANISATION_TYPES = ("public_body", "comune", "health_authority", "school", "ets", "social_cooperative",
                      "enterprise", "trade_union", "representative_body", "other")

# What a status change does to the memberships an organisation holds.
IN_EFFECT, PAUSED, ENDED = "in_effect", "paused", "ended"
_MEMBERSHIP = {ACTIVE: IN_EFFECT, SUSPENDED: PAUSED, WITHDRAWN: ENDED}


class NotAllowed(Exception):
    """The organisation may not take part now; `code` names why (an API turns it into a problem)."""

    code = "not-allowed"

    def __init__(self, organisation_id=None):
        super().__init__(f"{self.__doc__} ({organisation_id})" if organisation_id else self.__doc__)
        self.organisation_id = organisation_id


class UnknownOrganisation(NotAllowed):
    """The organisation is not in the Ambito's register (or its events have not arrived yet)."""

    code = "unknown-organisation"


class SharedOrganisation(NotAllowed):
    """The organisation belongs to another Ambito's register, shared here to be read only."""

    code = "shared-organisation"


class RevokedOrganisation(NotAllowed):
    """The organisation came from a former Ambito's register that is no longer shared: kept for history only."""

    code = "organisation-revoked"


class SuspendedOrganisation(NotAllowed):
    """The organisation is suspended from the Ambito's network: not until it is reactivated."""

    code = "organisation-suspended"


class WithdrawnOrganisation(NotAllowed):
    """The organisation withdrew from the Ambito's network."""

    code = "organisation-withdrawn"


def check_status(status: str) -> str:
    """The status if it is one of ours; a ValueError otherwise (a register we do not understand)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
    return status


def refusal(organisation: dict | None, *, tenant: str, shared_registers=frozenset()) -> NotAllowed | None:
    """Why `organisation` (a replica row: id, origin, status) may not take part in `tenant`'s consultation, or None.

    `shared_registers`: the origins whose register is shared with `tenant` (shared_replicas/origins.py)."""
    if organisation is None:
        return UnknownOrganisation()
    organisation_id = organisation.get("id")
    # Marked by the revocation (migration 014, services/consultation/revoke.py): its memberships and
    # contributions stay as history, but nothing new in its name.
    if organisation.get("revoked_at") is not None:
        return RevokedOrganisation(organisation_id)
    if organisation["origin"] != tenant and organisation["origin"] not in shared_registers:
        return SharedOrganisation(organisation_id)
    status = check_status(organisation["status"])
    if status == SUSPENDED:
        return SuspendedOrganisation(organisation_id)
    if status == WITHDRAWN:
        return WithdrawnOrganisation(organisation_id)
    return None


def may_take_part(organisation: dict | None, *, tenant: str, shared_registers=frozenset()) -> bool:
    """True if the organisation may be invited to a table, sit at it and contribute, now."""
    return refusal(organisation, tenant=tenant, shared_registers=shared_registers) is None


def ensure_may_be_invited(organisation: dict | None, *, tenant: str, shared_registers=frozenset()) -> None:
    """Raise the refusal (a fresh NotAllowed) if the organisation may not be invited to a table."""
    problem = refusal(organisation, tenant=tenant, shared_registers=shared_registers)
    if problem is not None:
        raise problem


def ensure_may_contribute(organisation: dict | None, *, tenant: str, shared_registers=frozenset()) -> None:
    """Raise the refusal (a fresh NotAllowed) if the organisation may not contribute (needs, proposals, ballots)."""
    problem = refusal(organisation, tenant=tenant, shared_registers=shared_registers)
    if problem is not None:
        raise problem


def membership_effect(status: str) -> str:
    """What the status does to the table memberships the organisation holds: in_effect, paused or ended."""
    return _MEMBERSHIP[check_status(status)]


def membership_state(*, joined_version: int, history, status: str) -> str:
    """in_effect, paused or ended: a membership taken when the organisation's register version was `joined_version`.

    `history` is the (version, status) pairs replicated so far (any order, gaps allowed) and `status`
    the current one. A withdrawal at any later version ends it, even if a new admission made the
    organisation active again since; otherwise the current status decides (suspended pauses)."""
    if any(version > joined_version and check_status(past) == WITHDRAWN for version, past in history):
        return ENDED
    return membership_effect(status)
