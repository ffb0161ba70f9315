"""What the rounds' API modules share: the caller, and the use cases' refusals as problems."""
from __future__ import annotations

from flask import g

from shared.http.concurrency import stale
from shared.http.problems import Problem, invalid

from services.consultation.members import domain as members
from services.consultation.rounds import ballots, domain
from services.consultation.rounds.ballots_service import BallotNotFound
from services.consultation.rounds.service import RoundNotFound, StaleRound
from services.consultation.tables import access

NOT_PERMITTED = ("not-permitted", "the caller does not manage the round's table, or does not act for the "
                 "organisation at it")


def caller() -> access.Caller:
    return access.Caller(g.principal.subject, g.roles)


def run(action):
    """Run the use case; its refusals become problems (fresh instances each time)."""
    try:
        return action()
    except (RoundNotFound, BallotNotFound):
        raise Problem(404, "Not Found", "No such record in this Ambito.", slug="not-found") from None
    except StaleRound as exc:
        raise stale(exc.current_version) from None
    except domain.InvalidField as exc:
        raise invalid((exc.field, exc.message)) from None
    except ballots.InvalidBallot as exc:
        raise invalid(*exc.errors) from None
    except access.NotAllowed as exc:
        raise Problem(403, "Forbidden", str(exc), slug="not-permitted") from None
    except members.NotAllowed as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None
    except domain.RoundError as exc:
        raise Problem(409, "Conflict", str(exc), slug=exc.code) from None
