"""How to log in locally as each role after `make demo`: the development login of the service whose pages
the role works in, the role, Ambito and user name to pick there, and the page it lands on.

The development login (`/accesso/sviluppo`, PDZ_ENV=development only) is prefilled from the address
(`ruolo`, `ambito`, `soggetto`) and lands on `next` after "Entra". So each line says who it is and gives
the address that fills the form in: open it, press "Entra". The user names are the demo's own accounts, so each person finds their data: the
office that filed the demo's calls, a table's coordinator, a member organisation's representative.
One login serves every service (the session cookie is per host, and the local services share 127.0.0.1).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlencode

from shared.http.auth import AUDITOR, COORDINATOR, OPERATOR, REGIONAL_ADMIN, REGIONAL_REVIEWER, STAKEHOLDER
from shared.web.login import ROLE_NAMES   # the names the development login's "Ruolo" list shows


@dataclass(frozen=True)
class DemoLogin:
    """One way in: as `role` (of `tenant`; None for a regional role) named `subject`, on `service`'s pages."""

    role: str
    tenant: str | None
    subject: str
    service: str
    landing: str
    what: str

    def url(self, urls: Mapping[str, str]) -> str:
        """The service's development login, filled in for this login, landing on `landing` after "Entra"."""
        query = {"ruolo": self.role, **({"ambito": self.tenant} if self.tenant else {}), "soggetto": self.subject,
                 "next": self.landing}
        return f"{urls[self.service].rstrip('/')}/accesso/sviluppo?{urlencode(query, safe='/')}"


def demo_logins(*, ambiti: list[str], featured: str, region: str) -> list[DemoLogin]:
    """The office of each Ambito, and every other role at `featured` (the merged Ambito the demo fills most)."""
    office = [DemoLogin(OPERATOR, slug, f"ufficio-di-piano-{slug}", "registry", f"/{slug}/",
                        "avvisi, domande da esaminare, registro") for slug in ambiti]
    return office + [
        DemoLogin(COORDINATOR, featured, f"coord-{featured}-anziani", "consultation", f"/{featured}/tavoli",
                  "il suo tavolo, sessioni, presenze, verbali"),
        DemoLogin(STAKEHOLDER, featured, "rep-forum-terzo-settore", "consultation", f"/{featured}/tavoli",
                  "i tavoli del Forum del Terzo Settore, bisogni e proposte"),
        DemoLogin(AUDITOR, featured, f"revisore-{featured}", "registry", f"/{featured}/registro/",
                  "il registro dei soggetti, in sola lettura"),
        DemoLogin(REGIONAL_ADMIN, None, f"regione-{region}", "reporting", f"/regioni/{region}/",
                  "gli Ambiti della regione, il loro stato nel ciclo; ogni Ambito in sola lettura"),
        DemoLogin(REGIONAL_REVIEWER, None, f"revisione-piani-{region}", "budget", f"/{featured}/bilancio",
                  "i Piani inviati alla Regione da esaminare"),
    ]


def login_lines(logins: list[DemoLogin], *, urls: Mapping[str, str], names: Mapping[str, str]) -> list[str]:
    """What `pdz demo` prints: per login, who and what to pick, then the address to open."""
    lines = ["[pdz] accesso locale alle pagine (sviluppo): apri l'indirizzo (Ruolo, Ambito e Nome utente sono già "
             "scelti), premi «Entra» (un accesso vale per tutti i servizi; «Esci» per cambiare ruolo)"]
    for login in logins:
        ambito = f"Ambito «{names.get(login.tenant, login.tenant)}»" if login.tenant else "Ambito: nessuno (regionale)"
        lines.append(f"  {ROLE_NAMES[login.role]} · {ambito} · Nome utente «{login.subject}»: {login.what}")
        lines.append(f"      {login.url(urls)}")
    return lines
