"""Italian names of budget's codes, as the pages show them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from services.budget.interventions.domain import KINDS, STATUSES, TARGET_GROUPS
from services.budget.plans.domain import PUBLIC_ACTIONS, STATES

TARGETS = {"minori": _l("Minori"), "giovani_famiglia": _l("Giovani e famiglia"), "anziani": _l("Anziani"),
           "dipendenze": _l("Dipendenze"), "salute_mentale": _l("Salute mentale"), "disabilita": _l("Disabilità"),
           "immigrazione": _l("Immigrazione"), "poverta_emarginazione": _l("Povertà ed emarginazione"),
           "popolazione_generale": _l("Popolazione generale")}
KIND = {"service": _l("Servizio"), "transfer": _l("Trasferimento"), "project": _l("Progetto")}
STATUS = {"planned": _l("Programmato"), "active": _l("In corso"), "suspended": _l("Sospeso"),
          "completed": _l("Concluso"), "cancelled": _l("Annullato")}
PLAN_STATE = {"draft": _l("Bozza"), "adopted": _l("Adottato dall'Ufficio di Piano"),
              "approved": _l("Approvato dall'Assemblea dei Sindaci"), "sent": _l("Inviato alla Regione"),
              "returned": _l("Restituito dalla Regione con osservazioni"), "accepted": _l("Accolto dalla Regione"),
              "signed": _l("Sottoscritto (accordo di programma)"), "superseded": _l("Superato")}
ACTION = {"adopt": _l("Adotta"), "approve": _l("Registra l'approvazione dell'Assemblea dei Sindaci"),
          "send": _l("Invia alla Regione"), "return": _l("Restituisci con osservazioni"),
          "accept": _l("Accogli"), "sign": _l("Registra l'accordo di programma"),
          "create": _l("Creazione"), "open": _l("Apertura dell'aggiornamento annuale"), "supersede": _l("Superata")}
VERSION_KIND = {"triennial": _l("Piano triennale"), "yearly_update": _l("Aggiornamento annuale")}
SOURCE = {"national": _l("Statale"), "regional": _l("Regionale"), "EU": _l("Europea"), "PNRR": _l("PNRR"),
          "comuni": _l("Comunale")}

assert set(TARGETS) == set(TARGET_GROUPS) and set(KIND) == set(KINDS) and set(STATUS) == set(STATUSES)
assert set(PLAN_STATE) == set(STATES) and set(PUBLIC_ACTIONS) <= set(ACTION)

TARGET_OPTIONS = [(code, TARGETS[code]) for code in TARGET_GROUPS]
KIND_OPTIONS = [(code, KIND[code]) for code in KINDS]


def label(names: dict, code) -> str:
    """The Italian name of a code; the code itself if it has none (never an empty cell)."""
    return names.get(code, code) if code is not None else ""
