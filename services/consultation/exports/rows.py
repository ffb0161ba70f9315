"""The exports' rows: records read from the database -> rows of Italian text and values. Pure, no I/O.

A row holds str, int, Decimal, datetime (aware: shown in Europe/Rome) or None; the writers (writers.py)
make every string safe and format the rest for CSV or XLSX. What no export carries: accounts (a token
subject may be a person's user name: `recorded_by`, `valuators`, `decided_by`), valuators' notes, and
the attendance register's names and roles (attendance is counted, never listed).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.consultation import targets
from services.consultation.exports import labels
from services.consultation.exports.labels import label

ROME = ZoneInfo("Europe/Rome")


@dataclass(frozen=True)
class Export:
    """What a file is: its name (stem), its sheet's title, its columns (header, width in characters)."""
    stem: str
    sheet: str
    columns: tuple[tuple[str, int], ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(header for header, _ in self.columns)


NEEDS = Export("bisogni", "Bisogni", (
    ("ID bisogno", 38), ("Data di registrazione", 18), ("Tavolo", 36), ("Sessione", 30), ("Data della sessione", 18),
    ("Organizzazione", 36), ("Registrato dall'ufficio per l'organizzazione", 14), ("Titolo", 40),
    ("Descrizione", 60), ("Area tematica", 30), ("Area di utenza", 24), ("Comuni", 36),
    ("Evidenze e fonti", 40), ("Stato", 10)))

PROPOSALS = Export("proposte", "Proposte", (
    ("ID proposta", 38), ("Data di presentazione", 18), ("Tavolo", 36), ("Organizzazione proponente", 36),
    ("Presentata dall'ufficio per l'organizzazione", 14), ("Titolo", 40), ("Descrizione", 60),
    ("Risultato atteso", 40), ("Bisogni a cui risponde", 50), ("Aree tematiche", 30), ("Aree di utenza", 30),
    ("Soggetti che potrebbero realizzarla", 40), ("Costo stimato (euro)", 16), ("Stato", 22),
    ("Risposta motivata", 60), ("Unita alla proposta (ID)", 38), ("Data della decisione", 18)))

RESULTS = Export("risultati-priorita", "Risultati della priorità", (
    ("Posizione", 10), ("ID proposta", 38), ("Proposta", 50), ("Organizzazione proponente", 36),
    ("Punti", 10), ("Organizzazioni che l'hanno votata", 16)))

ATTENDANCE = Export("presenze", "Presenze", (
    ("Tavolo", 36), ("Tipo di tavolo", 18), ("Sessione", 30), ("Data e ora", 18), ("Stato della sessione", 14),
    ("Tipologia di organizzazione", 28), ("Organizzazioni invitate", 14), ("Organizzazioni iscritte", 14),
    ("Posti prenotati", 12), ("Organizzazioni in lista d'attesa", 14), ("Organizzazioni presenti", 14),
    ("Partecipanti in presenza", 14), ("Partecipanti da remoto", 14)))

# The attendance counts, in the order of their columns (after the six that say which session and kind).
COUNTS = ("invited", "registered", "seats", "waiting", "present", "in_person", "remote")


def local(moment: datetime | None) -> datetime | None:
    """An instant as people in the Ambito read it (Europe/Rome)."""
    return None if moment is None else moment.astimezone(ROME)


def _join(values) -> str:
    return "; ".join(values)


def need_rows(records: list[dict], *, area_names: dict[str, str], comune_names: dict[str, str]) -> list[tuple]:
    """One row per need, in recording order; comuni by name (an empty list is the whole Ambito)."""
    return [(str(n["id"]), local(n["created_at"]), n["table_title"], n["session_title"] or "",
             local(n["session_starts_at"]), n["organisation_name"], labels.YES_NO[n["on_behalf"]], n["title"],
             n["description"], area_names.get(n["area"], n["area"]), label(targets.TARGET_GROUPS, n["target_group"]),
             _join(comune_names.get(c, c) for c in n["comuni"]) or "Tutto l'Ambito", n["evidence"],
             label(labels.NEED_STATUSES, n["status"]))
            for n in records]


def _unique(values) -> list:
    return list(dict.fromkeys(values))


def proposal_rows(records: list[dict], *, needs: dict, organisation_names: dict,
                  area_names: dict[str, str]) -> list[tuple]:
    """One row per proposal, in submission order: the needs it answers by title, their areas and target
    groups, the deliverers by name, the cost as a Decimal, the status and the reasoned answer."""
    rows = []
    for p in records:
        answered = [needs[n] for n in p["need_ids"] if n in needs]
        rows.append((
            str(p["id"]), local(p["created_at"]), p["table_title"], p["organisation_name"],
            labels.YES_NO[p["on_behalf"]], p["title"], p["description"], p["expected_outcome"],
            _join(n["title"] for n in answered),
            _join(area_names.get(a, a) for a in _unique(n["area"] for n in answered)),
            _join(label(targets.TARGET_GROUPS, t) for t in _unique(n["target_group"] for n in answered)),
            _join(organisation_names.get(d, str(d)) for d in p["deliverers"]),
            p["estimated_cost"], label(labels.PROPOSAL_STATUSES, p["status"]), p["answer"] or "",
            str(p["merged_into"]) if p["merged_into"] else "", local(p["decided_at"])))
    return rows


def result_rows(ranking: list[dict]) -> list[tuple]:
    """One row per proposal of a closed round, by rank (the stored results: the tie-break already applied)."""
    return [(r["rank"], str(r["proposal_id"]), r["title"], r["organisation_name"], r["points"], r["organisations"])
            for r in sorted(ranking, key=lambda r: r["rank"])]


def attendance_rows(sessions: list[dict], counts: list[dict]) -> list[tuple]:
    """One row per session and organisation type, counts only (sum a session's rows for its totals).

    `counts` holds, per session and organisation type, any of COUNTS; a type appears if it has any count.
    A session nobody was invited to, registered for or attended still has its row, type blank, zeros."""
    by_session = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(COUNTS, 0)))
    for c in counts:
        kind = by_session[c["session_id"]][c["organisation_type"]]
        for name in COUNTS:
            kind[name] += c.get(name, 0)
    rows = []
    for s in sessions:
        head = (s["table_title"], label(labels.TABLE_KINDS, s["table_kind"]), s["title"], local(s["starts_at"]),
                label(labels.SESSION_STATUSES, s["status"]))
        kinds = by_session.get(s["id"]) or {None: dict.fromkeys(COUNTS, 0)}
        # Types in the order users read them (their Italian label), the registry's order being no one's.
        for kind in sorted(kinds, key=lambda k: "" if k is None else label(labels.ORGANISATION_TYPES, k)):
            name = "" if kind is None else label(labels.ORGANISATION_TYPES, kind)
            rows.append((*head, name, *(kinds[kind][c] for c in COUNTS)))
    return rows
