"""FASE 2 in Lagonegrese-Pollino (seed 000), the demo's data: two thematic tables on the Basilicata areas with
the organisations of the merged Ambito's own register, their sessions, needs and proposals (continuity of the
services after the merger, comparing the two former Ambiti, socio-health integration), the round and the map
of services.

Every name, figure and person here is made up for the demo; the attendees are marked "(dimostrativo)".
"""
from __future__ import annotations

from shared.cli.demo_consultation_fasano import _need, _proposal

# The organisations the demo registers in lagonegrese-pollino itself (shared/cli/demo.py DEMO): only the
# Ambito's own register replica may sit at its tables.
ACCOUNTS = {
    "Comune di Viggianello (capofila)": "rep-comune-viggianello",
    "Azienda Sanitaria Locale di Potenza - Distretto di Lauria": "rep-asp-lauria",
    "CGIL Basilicata - Lega Lagonegrese": "rep-cgil-lagonegrese",
    "Forum del Terzo Settore Lagonegrese-Pollino": "rep-forum-terzo-settore",
    "Cooperativa Sociale Aurora": "rep-coop-aurora",
    "Fondazione di Comunità del Pollino": "rep-fondazione-pollino",
}
VIGGIANELLO, ASL, CGIL, FORUM, AURORA, FONDAZIONE = ACCOUNTS
COMUNI = {"Lauria": "076042", "Lagonegro": "076039", "Maratea": "076044", "Latronico": "076040",
          "Viggianello": "076097", "Rotonda": "076070", "Senise": "076085", "Chiaromonte": "076028",
          "San Severino Lucano": "076078"}
ANZIANI = "Tavolo tematico Persone anziane e non autosufficienza"
DISABILITA = "Tavolo tematico Disabilità"
TABLES = [
    ("thematic", ANZIANI,
     "Continuità degli interventi per le persone anziane in tutti i comuni dei due ex Ambiti Lagonegrese e "
     "Pollino: domiciliarità, integrazione socio-sanitaria, modalità di erogazione da rendere uniformi.",
     ["3", "6"], "open", "coord-lagonegrese-pollino-anziani", [VIGGIANELLO, ASL, CGIL, AURORA]),
    ("thematic", DISABILITA,
     "Servizi per le persone con disabilità e le loro famiglie: confronto tra i due ex Ambiti, trasporto, "
     "autonomia e presa in carico integrata.", ["5"], "open", "coord-lagonegrese-pollino-disabilita",
     [VIGGIANELLO, ASL, FORUM, AURORA, FONDAZIONE]),
]
PLACE = "Sala consiliare del Comune di Viggianello (luogo dimostrativo)"
EX_AMBITI = ["Lauria", "Lagonegro", "Viggianello", "Senise"]
WORK = {
    ANZIANI: {
        "days_ago": 30, "agenda": ["Servizi per gli anziani nei due ex Ambiti: confronto delle modalità",
                                   "Continuità degli interventi dopo l'accorpamento",
                                   "Integrazione con il distretto sanitario"],
        "attendees": [(VIGGIANELLO, "in_person"), (ASL, "remote"), (CGIL, "in_person"), (AURORA, "in_person")],
        "summary": "Il tavolo ha confrontato i servizi per gli anziani dei due ex Ambiti: l'assistenza "
                   "domiciliare ha regole, orari e tariffe diversi, il telesoccorso e il trasporto sociale non "
                   "coprono tutti i comuni, le dimissioni dall'ospedale non sono coordinate con i servizi sociali. "
                   "Obiettivo minimo condiviso: garantire la prosecuzione degli interventi in tutti i comuni.",
        "needs": [
            _need(VIGGIANELLO, "Assistenza domiciliare con le stesse regole in tutti i comuni dell'Ambito",
                  "Nei comuni dell'ex Ambito Pollino e dell'ex Lagonegrese l'assistenza domiciliare è erogata con "
                  "ore, criteri di accesso e tariffe diversi: a parità di bisogno, un anziano riceve servizi "
                  "diversi a seconda del comune.", "6", "anziani", EX_AMBITI,
                  "Confronto dei regolamenti dei due ex Ambiti."),
            _need(CGIL, "Continuità del telesoccorso e del trasporto sociale dopo l'accorpamento",
                  "I contratti dei due ex Ambiti scadono in date diverse: alcuni comuni rischiano di restare "
                  "senza telesoccorso e trasporto sociale.", "3", "anziani", ["Senise", "Rotonda", "Latronico"],
                  "Segnalazioni raccolte dalle leghe dei pensionati; da modulo cartaceo.", on_behalf=True),
            _need(ASL, "Dimissioni protette dall'ospedale con presa in carico sociale",
                  "Gli anziani dimessi tornano a casa senza che i servizi sociali del comune lo sappiano.",
                  "6", "anziani", [], "Dati aggregati del distretto sanitario."),
        ],
        "proposals": [
            _proposal(VIGGIANELLO, "Regolamento unico d'Ambito per l'assistenza domiciliare",
                      "Un regolamento unico per l'assistenza domiciliare sociale e integrata, con gli stessi criteri "
                      "di accesso, le stesse ore e le stesse tariffe in tutti i comuni, e una fase transitoria che "
                      "garantisca la prosecuzione degli interventi in essere.",
                      "Le stesse regole in tutti i comuni entro un anno, senza interruzioni dei servizi.",
                      ["Assistenza domiciliare con le stesse regole in tutti i comuni dell'Ambito",
                       "Continuità del telesoccorso e del trasporto sociale dopo l'accorpamento"],
                      [AURORA], "15000"),
            _proposal(ASL, "Punto di coordinamento socio-sanitario per le dimissioni protette",
                      "Un punto di coordinamento tra ospedale, distretto e servizi sociali dei comuni che segnala "
                      "ogni dimissione di un anziano fragile e attiva la presa in carico.",
                      "Ogni dimissione protetta segnalata al comune entro due giorni.",
                      ["Dimissioni protette dall'ospedale con presa in carico sociale"], [ASL, AURORA], "40000"),
        ],
    },
    DISABILITA: {
        "days_ago": 23, "agenda": ["Servizi per la disabilità nei due ex Ambiti", "Trasporto e centri diurni",
                                   "Percorsi di autonomia"],
        "attendees": [(VIGGIANELLO, "in_person"), (ASL, "in_person"), (FORUM, "in_person"), (AURORA, "remote"),
                      (FONDAZIONE, "in_person")],
        "summary": "Il tavolo ha rilevato che i comuni montani dell'ex Ambito Pollino non hanno trasporto verso "
                   "i centri diurni e che mancano percorsi di autonomia per i giovani adulti con disabilità.",
        "needs": [
            _need(FONDAZIONE, "Trasporto verso i centri diurni per le persone con disabilità dei comuni montani",
                  "Dai comuni montani del Pollino non c'è un trasporto verso i centri diurni di Lauria e Senise.",
                  "5", "disabilita", ["San Severino Lucano", "Viggianello", "Rotonda", "Chiaromonte"],
                  "Richieste delle famiglie alla Fondazione."),
            _need(FORUM, "Percorsi di autonomia per giovani adulti con disabilità",
                  "Le famiglie chiedono percorsi verso la vita autonoma per i figli adulti (\"dopo di noi\").",
                  "5", "disabilita", [], "Incontri del Forum con le associazioni delle famiglie."),
        ],
        "proposals": [
            _proposal(AURORA, "Trasporto sociale d'Ambito con prenotazione unica",
                      "Un servizio di trasporto con mezzi attrezzati e un numero unico di prenotazione per tutti i "
                      "comuni dell'Ambito.", "Ogni persona con disabilità raggiunge il centro diurno più vicino.",
                      ["Trasporto verso i centri diurni per le persone con disabilità dei comuni montani"],
                      [AURORA, FONDAZIONE], "36000"),
            _proposal(FONDAZIONE, "Laboratori di autonomia abitativa",
                      "Laboratori in un appartamento messo a disposizione dalla Fondazione, con educatori, per "
                      "sperimentare la vita autonoma a piccoli gruppi.",
                      "Dodici giovani adulti in percorsi di autonomia ogni anno.",
                      ["Percorsi di autonomia per giovani adulti con disabilità"], [FONDAZIONE], "58000"),
        ],
    },
}
ROUND = {
    "table": ANZIANI, "title": "Priorità delle proposte per le persone anziane",
    "description": "Ogni organizzazione del tavolo distribuisce 10 punti tra le proposte raccolte.",
    "ballots": {VIGGIANELLO: [6, 4], ASL: [3, 7], CGIL: [7, 3], AURORA: [6, 4]},
    "assessment": {"feasibility": "high",
                   "feasibility_note": "I regolamenti dei due ex Ambiti sono già stati confrontati al tavolo.",
                   "assessed_cost": "15000", "cost_note": "Coordinamento e formazione degli operatori."},
    "answer": "La proposta è accolta: è la prima per priorità al tavolo e garantisce la continuità degli "
              "interventi in tutti i comuni dei due ex Ambiti, obiettivo minimo del Piano.",
}
OFFERS = [
    {"by": AURORA, "name": "Centro diurno per anziani", "area": "3", "target_group": "anziani",
     "comuni": ["Lauria", "Lagonegro"], "capacity": {"amount": 25, "unit": "posti"},
     "opening_hours": [{"day_from": "lun", "day_to": "sab", "opens": "08:30", "closes": "17:30"}],
     "accredited": True, "accredited_by": "Regione Basilicata", "accredited_since": "2019-05-01",
     "description": "Attività di socializzazione, pasti e cura della persona."},
    {"by": ASL, "name": "Assistenza domiciliare integrata (ADI)", "area": "6", "target_group": "anziani",
     "comuni": list(COMUNI), "capacity": {"amount": 180, "unit": "utenti-anno"}, "opening_hours": [],
     "description": "Cure domiciliari con il servizio sociale dei comuni."},
    {"by": FONDAZIONE, "name": "Sportello sociale del Pollino", "area": "1", "target_group": "popolazione_generale",
     "comuni": ["Viggianello", "Rotonda", "San Severino Lucano"], "capacity": None,
     "opening_hours": [{"day_from": "mar", "opens": "09:00", "closes": "13:00"},
                       {"day_from": "gio", "opens": "09:00", "closes": "13:00"}],
     "description": "Informazione e orientamento sui servizi sociali dell'Ambito."},
]
AMBITO = {"accounts": ACCOUNTS, "tables": TABLES, "work": WORK, "round": ROUND, "offers": OFFERS,
          "comuni": COMUNI, "place": PLACE,
          "video_link": "https://videoconferenza.example.org/lagonegrese-pollino-tavoli"}
