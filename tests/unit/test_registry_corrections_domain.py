"""Correction rules, pure: what a request proposes, what the register must stay, one decision per request."""
from __future__ import annotations

import pytest

from services.registry.corrections import domain

CURRENT = {"name": "Il Sentiero", "type": "social_cooperative", "runts_section": None, "runts_number": None,
           "seat_istat": "076063", "areas": ["3"], "status": "active", "tax_code": "01234567890"}


def test_the_proposal_keeps_only_what_differs_and_dedupes_areas():
    assert domain.proposal(CURRENT, {"name": "Il Sentiero", "areas": ["3", "5", "3"], "runts_number": "7"}) == {
        "areas": ["3", "5"], "runts_number": "7"}


def test_areas_in_a_tuple_equal_to_the_register_are_nothing_to_correct():
    with pytest.raises(domain.NothingToCorrect):
        domain.proposal({**CURRENT, "areas": ("3",)}, {"areas": ["3"], "name": "Il Sentiero"})


def test_status_and_tax_code_are_not_for_a_representative_to_correct():
    with pytest.raises(domain.NothingToCorrect):
        domain.proposal(CURRENT, {"status": "withdrawn", "tax_code": "98765432109"})


def test_an_ets_after_the_correction_needs_its_runts_section():
    with pytest.raises(domain.RuntsSectionRequired) as refused:
        domain.check_result(CURRENT, {"type": "ets"})
    assert refused.value.field == "changes.runts_section"
    domain.check_result(CURRENT, {"type": "ets", "runts_section": "b"})
    domain.check_result({**CURRENT, "type": "ets", "runts_section": "a"}, {"name": "Altro nome"})
    with pytest.raises(domain.RuntsSectionRequired):
        domain.check_result({**CURRENT, "type": "ets", "runts_section": "a"}, {"runts_section": None})


def test_only_a_pending_request_is_decided():
    domain.check_pending("pending")
    for status in ("accepted", "rejected"):
        with pytest.raises(domain.AlreadyDecided) as refused:
            domain.check_pending(status)
        assert refused.value.status == status


def test_before_records_the_registers_values_of_the_fields_asked_for():
    assert domain.before({**CURRENT, "areas": ("3",)}, {"areas": ["5"], "name": "X"}) == {"areas": ["3"],
                                                                                         "name": "Il Sentiero"}
