"""What the contributions' API modules share: the caller, the region's areas, refusals as problems."""
from __future__ import annotations

from flask import g

from shared.http.app import current_platform
from shared.http.concurrency import stale
from shared.http.problems import Problem, invalid

from services.consultation.contributions import domain, lifecycle
from services.consultation.contributions.needs_service import NeedNotFound, StaleNeed
from services.consultation.contributions.proposals_service import ProposalNotFound, StaleProposal
from services.consultation.members import domain as members
from services.consultation.shared_replicas.store import ReplicaReadOnly
from services.consultation.tables import access

NOT_PERMITTED = ("not-permitted", "the caller does not act for this organisation at this table, does not manage "
                 "the table, is not an assigned valuator, or (decisions) is not the Ufficio di Piano")
ORGANISATION = (("organisation-withdrawn", "the organisation withdrew from the network"),
                ("organisation-suspended", "the organisation is suspended"),
                ("unknown-organisation", "the organisation is not in the replicated register"),
                ("shared-organisation", "the organisation belongs to another Ambito's register"),
                ("table-closed", "the table takes no more contributions"))
REPLICA = ("replica-read-only", "the record is a replica of a former Ambito's: only its owner, named in the "
           "problem's `origin`, changes it")


def caller() -> access.Caller:
    return access.Caller(g.principal.subject, g.roles)


def area_codes() -> list[str]:
    """The thematic area codes of the tenant's region (shared/regions.py), in the region's order."""
    region = current_platform().regions.get(g.tenant.region)
    return [a.code for a in region.areas] if region else []


def run(action):
    """Run the use case; its refusals become problems (fresh instances each time)."""
    try:
        return action()
    except (NeedNotFound, ProposalNotFound):
        raise Problem(404, "Not Found", "No such record in this Ambito.", slug="not-found") from None
    except (StaleNeed, StaleProposal) as exc:
        raise stale(exc.current_version) from None
    except domain.InvalidField as exc:
        raise invalid((exc.field, exc.message)) from None
    except (access.NotAllowed, lifecycle.NotAValuator) as exc:
        raise Problem(403, "Forbidden", str(exc), slug="not-permitted") from None
    except ReplicaReadOnly as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code, origin=exc.origin) from None
    except members.NotAllowed as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None
    except (domain.ContributionError, lifecycle.LifecycleError) as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None
