"""Italian words the documents show for stored codes. Pure data; a code without a label is shown as it is."""
from __future__ import annotations

from types import MappingProxyType

# The L. 328/2000 target groups (the codes are consultation's; copied: no service imports another's code).
TARGET_GROUPS = MappingProxyType({
    "minori": "Minori", "giovani_famiglia": "Giovani e famiglia", "anziani": "Anziani", "dipendenze": "Dipendenze",
    "salute_mentale": "Salute mentale", "disabilita": "Disabilità", "immigrazione": "Immigrazione",
    "poverta_emarginazione": "Povertà ed emarginazione", "popolazione_generale": "Popolazione generale",
})
KINDS = MappingProxyType({"service": "Servizio", "transfer": "Trasferimento", "project": "Progetto"})
STATES = MappingProxyType({
    "draft": "bozza", "adopted": "adottato dall'Ufficio di Piano", "approved": "approvato dall'Assemblea dei Sindaci",
    "sent": "inviato alla Regione", "returned": "restituito dalla Regione con osservazioni",
    "accepted": "accolto dalla Regione", "signed": "sottoscritto (accordo di programma)", "superseded": "superato",
})
SOURCES = MappingProxyType({"national": "Statale", "regional": "Regionale", "EU": "Europea", "PNRR": "PNRR",
                            "comuni": "Comunale"})
TABLE_KINDS = MappingProxyType({"thematic": "Tavolo tematico", "plenary": "Sessione plenaria",
                                "standing": "Tavolo permanente"})
TABLE_STATUSES = MappingProxyType({"active": "attivo", "closed": "chiuso"})
NEED_STATUSES = MappingProxyType({"open": "aperto", "closed": "chiuso"})
PHASES = MappingProxyType({"fase_1": "FASE 1 – Analisi", "fase_2": "FASE 2 – Partecipazione",
                           "fase_3": "FASE 3 – Programmazione", "approvazione": "Approvazione",
                           "monitoraggio": "Monitoraggio"})
MILESTONE_STATUSES = MappingProxyType({"planned": "prevista", "in_progress": "in corso", "done": "conclusa",
                                       "cancelled": "annullata"})
COFINANCING = "Cofinanziamento comunale"


def label(labels, code):
    """The Italian label of `code`, or the code itself (a code newer than this list)."""
    return labels.get(code, code)


def version_label(version: dict) -> str:
    """'Versione 1 – piano triennale' or 'Versione 2 – aggiornamento annuale 2025'."""
    kind = "piano triennale" if version["kind"] == "triennial" else f"aggiornamento annuale {version['reference_year']}"
    return f"Versione {version['number']} – {kind}"
