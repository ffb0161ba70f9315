"""FASE 3 in Lagonegrese-Pollino (seed 000), the demo's data: the Piano 2024-2026 with its funds, interventions,
allocations, co-financing of the comuni, the approval path and some acts of expenditure.

Seed 000: the merged Ambito's first plan must above all "garantire la prosecuzione degli interventi in essere
in tutti i comuni dell'ambito", aligning the two former Ambiti's services: so the interventions are the
continuing ones (segretariato sociale, domiciliarità, povertà, disabilità) with a rule for the whole Ambito,
plus the PNRR 1.2 project. Every amount, act number and CUP here is made up for the demo (the decrees name
the real kind of act, with demonstrative numbers and dates: "estremi dimostrativi"); the fund codes are those
of deploy/local/budget-reference.yaml.
"""
from __future__ import annotations

TENANT = "lagonegrese-pollino"
FIRST_YEAR = 2024
TITLE = "Piano Intercomunale dei servizi sociali e sociosanitari 2024-2026 - Ambito Lagonegrese-Pollino"
YEARS = (2024, 2025, 2026)
DEMO = "estremi dimostrativi"

# fund -> year -> (amount, decree reference, decree date): the regional riparto of each national fund to the
# Ambito, and the PNRR 1.2 project's financing (715,000.00 euro over the three years, as every 1.2 project).
ASSIGNMENTS = {
    "FNPS": {y: (a, f"Decreto interministeriale di riparto del FNPS {y} e DGR Basilicata n. {n}/{y} di riparto "
                    f"agli Ambiti ({DEMO})", d)
             for y, a, n, d in ((2024, "380000.00", 811, "2024-10-18"), (2025, "385000.00", 642, "2025-09-26"),
                                (2026, "385000.00", 598, "2026-09-11"))},
    "FP-SERVIZI": {y: (a, f"Decreto di riparto del Fondo Povertà, quota servizi, annualità {y} e DGR Basilicata "
                          f"n. {n}/{y} ({DEMO})", d)
                   for y, a, n, d in ((2024, "640000.00", 902, "2024-11-22"), (2025, "650000.00", 714, "2025-10-17"),
                                      (2026, "650000.00", 655, "2026-10-02"))},
    "FNA": {y: (a, f"DPCM di riparto del Fondo per le non autosufficienze, annualità {y}, e DGR Basilicata "
                   f"n. {n}/{y} ({DEMO})", d)
            for y, a, n, d in ((2024, "720000.00", 877, "2024-11-08"), (2025, "735000.00", 689, "2025-10-10"),
                               (2026, "735000.00", 633, "2026-09-25"))},
    "PNRR-M5C2-1.2": {y: (a, f"PNRR M5C2 inv. 1.2, Avviso pubblico 1/2022: convenzione di finanziamento del "
                             f"progetto, quota {y} ({DEMO})", "2024-03-15")
                      for y, a in ((2024, "240000.00"), (2025, "240000.00"), (2026, "235000.00"))},
}

VIGGIANELLO, AURORA = "Comune di Viggianello (capofila)", "Cooperativa Sociale Aurora"
# code -> the intervention; `answers`: titles of the demo's accepted proposals it answers, where accepted;
# `allocations`: fund -> (2024, 2025, 2026); `cofinancing`: the comuni's total for each year.
INTERVENTIONS = {
    "A1.1": {
        "title": "Segretariato sociale e servizio sociale professionale in tutti i comuni dell'Ambito",
        "description": "Uno sportello di segretariato sociale e l'assistente sociale in ogni comune dei due ex "
                       "Ambiti, con la stessa carta dei servizi e gli stessi orari minimi: la porta di accesso "
                       "unica al sistema integrato.",
        "nomenclature_code": "1", "area": "1", "target_group": "popolazione_generale",
        "leps": ["servizio-sociale-professionale"], "kind": "service", "managing_body": VIGGIANELLO,
        "answers": [], "allocations": {"FNPS": ("150000.00", "150000.00", "150000.00")},
        "cofinancing": ("45000.00", "45000.00", "45000.00"),
    },
    "A6.1": {
        "title": "Assistenza domiciliare sociale con regolamento unico d'Ambito",
        "description": "Prosecuzione dell'assistenza domiciliare in essere nei comuni dei due ex Ambiti, con un "
                       "regolamento unico: stessi criteri di accesso, ore e compartecipazione in tutti i comuni.",
        "nomenclature_code": "2", "area": "6", "target_group": "anziani", "leps": [], "kind": "service",
        "managing_body": AURORA, "answers": ["Regolamento unico d'Ambito per l'assistenza domiciliare"],
        "allocations": {"FNA": ("420000.00", "430000.00", "430000.00"),
                        "FNPS": ("80000.00", "80000.00", "80000.00")},
        "cofinancing": ("60000.00", "60000.00", "60000.00"),
    },
    "A6.2": {
        "title": "Dimissioni protette: presa in carico sociale al rientro a domicilio",
        "description": "Un punto di coordinamento con il distretto sanitario segnala ogni dimissione di un anziano "
                       "fragile al servizio sociale del comune, che attiva l'assistenza a domicilio.",
        "nomenclature_code": "2", "area": "6", "target_group": "anziani", "leps": ["dimissioni-protette"],
        "kind": "service", "managing_body": VIGGIANELLO,
        "answers": ["Punto di coordinamento socio-sanitario per le dimissioni protette"],
        "allocations": {"FNA": ("150000.00", "155000.00", "155000.00")}, "cofinancing": None,
    },
    "A4.1": {
        "title": "Presa in carico dei nuclei beneficiari dell'Assegno di inclusione",
        "description": "Valutazione multidimensionale, patti per l'inclusione e sostegni ai nuclei in povertà "
                       "di tutti i comuni, con l'équipe multidisciplinare d'Ambito.",
        "nomenclature_code": "5", "area": "4", "target_group": "poverta_emarginazione",
        "leps": ["centro-servizi-poverta"], "kind": "service", "managing_body": VIGGIANELLO, "answers": [],
        "allocations": {"FP-SERVIZI": ("600000.00", "610000.00", "610000.00")}, "cofinancing": None,
    },
    "A5.1": {
        "title": "Trasporto sociale d'Ambito per le persone con disabilità",
        "description": "Trasporto con mezzi attrezzati verso i centri diurni di Lauria e Senise, con prenotazione "
                       "unica, anche dai comuni montani dell'ex Ambito Pollino.",
        "nomenclature_code": "2", "area": "5", "target_group": "disabilita", "leps": [], "kind": "service",
        "managing_body": AURORA, "answers": ["Trasporto sociale d'Ambito con prenotazione unica"],
        "allocations": {"FNPS": ("110000.00", "115000.00", "115000.00"),
                        "FNA": ("100000.00", "100000.00", "100000.00")}, "cofinancing": None,
    },
    "A5.2": {
        "title": "Percorsi di autonomia per persone con disabilità (PNRR M5C2 1.2)",
        "description": "Un appartamento adattato e domotico per la vita autonoma e percorsi di inserimento "
                       "lavorativo per giovani adulti con disabilità dell'Ambito.",
        "nomenclature_code": "4", "area": "5", "target_group": "disabilita", "leps": [], "kind": "project",
        "investment": True, "cup": "G61H22000140006", "managing_body": VIGGIANELLO,
        "answers": ["Laboratori di autonomia abitativa"],
        "allocations": {"PNRR-M5C2-1.2": ("240000.00", "240000.00", "235000.00")}, "cofinancing": None,
    },
}
# The approval path (docs/budget.md "The approval path"); the Region's reviewer accepts.
APPROVAL_ACT = "Delibera dell'Assemblea dei Sindaci n. 4 del 12/11/2024 (" + DEMO + ")"
SIGNED_ON = "2024-12-05"
SIGNATORIES = (VIGGIANELLO, "Azienda Sanitaria Locale di Potenza - Distretto di Lauria")

# Acts of expenditure: (intervention, fund, year, commitment amount, act date, determina, supplier or None,
# [(payment amount, act date, atto di liquidazione)]).
ACTS = [
    ("A1.1", "FNPS", 2024, "150000.00", "2024-12-16", "Determinazione n. 212 del 16/12/2024", None,
     [("112500.00", "2025-04-30", "Atto di liquidazione n. 88 del 30/04/2025")]),
    ("A6.1", "FNA", 2024, "420000.00", "2024-12-18", "Determinazione n. 219 del 18/12/2024", AURORA,
     [("210000.00", "2025-03-31", "Atto di liquidazione n. 61 del 31/03/2025"),
      ("105000.00", "2025-07-15", "Atto di liquidazione n. 140 del 15/07/2025")]),
    ("A6.1", "FNA", 2025, "300000.00", "2025-02-10", "Determinazione n. 31 del 10/02/2025", AURORA,
     [("120000.00", "2025-09-30", "Atto di liquidazione n. 201 del 30/09/2025")]),
    ("A4.1", "FP-SERVIZI", 2024, "450000.00", "2024-12-20", "Determinazione n. 224 del 20/12/2024", None,
     [("380000.00", "2025-06-30", "Atto di liquidazione n. 129 del 30/06/2025")]),
    ("A5.2", "PNRR-M5C2-1.2", 2024, "240000.00", "2024-12-20", "Determinazione n. 225 del 20/12/2024", None,
     [("96000.00", "2025-05-29", "Atto di liquidazione n. 112 del 29/05/2025")]),
]
