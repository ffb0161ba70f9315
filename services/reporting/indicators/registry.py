"""The registry's indicators (issue 11): population, stakeholders by type and RUNTS section, calls, applications.

Read from the registry's read models (migrations 003 and 005). Stocks are taken at the period's end
(its exclusive bound, Period.end); flows count what happened inside [Period.start, Period.end).
Tracers give the records a figure counts, ordered by tenant and id; the cursor is `<tenant>/<id>` of the
last record given (`<istat code>` for abitanti).
"""
from __future__ import annotations

from decimal import Decimal

import psycopg
from psycopg.rows import tuple_row

from services.reporting.indicators.model import Definition, Figure, Period, Source, register
from services.reporting.indicators.population import comuni_at

SERVICE = "registry"
PROFILE = "it.pdz.registry.profile.updated.v1"
STAKEHOLDER_EVENTS = ("it.pdz.registry.stakeholder.registered.v1", "it.pdz.registry.stakeholder.updated.v1")
CALL_EVENTS = tuple(f"it.pdz.registry.call.{verb}.v1" for verb in ("drafted", "updated", "published", "closed"))
APPLICATION_EVENTS = ("it.pdz.registry.application.submitted.v1", "it.pdz.registry.application.admitted.v1",
                      "it.pdz.registry.application.rejected.v1")
# The catalogue's enums (events/it.pdz.registry.stakeholder.registered.v1): every one gets a figure, 0
# included, so a count falling to 0 is a figure that changed, not one that vanished. A type the
# catalogue adds later is counted as soon as it appears.
STAKEHOLDER_TYPES = ("public_body", "comune", "health_authority", "school", "ets", "social_cooperative",
                     "enterprise", "trade_union", "representative_body", "other")
RUNTS_SECTIONS = ("a", "b", "c", "d", "e", "f", "g")
APPLICATION_STATUSES = ("submitted", "admitted", "rejected")
ONE = Decimal(1)


def _rows(conn: psycopg.Connection, query: str, params: dict) -> list[tuple]:
    with conn.cursor(row_factory=tuple_row) as cur:  # whatever the connection's own row factory
        return cur.execute(query, params).fetchall()


def _cursor(after: str | None) -> tuple[str, str]:
    """`<tenant>/<id>` -> (tenant, id); no cursor: before every record."""
    if after is None:
        return ("", "")
    tenant, slash, record = after.partition("/")
    if not slash or not tenant or not record:
        raise ValueError(f"cursor {after!r} is not <tenant>/<id>")
    return (tenant, record)


def _page(rows: list[tuple], limit: int, record: str) -> tuple[list[Source], str | None]:
    """Sources of (tenant, id) rows fetched with limit + 1; the cursor if more follow."""
    page = rows[:limit]
    sources = [Source(service=SERVICE, record=record, id=str(rid), tenant=tenant, value=ONE) for tenant, rid in page]
    return sources, (f"{page[-1][0]}/{page[-1][1]}" if len(rows) > limit and page else None)


def _figures(code: str, period: Period, name: str, keys: tuple[str, ...], counts: dict) -> list[Figure]:
    """One figure per known key (0 included) and per key met beyond them, in that order."""
    everything = [*keys, *sorted(k for k in counts if k not in keys)]
    return [Figure(code, period, Decimal(counts.get(k, 0)), {name: k}) for k in everything]


# --- abitanti ------------------------------------------------------------------------------------

def abitanti(conn: psycopg.Connection, *, tenants: list[str], period: Period) -> list[Figure]:
    """Inhabitants at the period's end; no figure for Ambiti without any profile (unknown, not 0)."""
    comuni = comuni_at(conn, tenants=tenants, at=period.end)
    if not comuni:
        return []
    return [Figure("abitanti", period, sum((Decimal(p) for _, _, p in comuni), Decimal(0)))]


def abitanti_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
                   after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """The comuni counted, by ISTAT code, each with its inhabitants and the Ambito whose profile gave them."""
    comuni = [c for c in comuni_at(conn, tenants=tenants, at=period.end) if after is None or c[0] > after]
    page = comuni[:limit]
    sources = [Source(SERVICE, "comune", code, tenant, Decimal(people)) for code, tenant, people in page]
    return sources, (page[-1][0] if len(comuni) > limit and page else None)


# --- stakeholders (stock at the period's end, from stakeholder_history) ----------------------------

_ACTIVE_AT = """
SELECT tenant, stakeholder_id, type, runts_section FROM (
    SELECT DISTINCT ON (tenant, stakeholder_id) tenant, stakeholder_id, type, runts_section, status
    FROM stakeholder_history WHERE tenant = ANY(%(tenants)s) AND valid_from < %(at)s
    ORDER BY tenant, stakeholder_id, version DESC) AS v
WHERE status = 'active'
"""


def _active_counts(conn, tenants: list[str], at, column: str) -> dict:
    rows = _rows(conn, f"SELECT {column}, count(*) FROM ({_ACTIVE_AT}) AS a"
                       f" WHERE {column} IS NOT NULL GROUP BY {column}", {"tenants": tenants, "at": at})
    return {key: count for key, count in rows}


def _active_trace(conn, *, tenants, period, column: str, value: str | None, after, limit):
    tenant, record = _cursor(after)
    rows = _rows(conn, f"SELECT tenant, stakeholder_id FROM ({_ACTIVE_AT}) AS a"
                       f" WHERE {column} IS NOT NULL AND (%(value)s::text IS NULL OR {column} = %(value)s)"
                       " AND (tenant, stakeholder_id::text) > (%(tenant)s, %(record)s)"
                       " ORDER BY tenant, stakeholder_id::text LIMIT %(limit)s",
                 {"tenants": tenants, "at": period.end, "value": value, "tenant": tenant, "record": record,
                  "limit": limit + 1})
    return _page(rows, limit, "stakeholder")


def stakeholder_attivi(conn: psycopg.Connection, *, tenants: list[str], period: Period) -> list[Figure]:
    """Active stakeholders at the period's end, by type."""
    return _figures("stakeholder_attivi", period, "type", STAKEHOLDER_TYPES,
                    _active_counts(conn, tenants, period.end, "type"))


def stakeholder_attivi_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
                             after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """The active stakeholders counted (of one type, or all)."""
    return _active_trace(conn, tenants=tenants, period=period, column="type", value=dimension.get("type"),
                         after=after, limit=limit)


def stakeholder_per_sezione_runts(conn: psycopg.Connection, *, tenants: list[str], period: Period) -> list[Figure]:
    """Active third-sector bodies at the period's end, by RUNTS section."""
    return _figures("stakeholder_per_sezione_runts", period, "runts_section", RUNTS_SECTIONS,
                    _active_counts(conn, tenants, period.end, "runts_section"))


def stakeholder_per_sezione_runts_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period,
                                        dimension: dict, after: str | None,
                                        limit: int) -> tuple[list[Source], str | None]:
    """The active stakeholders of one RUNTS section counted (or of every section)."""
    return _active_trace(conn, tenants=tenants, period=period, column="runts_section",
                         value=dimension.get("runts_section"), after=after, limit=limit)


# --- calls and applications (flows) ----------------------------------------------------------------

# When a call was published: its published event's time; if that event was never seen (beyond the
# topic's retention), a published or closed call's opening time stands in.
_PUBLISHED = """
SELECT tenant, call_id FROM call_facts
WHERE tenant = ANY(%(tenants)s) AND COALESCE(published_at, CASE WHEN status IN ('published', 'closed')
                                                            THEN opens_at END) >= %(start)s
  AND COALESCE(published_at, CASE WHEN status IN ('published', 'closed') THEN opens_at END) < %(end)s
"""


def avvisi_pubblicati(conn: psycopg.Connection, *, tenants: list[str], period: Period) -> list[Figure]:
    """Public calls published in the period."""
    [(count,)] = _rows(conn, f"SELECT count(*) FROM ({_PUBLISHED}) AS c",
                       {"tenants": tenants, "start": period.start, "end": period.end})
    return [Figure("avvisi_pubblicati", period, Decimal(count))]


def avvisi_pubblicati_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
                            after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """The calls published in the period."""
    tenant, record = _cursor(after)
    rows = _rows(conn, f"SELECT tenant, call_id FROM ({_PUBLISHED}) AS c"
                       " WHERE (tenant, call_id::text) > (%(tenant)s, %(record)s)"
                       " ORDER BY tenant, call_id::text LIMIT %(limit)s",
                 {"tenants": tenants, "start": period.start, "end": period.end, "tenant": tenant,
                  "record": record, "limit": limit + 1})
    return _page(rows, limit, "call")


# An application counts as submitted in the period of its submission, and as admitted or rejected in
# the period of its review: one submitted in March and admitted in April is in both quarters' figures.
_APPLICATIONS = """
SELECT tenant, application_id, 'submitted' AS status FROM application_facts
WHERE tenant = ANY(%(tenants)s) AND submitted_at >= %(start)s AND submitted_at < %(end)s
UNION ALL
SELECT tenant, application_id, status FROM application_facts
WHERE tenant = ANY(%(tenants)s) AND status IN ('admitted', 'rejected')
  AND reviewed_at >= %(start)s AND reviewed_at < %(end)s
"""


def candidature(conn: psycopg.Connection, *, tenants: list[str], period: Period) -> list[Figure]:
    """Applications submitted, admitted and rejected in the period, by status."""
    rows = _rows(conn, f"SELECT status, count(*) FROM ({_APPLICATIONS}) AS a GROUP BY status",
                 {"tenants": tenants, "start": period.start, "end": period.end})
    return _figures("candidature", period, "status", APPLICATION_STATUSES, dict(rows))


def candidature_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
                      after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """The applications counted under one status (or under any status, each once)."""
    tenant, record = _cursor(after)
    rows = _rows(conn, f"SELECT DISTINCT tenant, application_id::text AS id FROM ({_APPLICATIONS}) AS a"
                       " WHERE (%(status)s::text IS NULL OR status = %(status)s)"
                       " AND (tenant, application_id::text) > (%(tenant)s, %(record)s)"
                       " ORDER BY tenant, id LIMIT %(limit)s",
                 {"tenants": tenants, "start": period.start, "end": period.end, "status": dimension.get("status"),
                  "tenant": tenant, "record": record, "limit": limit + 1})
    return _page(rows, limit, "application")


register(Definition(
    code="abitanti", name="Popolazione residente", unit="abitanti", kind="stock",
    formula="Somma degli abitanti dei comuni dell'Ambito, ciascun comune contato una volta (anche per un Ambito "
            "nato da una fusione), secondo l'ultima versione del profilo dell'Ambito salvata prima della fine "
            "del periodo (la più vecchia nota, se il profilo è stato salvato dopo); nessun valore senza profilo.",
    source_events=(PROFILE,)), provider=abitanti, tracer=abitanti_trace)
register(Definition(
    code="stakeholder_attivi", name="Soggetti attivi della rete per tipologia", unit="numero", kind="stock",
    formula="Soggetti della rete dell'Ambito in stato attivo alla fine del periodo (ultima versione in vigore "
            "di ciascun soggetto), per tipologia.",
    source_events=STAKEHOLDER_EVENTS, dimensions=("type",)),
    provider=stakeholder_attivi, tracer=stakeholder_attivi_trace)
register(Definition(
    code="stakeholder_per_sezione_runts", name="Enti del Terzo settore attivi per sezione RUNTS", unit="numero",
    kind="stock",
    formula="Soggetti attivi alla fine del periodo iscritti al RUNTS, per sezione (DM 106/2020: a ODV, b APS, "
            "c enti filantropici, d imprese sociali, e reti associative, f società di mutuo soccorso, g altri ETS).",
    source_events=STAKEHOLDER_EVENTS, dimensions=("runts_section",)),
    provider=stakeholder_per_sezione_runts, tracer=stakeholder_per_sezione_runts_trace)
register(Definition(
    code="avvisi_pubblicati", name="Avvisi pubblici pubblicati", unit="numero", kind="flow",
    formula="Avvisi pubblici (manifestazioni di interesse) pubblicati nel periodo; se la pubblicazione non è "
            "nota, conta la data di apertura dell'avviso.",
    source_events=CALL_EVENTS), provider=avvisi_pubblicati, tracer=avvisi_pubblicati_trace)
register(Definition(
    code="candidature", name="Candidature agli avvisi per esito", unit="numero", kind="flow",
    formula="Candidature presentate nel periodo (submitted, per data di presentazione) e candidature ammesse "
            "(admitted) o non ammesse (rejected) nel periodo, per data della decisione.",
    source_events=APPLICATION_EVENTS, dimensions=("status",)), provider=candidature, tracer=candidature_trace)
