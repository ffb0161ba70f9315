"""Rules of needs (bisogni) and proposals (proposte), pure: vocabularies, who records, what may change.

Who acts for whom at a table is services/consultation/tables/access.py; whether an organisation
may contribute at all (active, of this Ambito) is services/consultation/members/domain.py.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from services.consultation import targets
from services.consultation.tables import access

# L. 328/2000 target groups: one list for needs, the map of services and the community profile.
TARGET_GROUPS = targets.TARGET_GROUPS
OPEN, CLOSED = "open", "closed"
NEED_STATUSES = (OPEN, CLOSED)
STAKEHOLDER, OPERATOR, COORDINATOR = access.STAKEHOLDER, access.OPERATOR, access.COORDINATOR


class ContributionError(ValueError):
    """A contribution cannot do what was asked; `code` names the problem type."""

    code = "contribution-state"


class TableClosed(ContributionError):
    """The table is closed: it takes no new contributions."""

    code = "table-closed"

    def __init__(self):
        super().__init__(self.__doc__)


class InvalidField(ValueError):
    """A value that a rule beyond the schema refuses (unknown need, comune, organisation...): a 422."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def recorder(caller: access.Caller, table: Mapping, members: Iterable[Mapping], organisation_id, *,
             on_behalf: bool) -> str:
    """The role in which the caller records a contribution for the organisation, or a fresh NotAllowed.

    A representative acts for the organisations whose membership lists its account; `on_behalf` is the
    office (an operator, or this table's coordinator) recording for a member organisation.
    """
    members = list(members)
    if on_behalf:
        if not access.manages(caller, table):
            raise access.NotAllowed("only the Ufficio di Piano or this table's coordinator records on behalf")
        access.ensure_acts_for(caller, members, organisation_id, on_behalf=True)
        return OPERATOR if OPERATOR in caller.roles else COORDINATOR
    access.ensure_acts_for(caller, members, organisation_id)
    return STAKEHOLDER


def editor(caller: access.Caller, table: Mapping, members: Iterable[Mapping], organisation_id) -> str:
    """The role in which the caller edits the organisation's contribution: its representative first, else the office."""
    if organisation_id in access.acting_for(caller, members):
        return STAKEHOLDER
    if access.manages(caller, table):
        return OPERATOR if OPERATOR in caller.roles else COORDINATOR
    raise access.NotAllowed("only the organisation's representatives at this table or the office may edit it")


def check_table_open(table: Mapping) -> None:
    if table.get("status") != "active":
        raise TableClosed()


def check_need_editable(status: str) -> None:
    if status != OPEN:
        raise ContributionError("a closed need can no longer be edited")


def check_need_closable(status: str) -> None:
    if status != OPEN:
        raise ContributionError("the need is already closed")


def check_target_group(code: str) -> str:
    if code not in TARGET_GROUPS:
        raise InvalidField("target_group", f"one of {', '.join(TARGET_GROUPS)}")
    return code


def check_area(code: str, known: Iterable[str]) -> str:
    """The area if the region plans by it (the tenant's region's codes, shared/regions.py)."""
    known = list(known)
    if code not in known:
        raise InvalidField("area", f"unknown thematic area {code!r}; known: {', '.join(known) or 'none'}")
    return code


def check_comuni(codes: Iterable[str], ambito: set[str] | None) -> list[str]:
    """The ISTAT codes, deduplicated in order; each must be a comune of the Ambito when its territory is known."""
    codes = list(dict.fromkeys(codes))
    if ambito is not None:
        for index, code in enumerate(codes):
            if code not in ambito:
                raise InvalidField(f"comuni.{index}", f"{code} is not a comune of this Ambito")
    return codes


def check_valuators(valuators: Iterable[str], author_accounts: Iterable[str]) -> None:
    """No valuator acts for the proposing organisation (no one evaluates their own proposal)."""
    own = set(author_accounts)
    for index, account in enumerate(valuators):
        if account in own:
            raise InvalidField(f"valuators.{index}", "this account represents the proposing organisation")


def unique_in_order(values: Iterable) -> list:
    return list(dict.fromkeys(values))


def ensure_may_decide(caller: access.Caller) -> None:
    """Accepting, rejecting or merging a proposal is the Ufficio di Piano's decision (operators)."""
    if OPERATOR not in caller.roles:
        raise access.NotAllowed("only the Ufficio di Piano (operator) decides on a proposal")
