"""The Italian words the exports show for stored codes: pure data.

The organisation types are the registry's (it.pdz.registry.stakeholder.*.v1, members/domain.py
ORGANISATION_TYPES) with the labels the registry's public export uses: copied, not imported, because
no service imports another. A code without a label is shown as it is.
"""
from __future__ import annotations

from types import MappingProxyType

ORGANISATION_TYPES = MappingProxyType({
    "public_body": "Ente pubblico", "comune": "Comune", "health_authority": "Azienda sanitaria",
    "school": "Istituzione scolastica", "ets": "Ente del Terzo settore",
    "social_cooperative": "Cooperativa sociale", "enterprise": "Impresa", "trade_union": "Organizzazione sindacale",
    "representative_body": "Organismo di rappresentanza", "other": "Altro",
})
NEED_STATUSES = MappingProxyType({"open": "Aperto", "closed": "Chiuso"})
PROPOSAL_STATUSES = MappingProxyType({
    "submitted": "Presentata", "under_evaluation": "In valutazione", "accepted": "Accolta",
    "rejected": "Respinta", "merged": "Unita ad altra proposta",
})
TABLE_KINDS = MappingProxyType({"thematic": "Tavolo tematico", "plenary": "Plenaria",
                                "standing": "Tavolo permanente"})
SESSION_STATUSES = MappingProxyType({"scheduled": "Programmata", "held": "Svolta", "cancelled": "Annullata"})
YES_NO = MappingProxyType({True: "Sì", False: "No"})


def label(labels, code):
    """The Italian label of `code`, or the code itself if it has none (a newer code than this list)."""
    return labels.get(code, code)
