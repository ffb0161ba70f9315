"""Italian names of the registry's codes, as the pages show them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from services.registry.exports.tables import STATUS_IT, TYPES_IT
from services.registry.stakeholders.domain import RUNTS_SECTIONS, STAKEHOLDER_TYPES, STATUSES

CALL_STATUS = {"draft": _l("Bozza"), "published": _l("Pubblicato"), "closed": _l("Chiuso")}
CORRECTION_STATUS = {"pending": _l("In attesa"), "accepted": _l("Accolta"), "rejected": _l("Respinta")}
APPLICATION_STATUS = {"submitted": _l("Da esaminare"), "admitted": _l("Ammessa"), "rejected": _l("Respinta")}
# DM 106/2020, art. 46 D.Lgs. 117/2017.
RUNTS = {"a": _l("a) Organizzazioni di volontariato"), "b": _l("b) Associazioni di promozione sociale"),
         "c": _l("c) Enti filantropici"), "d": _l("d) Imprese sociali"), "e": _l("e) Reti associative"),
         "f": _l("f) Società di mutuo soccorso"), "g": _l("g) Altri enti del Terzo settore")}
HISTORY_CHANGE = {"registered": _l("Iscrizione diretta"), "updated": _l("Modifica dei dati"),
                  "status_changed": _l("Cambio di stato"), "admitted_from_application": _l("Ammissione da domanda")}
FIELDS = {"name": _l("Denominazione"), "type": _l("Tipologia"), "tax_code": _l("Codice fiscale / Partita IVA"),
          "runts_section": _l("Sezione RUNTS"), "runts_number": _l("Numero RUNTS"),
          "seat_istat": _l("Comune sede (ISTAT)"), "areas": _l("Aree tematiche"), "status": _l("Stato")}
PEOPLE_ROLES = {"legal_representative": _l("Legale rappresentante"), "contact_person": _l("Referente")}
ACCESS_ACTIONS = {"read": _l("Lettura"), "create": _l("Inserimento"), "update": _l("Modifica"),
                  "erase": _l("Cancellazione")}

assert set(TYPES_IT) == set(STAKEHOLDER_TYPES) and set(RUNTS) == set(RUNTS_SECTIONS)
assert set(STATUS_IT) == set(STATUSES)

TYPE_OPTIONS = [(code, TYPES_IT[code]) for code in STAKEHOLDER_TYPES]
STATUS_OPTIONS = [(code, STATUS_IT[code]) for code in STATUSES]
RUNTS_OPTIONS = [(code, RUNTS[code]) for code in RUNTS_SECTIONS]


def label(names: dict, code) -> str:
    """The Italian name of a code; the code itself if it has none (never an empty cell)."""
    return names.get(code, code) if code is not None else ""
