"""Pure rules of issue 9's last steps: a revoked organisation is refused by name, whatever else it is; only an
active standing table or the plenary takes every organisation at once."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, strategies as st

from services.consultation.members.domain import STATUSES, RevokedOrganisation, refusal
from services.consultation.tables import domain


@given(status=st.sampled_from(STATUSES), origin=st.sampled_from(["c", "a", "estraneo"]),
       shared=st.sets(st.sampled_from(["a", "b"])))
def test_a_revoked_organisation_is_refused_as_revoked_whatever_its_status_or_origin(status, origin, shared):
    row = {"id": "o", "origin": origin, "status": status, "revoked_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}
    assert isinstance(refusal(row, tenant="c", shared_registers=shared), RevokedOrganisation)
    assert refusal(row, tenant="c", shared_registers=shared).code == "organisation-revoked"
    not_marked = refusal({**row, "revoked_at": None}, tenant="c", shared_registers=shared)
    assert not isinstance(not_marked, RevokedOrganisation)
    assert (not_marked is None) == (status == "active" and (origin == "c" or origin in shared))


@pytest.mark.parametrize("kind", domain.KINDS)
@pytest.mark.parametrize("status", domain.TABLE_STATUSES)
def test_only_an_active_standing_table_or_plenary_takes_everyone(kind, status):
    table = {"kind": kind, "status": status}
    if status != domain.ACTIVE:
        with pytest.raises(domain.TableClosed):
            domain.check_may_take_everyone(table)
    elif kind == domain.THEMATIC:
        with pytest.raises(domain.NotForEveryone):
            domain.check_may_take_everyone(table)
    else:
        domain.check_may_take_everyone(table)
