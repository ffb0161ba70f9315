"""Records read from the database -> the exports' rows (dicts keyed by the layouts' column keys). Pure, no I/O.

Amounts stay Decimal (two places) all the way to the writers; every total is a Decimal sum of the rows it
totals, so it reconciles to the cent. Nothing here names a person: acts, organisations and figures only.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping

from services.budget.exports.layouts import Layout

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
KINDS = {"service": "Servizio", "transfer": "Trasferimento", "project": "Progetto"}
STATUSES = {"planned": "Programmato", "active": "In corso", "suspended": "Sospeso", "completed": "Concluso",
            "cancelled": "Annullato"}
# The L. 328/2000 target groups (the same codes as consultation's targets.py; copied, not imported).
TARGET_GROUPS = {"minori": "Minori", "giovani_famiglia": "Giovani e famiglia", "anziani": "Anziani",
                 "dipendenze": "Dipendenze", "salute_mentale": "Salute mentale", "disabilita": "Disabilità",
                 "immigrazione": "Immigrazione", "poverta_emarginazione": "Povertà ed emarginazione",
                 "popolazione_generale": "Popolazione generale"}
USERS_SERVED = "utenti serviti"


def macro_level(code: str, nomenclature: Mapping) -> tuple[str, str]:
    """The top group (macro-livello / macro-attività) a nomenclature code belongs to: (code, name)."""
    entry, seen = nomenclature.get(code), set()
    if entry is None:
        return code, ""
    while entry.parent and entry.parent in nomenclature and entry.code not in seen:
        seen.add(entry.code)
        entry = nomenclature[entry.parent]
    return entry.code, entry.name


def indicators(outputs: Mapping | None) -> str:
    """The output indicators as one cell: "ore erogate: 120; utenti serviti: 42" (by name)."""
    return "; ".join(f"{name}: {value}" for name, value in sorted((outputs or {}).items()))


def users_served(outputs: Mapping | None) -> str | None:
    """The figure of the indicator named "utenti serviti" (case and blanks ignored), if recorded."""
    for name, value in (outputs or {}).items():
        if " ".join(name.split()).casefold() == USERS_SERVED:
            return str(value)
    return None


def percentage(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole in percent, two places rounded half up; None when there is no whole."""
    return None if whole <= 0 else (part * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def _line(a: Mapping, *, nomenclature: Mapping, area_names: Mapping) -> dict:
    code, name = macro_level(a["nomenclature_code"], nomenclature)
    return {"anno": a["year"], "fondo": a["fund_code"], "macro_livello_codice": code, "macro_livello": name,
            "area": area_names.get(a["area"], a["area"]), "area_utenza": TARGET_GROUPS.get(a["target_group"],
                                                                                          a["target_group"]),
            "leps": "; ".join(a["leps"] or ()), "voce_nomenclatore": a["nomenclature_code"],
            "codice_intervento": a["code"], "intervento": a["title"], "tipologia": KINDS.get(a["kind"], a["kind"])}


def _order(row: dict):
    return row["anno"], row["macro_livello_codice"], row["area"], row["codice_intervento"]


def programming_rows(allocations: Iterable[Mapping], *, nomenclature: Mapping, area_names: Mapping) -> list[dict]:
    """SIOSS Programmazione: one row per allocation (fund x intervention x year), by macro-livello and area."""
    rows = [{**_line(a, nomenclature=nomenclature, area_names=area_names), "importo_programmato": a["amount"]}
            for a in allocations]
    return sorted(rows, key=_order)


def reporting_rows(allocations: Iterable[Mapping], *, acts: Mapping, progress: Mapping, nomenclature: Mapping,
                   area_names: Mapping) -> list[dict]:
    """SIOSS Rendicontazione: per allocation, programmed, committed, paid, users served and the acts.
    `acts`: allocation id -> act references; `progress`: (intervention id, year) -> latest record of the year."""
    rows = []
    for a in allocations:
        record = progress.get((a["intervention_id"], a["year"])) or {}
        rows.append({**_line(a, nomenclature=nomenclature, area_names=area_names),
                     "stato": STATUSES.get(a["status"], a["status"]), "importo_programmato": a["amount"],
                     "importo_impegnato": a["committed"], "importo_liquidato": a["paid"],
                     "impegnato_da_liquidare": a["committed"] - a["paid"],
                     "utenti_serviti": users_served(record.get("outputs")),
                     "indicatori_output": indicators(record.get("outputs")),
                     "atti_impegno": "; ".join(acts.get(a["id"], ()))})
    return sorted(rows, key=_order)


def _decree(d: Mapping) -> str:
    return f"{d['decree_reference']} del {d['decree_date']:%d/%m/%Y}"


def flow_rows(ledgers: Iterable[Mapping]) -> list[dict]:
    """SIOSS Flussi finanziari: per fund-year, what came in (assignments, residui) and what went out.
    disponibile = impegnato + non impegnato + residui riportati, exactly."""
    rows = []
    for fy in ledgers:
        available = fy["assigned"] + fy["residui_in"]
        rows.append({"anno": fy["year"], "fondo": fy["fund_code"],
                     "atti_assegnazione": "; ".join(_decree(d) for d in fy["decrees"]),
                     "importo_assegnato": fy["assigned"], "residui_precedenti": fy["residui_in"],
                     "totale_disponibile": available, "importo_programmato": fy["allocated"],
                     "importo_impegnato": fy["committed"], "importo_liquidato": fy["paid"],
                     "impegnato_da_liquidare": fy["committed"] - fy["paid"],
                     "non_impegnato": available - fy["committed"] - fy["carried"],
                     "residui_riportati": fy["carried"]})
    return sorted(rows, key=lambda r: (r["anno"], r["fondo"]))


def poverty_rows(ledgers: Iterable[Mapping], *, fund_names: Mapping, as_of: date) -> list[dict]:
    """Multifondo Riepilogo dati economico-finanziari: per quota and annualità, cumulative at `as_of`.
    The office's own fields (reason, planned dates) are left empty: this service does not hold them."""
    rows = []
    for fy in ledgers:
        available = fy["assigned"] + fy["residui_in"]
        rows.append({"quota": fund_names.get(fy["fund_code"], fy["fund_code"]), "fondo": fy["fund_code"],
                     "annualita": fy["year"], "risorse_assegnate": fy["assigned"],
                     "residui_precedenti": fy["residui_in"], "totale_disponibile": available,
                     "risorse_impegnate": fy["committed"],
                     "risorse_non_impegnate": available - fy["committed"] - fy["carried"],
                     "residui_riportati": fy["carried"], "motivazione_non_impegnato": None,
                     "data_prevista_impegno": None, "risorse_liquidate": fy["paid"],
                     "impegnate_da_liquidare": fy["committed"] - fy["paid"], "data_fine_spesa": None,
                     "data_riferimento": as_of})
    return sorted(rows, key=lambda r: (r["fondo"], r["annualita"]))


def pnrr_rows(projects: Iterable[Mapping], *, fund_names: Mapping) -> list[dict]:
    """ReGiS-like progress per CUP: one row per intervention financed by a PNRR line."""
    rows = []
    for p in projects:
        latest = p.get("progress") or {}
        rows.append({"cup": p["cup"], "misura": "; ".join(f"{f} – {fund_names.get(f, f)}" for f in p["funds"]),
                     "codice_intervento": p["code"], "titolo": p["title"], "soggetto_gestore": p["managing_body"],
                     "importo_finanziato": p["financed"], "importo_impegnato": p["committed"],
                     "importo_liquidato": p["paid"], "avanzamento_finanziario": percentage(p["paid"], p["financed"]),
                     "avanzamento_fisico": latest.get("percentage"),
                     "periodo_rilevazione": f"{latest['year']}-T{latest['quarter']}" if latest else None,
                     "stato": STATUSES.get(p["status"], p["status"]), "avvio_previsto": p["planned_start"],
                     "avvio_effettivo": p["actual_start"], "conclusione_prevista": p["planned_end"],
                     "conclusione_effettiva": p["actual_end"], "indicatori_output": indicators(latest.get("outputs")),
                     "cig": "; ".join(p["cigs"])})
    return sorted(rows, key=lambda r: (r["cup"] or "", r["codice_intervento"]))


def totals(layout: Layout, rows: list[dict]) -> dict:
    """The sum of every money column of the rows (Decimal, exact)."""
    return {key: sum((r[key] for r in rows), ZERO) for key in layout.money}


def totals_row(layout: Layout, rows: list[dict]) -> dict:
    """The last row of a file: "Totale" in the layout's label column, the money sums, nothing else."""
    return {**{c.key: None for c in layout.columns}, layout.label: "Totale", **totals(layout, rows)}
