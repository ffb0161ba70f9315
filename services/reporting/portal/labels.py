"""Italian words for the codes the read model holds (what citizens read on the portal). Pure."""
from __future__ import annotations

from decimal import Decimal

from shared.documents import italian

PLAN_STATES = {
    "draft": "Bozza", "adopted": "Adottato dall'Ambito", "approved": "Approvato", "sent": "Inviato alla Regione",
    "returned": "Restituito dalla Regione", "accepted": "Accolto dalla Regione",
    "signed": "Sottoscritto (accordo di programma)", "superseded": "Sostituito da una versione successiva",
}
PLAN_KINDS = {"triennial": "triennale", "update": "aggiornamento annuale"}
INTERVENTION_STATES = {
    "planned": "Programmato", "active": "In corso", "in_progress": "In corso", "suspended": "Sospeso",
    "completed": "Concluso", "cancelled": "Annullato", "not_started": "Non avviato",
}
SERVICES = {"registry": "registro dei soggetti e profilo", "consultation": "consultazione", "budget": "bilancio del Piano"}
STAKEHOLDER_TYPES = {
    "public_body": "Ente pubblico", "comune": "Comune", "health_authority": "Azienda sanitaria",
    "school": "Istituzione scolastica", "ets": "Ente del Terzo settore",
    "social_cooperative": "Cooperativa sociale", "enterprise": "Impresa", "trade_union": "Organizzazione sindacale",
    "representative_body": "Organismo di rappresentanza", "other": "Altro",
}


def label(table: dict, code: str | None) -> str:
    """The Italian word for a code; the code itself when it is new to the portal."""
    return "" if code is None else table.get(code, code.replace("_", " "))


def money(value: Decimal | None) -> str:
    """'1.234,56 €'; 'n.d.' (non disponibile) for a figure that cannot be computed."""
    return "n.d." if value is None else italian.money(value)


def number(value: int | None) -> str:
    """'12.500'; 'n.d.' when unknown."""
    return "n.d." if value is None else italian.number(int(value))


def percent(value: Decimal | None) -> str:
    """'45,50%' ; 'n.d.' when unknown."""
    if value is None:
        return "n.d."
    return f"{Decimal(value).quantize(Decimal('0.01'))}".replace(".", ",") + "%"


def moment(value) -> str:
    """'27 novembre 2026, ore 17:05' (Italian time); 'non disponibile' when unknown."""
    return "non disponibile" if value is None else italian.moment(value)


def day(value) -> str:
    return italian.day(value) if value is not None else "n.d."
