"""Italian names of consultation's codes, as the pages show them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

TABLE_KIND = {"thematic": _l("Tavolo tematico"), "plenary": _l("Sessione plenaria"),
              "standing": _l("Tavolo permanente")}
TABLE_STATUS = {"active": _l("Attivo"), "closed": _l("Chiuso")}
MEMBERSHIP = {"closed": _l("Su invito dell'Ufficio di Piano"), "open": _l("Aperto: le organizzazioni chiedono di entrare")}
MEMBER_STATE = {"requested": _l("Richiesta di adesione"), "member": _l("Membro"), "suspended": _l("Sospeso"),
                "ended": _l("Cessato (recesso dal registro)"), "left": _l("Uscito"), "refused": _l("Richiesta respinta")}
SESSION_STATUS = {"scheduled": _l("Convocata"), "held": _l("Svolta"), "cancelled": _l("Annullata")}
MINUTES_STATUS = {"draft": _l("Bozza"), "approved": _l("Approvato")}
MODE = {"in_person": _l("in presenza"), "remote": _l("da remoto")}
NEED_STATUS = {"open": _l("Aperto"), "closed": _l("Chiuso")}
PROPOSAL_STATUS = {"submitted": _l("Presentata"), "under_evaluation": _l("In valutazione"),
                   "accepted": _l("Accolta"), "rejected": _l("Respinta"), "merged": _l("Unita a un'altra"),
                   "withdrawn": _l("Ritirata")}
ROUND_STATUS = {"open": _l("Aperto"), "closed": _l("Chiuso"), "cancelled": _l("Annullato")}
# Why an organisation was not invited (sessions/invitations.py, members/domain.py codes).
NOT_INVITED = {"not-a-member": _l("non è membro del tavolo"), "membership-ended": _l("la sua adesione è cessata"),
               "organisation-suspended": _l("è sospesa nel registro"),
               "organisation-withdrawn": _l("è uscita dal registro"),
               "unknown-organisation": _l("non è nel registro"),
               "shared-organisation": _l("appartiene al registro di un altro Ambito"),
               "organisation-revoked": _l("la sua iscrizione è stata revocata")}


def label(names: dict, code) -> str:
    """The Italian name of `code`, or the code itself if it has none."""
    return str(names.get(code, code or ""))
