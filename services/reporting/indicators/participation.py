"""Participation in the consultation tables (issue 11): organisations invited, registered and present.

Flows over the sessions held in the period (status `held`, start inside [Period.start, Period.end)),
per table and per kind of organisation. An organisation counts once per session in each figure:
invited (in the session's invitations), registered (a registration in force: not waiting, not
cancelled), present (at least one entry in the attendance register). The kind is the stakeholder's
type in the register (stakeholder_facts, any Ambito: a merged Ambito's tables seat its former
territories' organisations), else the type the attendance event gave, else `non_noto`.
Read from migration 006 (consultation_*_facts) and stakeholder_facts; tracers give the sessions counted,
each with its part of the figure, ordered by tenant and session id (cursor `<tenant>/<session id>`).
"""
from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import psycopg
from psycopg.rows import tuple_row

from services.reporting.indicators.model import Definition, Figure, Period, Source, register

SERVICE = "consultation"
SESSION_EVENTS = tuple(f"it.pdz.consultation.session.{verb}.v1" for verb in ("scheduled", "updated", "held",
                                                                            "cancelled", "invited"))
REGISTRATION_EVENTS = tuple(f"it.pdz.consultation.registration.{verb}.v1"
                            for verb in ("registered", "waitlisted", "promoted", "cancelled"))
ATTENDANCE = "it.pdz.consultation.attendance.recorded.v1"
STAKEHOLDER_EVENTS = ("it.pdz.registry.stakeholder.registered.v1", "it.pdz.registry.stakeholder.updated.v1")
DIMENSIONS = ("table_id", "organisation_type")
UNKNOWN_TYPE = "non_noto"
HUNDRED, CENT = Decimal(100), Decimal("0.01")

_PAIRS = """
WITH held AS (
    SELECT tenant, session_id, table_id FROM consultation_session_facts
    WHERE tenant = ANY(%(tenants)s) AND status = 'held' AND starts_at >= %(start)s AND starts_at < %(end)s),
pairs AS (
    SELECT h.tenant, h.session_id, h.table_id, i.organisation_id, 'invited' AS what
    FROM held h JOIN consultation_invitation_facts i ON i.tenant = h.tenant AND i.session_id = h.session_id
    UNION
    SELECT h.tenant, h.session_id, h.table_id, r.organisation_id, 'registered'
    FROM held h JOIN consultation_registration_facts r ON r.tenant = h.tenant AND r.session_id = h.session_id
    WHERE r.status = 'registered'
    UNION
    SELECT h.tenant, h.session_id, h.table_id, a.organisation_id, 'present'
    FROM held h JOIN consultation_attendance_facts a ON a.tenant = h.tenant AND a.session_id = h.session_id),
attended AS (  -- the type an attendance event gave, for organisations the register does not know
    SELECT DISTINCT ON (tenant, organisation_id) tenant, organisation_id, organisation_type
    FROM consultation_attendance_facts WHERE tenant = ANY(%(tenants)s)
    ORDER BY tenant, organisation_id, version DESC, attendance_id)
SELECT p.tenant, p.session_id::text, p.table_id::text, p.organisation_id, p.what,
       COALESCE(s.type, NULLIF(a.organisation_type, ''), %(unknown)s)
FROM pairs p
LEFT JOIN LATERAL (SELECT sf.type FROM stakeholder_facts sf WHERE sf.stakeholder_id = p.organisation_id
                   ORDER BY (sf.tenant = p.tenant) DESC, sf.tenant LIMIT 1) s ON true
LEFT JOIN attended a ON a.tenant = p.tenant AND a.organisation_id = p.organisation_id
"""


def _sessions(conn: psycopg.Connection, tenants: list[str], period: Period) -> dict:
    """(table_id, organisation type) -> (tenant, session_id) -> {what: set of organisations}."""
    with conn.cursor(row_factory=tuple_row) as cur:
        rows = cur.execute(_PAIRS, {"tenants": tenants, "start": period.start, "end": period.end,
                                    "unknown": UNKNOWN_TYPE}).fetchall()
    found: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    for tenant, session_id, table_id, organisation, what, type_ in rows:
        found[(table_id, type_)][(tenant, session_id)][what].add(organisation)
    return found


def _count(sets: dict, what: str) -> int:
    if what == "present_invited":
        return len(sets["present"] & sets["invited"])
    return len(sets[what])


def _counts(found: dict, key: tuple, what: str) -> int:
    return sum(_count(sets, what) for sets in found[key].values())


def _rate(found: dict, key: tuple) -> Decimal | None:
    """Invited organisations present over invited organisations, in percent (None when nobody was invited)."""
    invited = _counts(found, key, "invited")
    if not invited:
        return None
    return (Decimal(_counts(found, key, "present_invited")) * HUNDRED / invited).quantize(CENT, ROUND_HALF_UP)


def _provider(code: str, what: str):
    def provide(conn: psycopg.Connection, *, tenants: list[str], period: Period) -> list[Figure]:
        """The figure of every table and kind of organisation met in the period's held sessions (0 included)."""
        found = _sessions(conn, tenants, period)
        figures = []
        for key in sorted(found):
            value = _rate(found, key) if what == "rate" else Decimal(_counts(found, key, what))
            if value is not None:
                figures.append(Figure(code, period, value, dict(zip(DIMENSIONS, key))))
        return figures
    provide.__name__ = code
    return provide


def _tracer(what: str):
    def trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
              after: str | None, limit: int) -> tuple[list[Source], str | None]:
        """The held sessions of the figure's table and kind, each with the organisations it counted there."""
        found = _sessions(conn, tenants, period)
        key = (str(dimension.get("table_id")), str(dimension.get("organisation_type")))
        counted = "invited" if what == "rate" else what  # a rate's records: the sessions of its denominator
        sessions = sorted((tenant, session_id, _count(sets, counted))
                          for (tenant, session_id), sets in found.get(key, {}).items() if _count(sets, counted))
        if after is not None:
            tenant, slash, record = after.partition("/")
            if not slash or not tenant or not record:
                raise ValueError(f"cursor {after!r} is not <tenant>/<session id>")
            sessions = [s for s in sessions if (s[0], s[1]) > (tenant, record)]
        page = sessions[:limit]
        sources = [Source(SERVICE, "session", session_id, tenant, Decimal(n)) for tenant, session_id, n in page]
        return sources, (f"{page[-1][0]}/{page[-1][1]}" if len(sessions) > limit and page else None)
    return trace


SOURCES = SESSION_EVENTS + REGISTRATION_EVENTS + (ATTENDANCE,) + STAKEHOLDER_EVENTS
HELD = ("sessioni tenute nel periodo (stato held, inizio nel periodo), per tavolo e tipo di organizzazione"
        " (tipo del registro; se assente quello della presenza; altrimenti non_noto)")
INDICATORS = (
    ("partecipazione_organizzazioni_invitate", "Organizzazioni invitate alle sessioni dei tavoli", "numero",
     f"Somma, sulle {HELD}, delle organizzazioni invitate alla sessione.", "invited"),
    ("partecipazione_organizzazioni_iscritte", "Organizzazioni iscritte alle sessioni dei tavoli", "numero",
     f"Somma, sulle {HELD}, delle organizzazioni con un'iscrizione confermata (non in attesa, non annullata).",
     "registered"),
    ("partecipazione_organizzazioni_presenti", "Organizzazioni presenti alle sessioni dei tavoli", "numero",
     f"Somma, sulle {HELD}, delle organizzazioni con almeno una presenza nel registro (senza nomi).",
     "present"),
    ("partecipazione_tasso_presenza", "Tasso di presenza delle organizzazioni invitate", "percentuale",
     f"Organizzazioni invitate e presenti diviso organizzazioni invitate, × 100 (due decimali), sulle {HELD};"
     " nessuna cifra se nessuna organizzazione è stata invitata.", "rate"),
)

for _code, _name, _unit, _formula, _what in INDICATORS:
    register(Definition(code=_code, name=_name, unit=_unit, kind="flow", formula=_formula,
                        source_events=SOURCES, dimensions=DIMENSIONS),
             provider=_provider(_code, _what), tracer=_tracer(_what))
