"""FASE 2 in Fasano (seed 002), the demo's data: three thematic tables on the Puglia areas, the plenary and the
two standing tables (tavoli permanenti), their sessions, needs, proposals, the round and the map of services.

Every name, figure and person here is made up for the demo; the attendees are marked "(dimostrativo)".
"""
from __future__ import annotations

ACCOUNTS = {
    "Comune di Fasano (capofila)": "rep-comune-fasano",
    "Comune di Cisternino": "rep-comune-cisternino",
    "Comune di Ostuni": "rep-comune-ostuni",
    "Consorzio CIISAF": "rep-ciisaf",
    "Caritas Cittadina Fasano ODV": "rep-caritas-fasano",
}
FASANO, CISTERNINO, OSTUNI, CIISAF, CARITAS = ACCOUNTS
COMUNI = {"Fasano": "074007", "Cisternino": "074005", "Ostuni": "074012"}
SOCIO_EDUCATIVA = "Tavolo tematico area socio-educativa"
WELFARE = "Tavolo tematico area assistenziale e welfare d'accesso"
SOCIO_SANITARIA = "Tavolo tematico area socio-sanitaria"
PLENARIA = "Sessione plenaria"
OVER_40 = "Tavolo permanente per la re-inclusione nel mondo del lavoro degli Over 40"
DIPENDENZE = "Tavolo permanente per l'analisi territoriale delle dipendenze patologiche"
# (kind, title, description, areas, membership, coordinator account, members)
TABLES = [
    ("thematic", SOCIO_EDUCATIVA, "Politiche familiari e tutela dei minori.", ["socio-educativa"], "open",
     "coord-ciisaf-socio-educativa", [FASANO, CISTERNINO, OSTUNI, CARITAS]),
    ("thematic", WELFARE,
     "Contrasto alla povertà con percorsi di inclusione attiva, promozione della cultura dell'accoglienza e "
     "potenziamento del welfare d'accesso.", ["assistenziale-welfare-accesso"], "open",
     "coord-ciisaf-welfare-accesso", [FASANO, CIISAF, CARITAS]),
    ("thematic", SOCIO_SANITARIA, "Presa in carico integrata delle disabilità e delle non autosufficienze.",
     ["socio-sanitaria"], "open", "coord-ciisaf-socio-sanitaria", [CIISAF, OSTUNI, CISTERNINO]),
    ("plenary", PLENARIA,
     "Illustrazione e condivisione dello schema del Piano Sociale di Zona 2022-2024 alla presenza di tutti gli "
     "attori sociali, pubblici e privati.", [], "closed", "coord-ciisaf-plenaria", list(ACCOUNTS)),
    ("standing", OVER_40, "Elaborazione di strategie di re-inclusione nel mondo del lavoro degli Over 40.",
     ["assistenziale-welfare-accesso"], "closed", "coord-ciisaf-over40", [FASANO, CIISAF, CARITAS]),
    ("standing", DIPENDENZE, "Analisi territoriale del fenomeno delle dipendenze patologiche.", ["socio-sanitaria"],
     "closed", "coord-ciisaf-dipendenze", [CIISAF, OSTUNI]),
]
PLACE = "Sala consiliare del Comune di Fasano, Piazza Ciaia (luogo dimostrativo)"


def _need(by, title, description, area, target_group, comuni, evidence, on_behalf=False) -> dict:
    return {"by": by, "title": title, "description": description, "area": area, "target_group": target_group,
            "comuni": comuni, "evidence": evidence, "on_behalf": on_behalf}


def _proposal(by, title, description, expected_outcome, needs, deliverers, cost) -> dict:
    return {"by": by, "title": title, "description": description, "expected_outcome": expected_outcome,
            "needs": needs, "deliverers": deliverers, "estimated_cost": cost}


# Per table: the session (days before today, agenda), who attended and how, the minutes' summary, needs, proposals.
WORK = {
    SOCIO_EDUCATIVA: {
        "days_ago": 40, "agenda": ["Presentazione del percorso di co-progettazione",
                                   "Politiche familiari e tutela dei minori: i bisogni del territorio",
                                   "Raccolta delle proposte"],
        "attendees": [(FASANO, "in_person"), (CISTERNINO, "in_person"), (OSTUNI, "remote"), (CARITAS, "in_person")],
        "summary": "Il tavolo ha condiviso la lettura dei bisogni educativi dei tre comuni: servizi pomeridiani "
                   "per i minori delle contrade, sostegno alla genitorialità nei primi anni di vita e contrasto "
                   "alla dispersione scolastica. Sono state raccolte due proposte da mettere in priorità.",
        "needs": [
            _need(FASANO, "Servizi educativi pomeridiani per i minori delle contrade",
                  "Nelle contrade e nei quartieri periferici mancano luoghi educativi pomeridiani: le famiglie "
                  "devono accompagnare i figli in centro, spesso senza mezzi.", "socio-educativa", "minori",
                  ["Fasano"], "Liste d'attesa dei centri diurni per minori e segnalazioni delle scuole."),
            _need(OSTUNI, "Sostegno alla genitorialità per famiglie con figli da 0 a 6 anni",
                  "Le famiglie giovani chiedono orientamento e accompagnamento nei primi anni di vita dei figli; "
                  "il servizio esiste solo a Fasano.", "socio-educativa", "giovani_famiglia",
                  ["Ostuni", "Cisternino"], "Richieste agli sportelli comunali e ai consultori."),
            _need(CARITAS, "Contrasto alla dispersione scolastica nella scuola secondaria di primo grado",
                  "Crescono le assenze prolungate e gli abbandoni tra i 12 e i 14 anni, soprattutto nelle famiglie "
                  "seguite dal servizio sociale.", "socio-educativa", "minori", [],
                  "Esperienza del doposcuola parrocchiale; dato raccolto da modulo cartaceo.", on_behalf=True),
        ],
        "proposals": [
            _proposal(FASANO, "Centri educativi diurni diffusi nelle contrade",
                      "Tre presidi educativi pomeridiani in locali comunali delle contrade, con educatori e "
                      "volontari, aperti quattro pomeriggi a settimana.",
                      "Almeno 60 minori seguiti ogni anno e meno abbandoni nella secondaria di primo grado.",
                      ["Servizi educativi pomeridiani per i minori delle contrade",
                       "Contrasto alla dispersione scolastica nella scuola secondaria di primo grado"],
                      [CARITAS], "85000"),
            _proposal(OSTUNI, "Centro per le famiglie d'Ambito con sportelli a Ostuni e Cisternino",
                      "Un centro per le famiglie unico per l'Ambito, con sportelli settimanali negli altri due "
                      "comuni: consulenza educativa, gruppi di genitori, mediazione familiare.",
                      "Un punto di riferimento per le famiglie in ogni comune dell'Ambito.",
                      ["Sostegno alla genitorialità per famiglie con figli da 0 a 6 anni"], [CIISAF], "62000"),
        ],
    },
    WELFARE: {
        "days_ago": 33, "agenda": ["Il welfare d'accesso nei tre comuni", "Inclusione attiva e povertà"],
        "attendees": [(FASANO, "in_person"), (CIISAF, "in_person"), (CARITAS, "remote")],
        "summary": "Il tavolo ha rilevato la frammentazione degli accessi ai servizi e la necessità di "
                   "accompagnare i beneficiari delle misure di sostegno al reddito verso l'inclusione attiva.",
        "needs": [
            _need(CIISAF, "Un punto unico di accesso ai servizi sociali con orari estesi",
                  "Gli sportelli dei tre comuni hanno orari e modulistica diversi; chi lavora non riesce ad "
                  "accedervi.", "assistenziale-welfare-accesso", "popolazione_generale", [],
                  "Registro degli accessi del segretariato sociale."),
            _need(CARITAS, "Accompagnamento all'inclusione attiva dei beneficiari delle misure di sostegno",
                  "Molte famiglie ricevono il sostegno economico senza un percorso di inclusione sociale e "
                  "lavorativa.", "assistenziale-welfare-accesso", "poverta_emarginazione",
                  ["Fasano", "Ostuni"], "Centro d'ascolto Caritas: famiglie seguite nell'ultimo anno."),
        ],
        "proposals": [
            _proposal(CIISAF, "Rete di sportelli di segretariato sociale con orari coordinati",
                      "Sportelli nei tre comuni con un'unica modulistica, orari pomeridiani a turno e "
                      "prenotazione telefonica unica.",
                      "Accesso ai servizi in ogni comune almeno un pomeriggio a settimana.",
                      ["Un punto unico di accesso ai servizi sociali con orari estesi",
                       "Accompagnamento all'inclusione attiva dei beneficiari delle misure di sostegno"],
                      [CARITAS], "48000"),
        ],
    },
    SOCIO_SANITARIA: {
        "days_ago": 26, "agenda": ["Presa in carico integrata delle disabilità",
                                   "Non autosufficienza e domiciliarità"],
        "attendees": [(CIISAF, "in_person"), (OSTUNI, "in_person"), (CISTERNINO, "remote")],
        "summary": "Il tavolo ha condiviso la necessità di una valutazione multidimensionale unica tra servizi "
                   "sociali e distretto sanitario per le persone con disabilità e gli anziani non autosufficienti.",
        "needs": [
            _need(OSTUNI, "Presa in carico integrata delle persone con disabilità grave dopo la scuola",
                  "Finito il percorso scolastico, i giovani con disabilità grave restano senza servizi diurni.",
                  "socio-sanitaria", "disabilita", ["Ostuni"], "Segnalazioni delle famiglie e delle scuole."),
            _need(CISTERNINO, "Assistenza domiciliare integrata per anziani non autosufficienti nelle contrade",
                  "Gli anziani soli delle contrade aspettano mesi per l'assistenza domiciliare integrata.",
                  "socio-sanitaria", "anziani", ["Cisternino"], "Liste d'attesa del servizio di assistenza "
                  "domiciliare."),
        ],
        "proposals": [
            _proposal(CIISAF, "Équipe integrata sociale e sanitaria per la valutazione multidimensionale",
                      "Un'unità di valutazione multidimensionale con assistenti sociali dell'Ambito e personale "
                      "del distretto, che si riunisce ogni settimana a rotazione nei tre comuni.",
                      "Tempi di presa in carico dimezzati e un progetto personalizzato per ogni persona valutata.",
                      ["Presa in carico integrata delle persone con disabilità grave dopo la scuola",
                       "Assistenza domiciliare integrata per anziani non autosufficienti nelle contrade"],
                      [], "120000"),
        ],
    },
    PLENARIA: {
        "days_ago": 47, "agenda": ["Illustrazione dello schema del Piano Sociale di Zona 2022-2024",
                                   "Presentazione dei tavoli tematici e dei tavoli permanenti"],
        "attendees": [(FASANO, "in_person"), (CISTERNINO, "in_person"), (OSTUNI, "in_person"),
                      (CIISAF, "in_person"), (CARITAS, "remote")],
        "summary": "La sessione plenaria ha illustrato lo schema del Piano e il calendario dei tavoli; i "
                   "bisogni e le proposte si raccolgono nei tavoli tematici e permanenti.",
        "needs": [], "proposals": [],
    },
    OVER_40: {
        "days_ago": 19, "agenda": ["Disoccupazione di lunga durata over 40: i dati del territorio",
                                   "Strategie di re-inclusione lavorativa"],
        "attendees": [(FASANO, "in_person"), (CIISAF, "in_person"), (CARITAS, "in_person")],
        "summary": "Il tavolo permanente ha esaminato la disoccupazione di lunga durata degli over 40 e ha "
                   "proposto tirocini di inclusione con le imprese del territorio.",
        "needs": [
            _need(FASANO, "Reinserimento lavorativo dei disoccupati over 40 di lunga durata",
                  "Gli over 40 fuori dal lavoro da più di due anni non trovano percorsi adatti alla loro età.",
                  "assistenziale-welfare-accesso", "poverta_emarginazione", [],
                  "Dati del centro per l'impiego (aggregati)."),
            _need(CARITAS, "Competenze digitali per adulti in cerca di lavoro",
                  "Le candidature si fanno ormai solo in rete: molti adulti non sanno usare i servizi digitali.",
                  "assistenziale-welfare-accesso", "poverta_emarginazione", ["Fasano"],
                  "Richieste di aiuto al centro d'ascolto."),
        ],
        "proposals": [
            _proposal(CIISAF, "Tirocini di inclusione per over 40 con le imprese del territorio",
                      "Tirocini di sei mesi con indennità, tutoraggio e un modulo di competenze digitali.",
                      "Venti tirocini l'anno, metà trasformati in contratti.",
                      ["Reinserimento lavorativo dei disoccupati over 40 di lunga durata",
                       "Competenze digitali per adulti in cerca di lavoro"], [CARITAS], "54000"),
        ],
    },
    DIPENDENZE: {
        "days_ago": 12, "agenda": ["Il fenomeno delle dipendenze patologiche nell'Ambito",
                                   "Un osservatorio territoriale"],
        "attendees": [(CIISAF, "in_person"), (OSTUNI, "remote")],
        "summary": "Il tavolo permanente ha proposto di raccogliere in modo stabile i dati sulle dipendenze "
                   "patologiche e sul gioco d'azzardo, con il servizio per le dipendenze.",
        "needs": [
            _need(OSTUNI, "Conoscere il consumo di sostanze e il gioco d'azzardo tra i giovani",
                  "Mancano dati territoriali sulle dipendenze dei giovani, anche nei mesi estivi.",
                  "socio-sanitaria", "dipendenze", ["Ostuni"], "Segnalazioni delle scuole e dei servizi."),
            _need(CIISAF, "Presidio di prossimità per persone con dipendenze nei mesi estivi",
                  "D'estate la popolazione cresce e i servizi di prossimità non bastano.", "socio-sanitaria",
                  "dipendenze", [], "Relazioni annuali dei servizi."),
        ],
        "proposals": [
            _proposal(CIISAF, "Osservatorio territoriale sulle dipendenze patologiche",
                      "Un osservatorio con il servizio per le dipendenze, le scuole e le associazioni che raccoglie "
                      "e pubblica ogni anno i dati del territorio.",
                      "Un rapporto annuale sulle dipendenze nell'Ambito.",
                      ["Conoscere il consumo di sostanze e il gioco d'azzardo tra i giovani",
                       "Presidio di prossimità per persone con dipendenze nei mesi estivi"], [], "30000"),
        ],
    },
}
# The round on the socio-educativa table: every member votes 10 points; the first is accepted.
ROUND = {
    "table": SOCIO_EDUCATIVA, "title": "Priorità delle proposte dell'area socio-educativa",
    "description": "Ogni organizzazione del tavolo distribuisce 10 punti tra le proposte raccolte.",
    "ballots": {FASANO: [7, 3], CISTERNINO: [4, 6], OSTUNI: [5, 5], CARITAS: [8, 2]},
    "assessment": {"feasibility": "high",
                   "feasibility_note": "Locali comunali disponibili in due contrade su tre; educatori "
                                       "reperibili con la coprogettazione.",
                   "assessed_cost": "80000",
                   "cost_note": "Costo ridotto usando locali comunali senza canone."},
    "answer": "La proposta è accolta: è la prima per priorità al tavolo e risponde a due bisogni raccolti. "
              "Sarà inserita nel Piano con il costo valutato dall'Ufficio di Piano.",
}
OFFERS = [
    {"by": CARITAS, "name": "Centro diurno socio-educativo per minori", "area": "socio-educativa",
     "target_group": "minori", "comuni": ["Fasano"], "capacity": {"amount": 30, "unit": "posti"},
     "opening_hours": [{"day_from": "lun", "day_to": "ven", "opens": "15:00", "closes": "19:00"}],
     "description": "Attività educative e di sostegno scolastico il pomeriggio."},
    {"by": CIISAF, "name": "Segretariato sociale - Porta unica di accesso", "area": "assistenziale-welfare-accesso",
     "target_group": "popolazione_generale", "comuni": ["Fasano", "Cisternino", "Ostuni"], "capacity": None,
     "opening_hours": [{"day_from": "lun", "day_to": "ven", "opens": "09:00", "closes": "12:30"},
                       {"day_from": "gio", "opens": "15:30", "closes": "17:30"}],
     "opening_notes": "Il giovedì pomeriggio su appuntamento.", "accredited": False,
     "description": "Informazione, orientamento e accesso ai servizi sociali dell'Ambito."},
    {"by": CARITAS, "name": "Emporio solidale", "area": "assistenziale-welfare-accesso",
     "target_group": "poverta_emarginazione", "comuni": ["Fasano"], "capacity": {"amount": 120, "unit": "nuclei-anno"},
     "opening_hours": [{"day_from": "mar", "opens": "09:00", "closes": "12:00"},
                       {"day_from": "ven", "opens": "16:00", "closes": "19:00"}],
     "description": "Beni di prima necessità per le famiglie seguite dal centro d'ascolto."},
]
AMBITO = {"accounts": ACCOUNTS, "tables": TABLES, "work": WORK, "round": ROUND, "offers": OFFERS,
          "comuni": COMUNI, "place": PLACE, "video_link": "https://videoconferenza.example.org/ciisaf-tavoli"}
