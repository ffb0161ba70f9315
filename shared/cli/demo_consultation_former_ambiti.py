"""FASE 2 in the former Ambiti Lagonegrese and Pollino (seed 000), the demo's data: before the merger each held
its own thematic table, with the organisations of its own register, its needs and a proposal. They share every
non-personal data set with Lagonegrese-Pollino (deploy/local/tenants.yaml `merged_from`), so the merged
Ambito's lists show them marked by origin (shared/cli/demo_merged.py checks it).

Every name and figure here is made up for the demo (seed 000: the two territories differ in organisation, ways
and times of delivering services, and socio-health integration).
"""
from __future__ import annotations

from shared.cli.demo_consultation_fasano import _need, _proposal

# Organisations the demo registers or admits in each former Ambito (shared/cli/demo.py DEMO, APPLICATIONS).
LAGONEGRESE_ACCOUNTS = {
    "Comune di Lauria": "rep-comune-lauria",
    "Comune di Maratea": "rep-comune-maratea",
    "Associazione Volontari Lagonegresi ODV": "rep-avl-lagonegrese",
    "Cooperativa Sociale Il Sentiero": "rep-coop-sentiero",
}
LAURIA, MARATEA, AVL, SENTIERO = LAGONEGRESE_ACCOUNTS
POLLINO_ACCOUNTS = {
    "Comune di Senise": "rep-comune-senise",
    "Comune di Rotonda": "rep-comune-rotonda",
    "APS Pollino Solidale": "rep-aps-pollino",
    "Cooperativa Sociale Valle del Sinni": "rep-coop-valle-sinni",
    "Istituto Comprensivo di Rotonda": "rep-ic-rotonda",
}
SENISE, ROTONDA, APS_POLLINO, VALLE_SINNI, IC_ROTONDA = POLLINO_ACCOUNTS
COMUNI = {"Lauria": "076042", "Lagonegro": "076039", "Maratea": "076044", "Latronico": "076040",
          "Viggianello": "076097", "Rotonda": "076070", "Senise": "076085", "Chiaromonte": "076028",
          "San Severino Lucano": "076078"}

DOMICILIARITA = "Tavolo tematico Anziani e domiciliarità del Lagonegrese"
FAMIGLIE = "Tavolo tematico Famiglie, minori e povertà del Pollino"

LAGONEGRESE = {
    "accounts": LAGONEGRESE_ACCOUNTS, "comuni": COMUNI,
    # (kind, title, description, areas, membership, coordinator account, members)
    "tables": [("thematic", DOMICILIARITA,
                "Assistenza domiciliare e trasporto sociale per le persone anziane dei comuni del Lagonegrese.",
                ["3", "6"], "closed", "coord-lagonegrese-anziani", [LAURIA, MARATEA, AVL, SENTIERO])],
    "work": {DOMICILIARITA: {
        "needs": [
            _need(LAURIA, "Più ore di assistenza domiciliare per gli anziani soli delle frazioni",
                  "Le ore di assistenza domiciliare non bastano per gli anziani soli delle frazioni di Lauria e "
                  "Latronico: le liste d'attesa durano mesi.", "6", "anziani", ["Lauria", "Latronico"],
                  "Liste d'attesa del servizio sociale comunale."),
            _need(AVL, "Trasporto verso l'ospedale e il poliambulatorio di Lagonegro",
                  "Gli anziani senza auto di Maratea e dei comuni vicini non raggiungono le visite a Lagonegro.",
                  "3", "anziani", ["Maratea", "Lagonegro"], "Richieste di accompagnamento ai volontari."),
            _need(SENTIERO, "Sollievo per le famiglie che assistono un anziano non autosufficiente",
                  "Chi assiste a casa un anziano non autosufficiente non ha mai una pausa.", "6", "anziani", [],
                  "Colloqui con le famiglie seguite dalla cooperativa."),
        ],
        "proposals": [
            _proposal(SENTIERO, "Trasporto sociale a chiamata per le visite sanitarie",
                      "Un mezzo attrezzato e volontari formati accompagnano gli anziani alle visite, su prenotazione.",
                      "Nessuna visita persa per mancanza di trasporto.",
                      ["Trasporto verso l'ospedale e il poliambulatorio di Lagonegro"], [SENTIERO, AVL], "24000"),
        ],
    }},
}
POLLINO = {
    "accounts": POLLINO_ACCOUNTS, "comuni": COMUNI,
    "tables": [("thematic", FAMIGLIE,
                "Sostegno alle famiglie, ai minori e a chi è in difficoltà economica nei comuni del Pollino.",
                ["2", "4"], "closed", "coord-pollino-famiglie",
                [SENISE, ROTONDA, APS_POLLINO, VALLE_SINNI, IC_ROTONDA])],
    "work": {FAMIGLIE: {
        "needs": [
            _need(APS_POLLINO, "Uno sportello sociale nei comuni montani",
                  "A Rotonda e San Severino Lucano non c'è uno sportello sociale: le famiglie in difficoltà "
                  "devono andare a Senise.", "4", "poverta_emarginazione", ["Rotonda", "San Severino Lucano"],
                  "Richieste raccolte dall'associazione."),
            _need(IC_ROTONDA, "Doposcuola per i ragazzi delle frazioni",
                  "I ragazzi delle frazioni tornano a casa con l'ultimo scuolabus e non hanno un doposcuola.",
                  "2", "minori", ["Rotonda", "Viggianello"], "Segnalazioni dei docenti."),
        ],
        "proposals": [
            _proposal(VALLE_SINNI, "Sportello sociale itinerante del Pollino",
                      "Un'assistente sociale e un operatore della cooperativa, un giorno a settimana in ogni comune "
                      "montano.", "Ogni famiglia trova lo sportello nel proprio comune.",
                      ["Uno sportello sociale nei comuni montani"], [VALLE_SINNI, APS_POLLINO], "18000"),
        ],
    }},
}
