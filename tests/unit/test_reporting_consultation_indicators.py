"""The participation, funnel and cronoprogramma indicators are registered as docs/reporting.md defines them."""
from __future__ import annotations

from services.reporting.indicators import REGISTRY
from tests.contract.catalogue import event_types

CODES = {
    "partecipazione_organizzazioni_invitate": ("numero", ("table_id", "organisation_type")),
    "partecipazione_organizzazioni_iscritte": ("numero", ("table_id", "organisation_type")),
    "partecipazione_organizzazioni_presenti": ("numero", ("table_id", "organisation_type")),
    "partecipazione_tasso_presenza": ("percentuale", ("table_id", "organisation_type")),
    "imbuto_bisogni_interventi": ("numero", ("stage",)),
    "cronoprogramma_tappe_in_scadenza": ("numero", ()),
    "cronoprogramma_concluse_in_tempo": ("numero", ()),
    "cronoprogramma_concluse_in_ritardo": ("numero", ()),
    "cronoprogramma_tappe_in_ritardo": ("numero", ()),
}


def test_each_indicator_is_a_flow_with_its_unit_and_dimensions():
    for code, (unit, dimensions) in CODES.items():
        definition = REGISTRY[code].definition
        assert (definition.unit, definition.kind, definition.dimensions) == (unit, "flow", dimensions), code
        assert definition.name and definition.formula and definition.name[0].isupper()


def test_every_source_event_is_in_the_catalogue():
    known = set(event_types())
    for code in CODES:
        events = REGISTRY[code].definition.source_events
        assert events and set(events) <= known, (code, set(events) - known)
