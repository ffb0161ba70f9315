from datetime import datetime, timezone

import pytest

from services.registry.applications.domain import (ApplicationRuleError, check_review, missing_declarations,
                                                   protocol_number, protocol_year)


def test_protocol_numbers_are_year_slash_six_digits():
    assert protocol_number(2026, 123) == "2026/000123"
    assert protocol_number(2026, 999_999) == "2026/999999"
    with pytest.raises(ValueError):
        protocol_number(2026, 0)
    with pytest.raises(ValueError):
        protocol_number(2026, 1_000_000)


def test_the_protocol_year_is_the_italian_calendar_year():
    # 23:30 UTC on 31 December is already 1 January in Rome.
    assert protocol_year(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == 2027
    assert protocol_year(datetime(2026, 12, 31, 22, 30, tzinfo=timezone.utc)) == 2026


def test_review_happens_once():
    check_review("submitted", "admitted")
    check_review("submitted", "rejected")
    for current in ("admitted", "rejected"):
        for target in ("admitted", "rejected"):
            with pytest.raises(ApplicationRuleError):
                check_review(current, target)


def test_every_declaration_must_be_made():
    assert missing_declarations({"possesso_requisiti": True, "assenza_cause_esclusione": True,
                                 "presa_visione_informativa_privacy": True}) == []
    assert missing_declarations({"possesso_requisiti": True, "assenza_cause_esclusione": "yes"}) == [
        "assenza_cause_esclusione", "presa_visione_informativa_privacy"]
