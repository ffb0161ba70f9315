"""The default cronoprogramma (seed 001, "Il percorso"), instantiated for a year.

Months as the seed gives them: February–March the call, April–May the
tables, June–August evaluation, drafting and the agreement with the ASL,
August–September the regional review, October approval and signature.
Each entry has a key, so that a year's template is instantiated once.
"""
from __future__ import annotations

import calendar
from datetime import date

# key, phase, title, first month, last month
DEFAULT = (
    ("avviso", "fase_1",
     "Avvio del percorso: approvazione del piano di lavoro e pubblicazione dell'Avviso per manifestazioni"
     " d'interesse a partecipare alla progettazione partecipata", 2, 3),
    ("tavoli", "fase_2", "Realizzazione dei tavoli di lavoro tematici", 4, 5),
    ("valutazione", "fase_3",
     "Valutazione delle proposte, predisposizione del prospetto di sintesi e redazione del Piano", 6, 8),
    ("intesa_asl", "fase_3",
     "Definizione dell'intesa con l'azienda sanitaria sulla parte di integrazione socio-sanitaria", 6, 8),
    ("supervisione_regionale", "approvazione", "Supervisione e approvazione da parte della Regione", 8, 9),
    ("approvazione", "approvazione",
     "Approvazione del Piano Sociale di Zona e sottoscrizione dell'Accordo di programma", 10, 10),
)


def milestones_for(year: int) -> list[dict]:
    """The template's milestones for `year`: from the first day of the first month to the last of the last."""
    return [{"template_key": key, "phase": phase, "title": title, "plan_year": year,
             "planned_start": date(year, first, 1),
             "planned_end": date(year, last, calendar.monthrange(year, last)[1])}
            for key, phase, title, first, last in DEFAULT]
