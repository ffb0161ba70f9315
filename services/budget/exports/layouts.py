"""What each export is: its file name, its sheet, its columns (key, Italian header, width, kind). Pure data.

The key is the JSON field; the header is what the CSV and the XLSX show. Kinds: `text`, `money` (Decimal,
two places), `date`, `int`, `percent` (Decimal, two places, 0-100). Column by column, where the national
platform's layout is public, as docs/budget.md "Exports for the national platforms" says.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    kind: str = "text"


@dataclass(frozen=True)
class Layout:
    """An export: `stem` names the file, `sheet` the worksheet, `columns` in order; `label` is the column
    whose cell says "Totale" on the totals row."""
    stem: str
    sheet: str
    columns: tuple[Column, ...]
    label: str

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def money(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns if c.kind == "money")


C = Column
_LINE = (C("anno", "Anno", 8, "int"), C("fondo", "Fondo", 14),
         C("macro_livello_codice", "Macro-livello (codice)", 12),
         C("macro_livello", "Macro-livello / macro-attività", 40),
         C("area", "Area di intervento", 30), C("area_utenza", "Area di utenza", 22), C("leps", "LEPS", 30),
         C("voce_nomenclatore", "Voce del nomenclatore (codice)", 14),
         C("codice_intervento", "Codice intervento", 14), C("intervento", "Intervento", 44),
         C("tipologia", "Tipologia", 14))

SIOSS_PROGRAMMING = Layout("programmazione", "Programmazione", _LINE + (
    C("importo_programmato", "Importo programmato (euro)", 18, "money"),), label="intervento")

SIOSS_FLOWS = Layout("flussi-finanziari", "Flussi finanziari", (
    C("anno", "Anno", 8, "int"), C("fondo", "Fondo", 14),
    C("atti_assegnazione", "Atti di assegnazione (decreti di riparto)", 50),
    C("importo_assegnato", "Importo assegnato (euro)", 18, "money"),
    C("residui_precedenti", "Residui da annualità precedenti (euro)", 18, "money"),
    C("totale_disponibile", "Totale disponibile (euro)", 18, "money"),
    C("importo_programmato", "Importo programmato (euro)", 18, "money"),
    C("importo_impegnato", "Importo impegnato (euro)", 18, "money"),
    C("importo_liquidato", "Importo liquidato (euro)", 18, "money"),
    C("impegnato_da_liquidare", "Impegnato da liquidare (euro)", 18, "money"),
    C("non_impegnato", "Non impegnato (euro)", 18, "money"),
    C("residui_riportati", "Residui riportati all'anno successivo (euro)", 18, "money")), label="atti_assegnazione")

SIOSS_REPORTING = Layout("rendicontazione", "Rendicontazione", _LINE + (
    C("stato", "Stato dell'intervento", 14),
    C("importo_programmato", "Importo programmato (euro)", 18, "money"),
    C("importo_impegnato", "Importo impegnato (euro)", 18, "money"),
    C("importo_liquidato", "Importo liquidato / speso (euro)", 18, "money"),
    C("impegnato_da_liquidare", "Impegnato da liquidare (euro)", 18, "money"),
    C("utenti_serviti", "Utenti serviti", 12),
    C("indicatori_output", "Indicatori di output (ultimo trimestre dell'anno)", 40),
    C("atti_impegno", "Atti di impegno", 40)), label="intervento")

POVERTY_SUMMARY = Layout("fondo-poverta-riepilogo", "Riepilogo economico-finanziario", (
    C("quota", "Quota del Fondo Povertà", 34), C("fondo", "Codice fondo", 20), C("annualita", "Annualità", 10, "int"),
    C("risorse_assegnate", "Risorse assegnate (euro)", 18, "money"),
    C("residui_precedenti", "Residui da annualità precedenti (euro)", 18, "money"),
    C("totale_disponibile", "Totale risorse disponibili (euro)", 18, "money"),
    C("risorse_impegnate", "Risorse impegnate (euro)", 18, "money"),
    C("risorse_non_impegnate", "Risorse non ancora impegnate (euro)", 18, "money"),
    C("residui_riportati", "Residui riportati all'annualità successiva (euro)", 18, "money"),
    C("motivazione_non_impegnato", "Motivazione del mancato impegno", 30),
    C("data_prevista_impegno", "Data di previsione di impegno", 14, "date"),
    C("risorse_liquidate", "Somme liquidate (euro)", 18, "money"),
    C("impegnate_da_liquidare", "Impegnate da liquidare (euro)", 18, "money"),
    C("data_fine_spesa", "Data programmata di fine spesa", 14, "date"),
    C("data_riferimento", "Dati alla data del", 14, "date")), label="quota")

PNRR_CUP = Layout("pnrr-cup", "Avanzamento per CUP", (
    C("cup", "CUP", 18), C("misura", "Misura PNRR (investimento)", 44),
    C("codice_intervento", "Codice intervento", 14), C("titolo", "Titolo del progetto", 44),
    C("soggetto_gestore", "Soggetto gestore", 36),
    C("importo_finanziato", "Importo finanziato PNRR (euro)", 18, "money"),
    C("importo_impegnato", "Importo impegnato (euro)", 18, "money"),
    C("importo_liquidato", "Importo liquidato (euro)", 18, "money"),
    C("avanzamento_finanziario", "Avanzamento finanziario (% liquidato)", 14, "percent"),
    C("avanzamento_fisico", "Avanzamento fisico (%)", 12, "percent"),
    C("periodo_rilevazione", "Ultimo trimestre rilevato", 12), C("stato", "Stato", 14),
    C("avvio_previsto", "Data di avvio prevista", 14, "date"), C("avvio_effettivo", "Data di avvio effettiva", 14, "date"),
    C("conclusione_prevista", "Data di conclusione prevista", 14, "date"),
    C("conclusione_effettiva", "Data di conclusione effettiva", 14, "date"),
    C("indicatori_output", "Indicatori di output (ultimo trimestre)", 40), C("cig", "CIG", 24)), label="titolo")

SIOSS_SECTIONS = {"programmazione": SIOSS_PROGRAMMING, "flussi-finanziari": SIOSS_FLOWS,
                  "rendicontazione": SIOSS_REPORTING}
SIOSS_FUNDS = ("FNA", "FNPS", "DOPO-DI-NOI")     # the funds whose modules SIOSS has (manual v1.1, 2021)
POVERTY_FUNDS = ("FP-SERVIZI", "FP-POVERTA-ESTREMA")
