"""Italian words the documents show for stored codes. Pure data.

Organisation types are the registry's kinds with the labels its public export uses (copied: no service
imports another). A code without a label is shown as it is.
"""
from __future__ import annotations

from types import MappingProxyType

ORGANISATION_TYPES = MappingProxyType({
    "public_body": "Ente pubblico", "comune": "Comune", "health_authority": "Azienda sanitaria",
    "school": "Istituzione scolastica", "ets": "Ente del Terzo settore",
    "social_cooperative": "Cooperativa sociale", "enterprise": "Impresa", "trade_union": "Organizzazione sindacale",
    "representative_body": "Organismo di rappresentanza", "other": "Altro",
})
TABLE_KINDS = MappingProxyType({"thematic": "tavolo tematico", "plenary": "sessione plenaria",
                                "standing": "tavolo permanente"})
SESSION_STATUSES = MappingProxyType({"scheduled": "programmata", "held": "svolta", "cancelled": "annullata"})
MODES = MappingProxyType({"in_person": "In presenza", "remote": "A distanza"})
PROPOSAL_STATUSES = MappingProxyType({
    "submitted": "Presentata", "under_evaluation": "In valutazione", "accepted": "Accolta",
    "rejected": "Respinta", "merged": "Unita ad altra proposta",
})


def label(labels, code):
    """The Italian label of `code`, or the code itself (a code newer than this list)."""
    return labels.get(code, code)
