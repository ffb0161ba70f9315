"""The registry's indicator definitions and their pure parts (services/reporting/indicators/registry.py)."""
import json
from decimal import Decimal

import pytest

from services.reporting.indicators import REGISTRY, Period
from services.reporting.indicators import registry
from tests.contract.catalogue import EVENTS_DIR

CODES = ("abitanti", "stakeholder_attivi", "stakeholder_per_sezione_runts", "avvisi_pubblicati", "candidature")


def test_the_registry_s_indicators_are_registered_at_import_with_their_dimensions():
    dims = {code: REGISTRY[code].definition.dimensions for code in CODES}
    assert dims == {"abitanti": (), "stakeholder_attivi": ("type",),
                    "stakeholder_per_sezione_runts": ("runts_section",), "avvisi_pubblicati": (),
                    "candidature": ("status",)}
    kinds = {code: REGISTRY[code].definition.kind for code in CODES}
    assert kinds == {"abitanti": "stock", "stakeholder_attivi": "stock", "stakeholder_per_sezione_runts": "stock",
                     "avvisi_pubblicati": "flow", "candidature": "flow"}
    for code in CODES:
        for type_ in REGISTRY[code].definition.source_events:
            assert (EVENTS_DIR / type_).is_dir(), type_


def test_the_known_types_and_sections_are_the_catalogue_s():
    schema = json.loads((EVENTS_DIR / "it.pdz.registry.stakeholder.registered.v1" / "schema.json").read_text())
    assert set(registry.STAKEHOLDER_TYPES) == set(schema["properties"]["type"]["enum"])
    assert set(registry.RUNTS_SECTIONS) == set(schema["properties"]["runts_section"]["enum"]) - {None}


def test_every_known_key_has_a_figure_zero_included_and_a_new_one_is_kept():
    figures = registry._figures("candidature", Period.parse("2026"), "status", registry.APPLICATION_STATUSES,
                                {"admitted": 2, "withdrawn": 1})
    assert [(f.dimension["status"], f.value) for f in figures] == [
        ("submitted", Decimal(0)), ("admitted", Decimal(2)), ("rejected", Decimal(0)), ("withdrawn", Decimal(1))]


def test_a_cursor_is_tenant_slash_id():
    assert registry._cursor(None) == ("", "")
    assert registry._cursor("lagonegrese/5b0f7c1e") == ("lagonegrese", "5b0f7c1e")
    for bad in ("lagonegrese", "/x", "x/"):
        with pytest.raises(ValueError, match="cursor"):
            registry._cursor(bad)
