"""Budget's money (issue 11): spending per inhabitant by fund and by area, each fund's resources and its share used.

Read from migrations 004 and 007 (budget_allocation_facts, budget_payment_facts, budget_commitment_facts,
budget_fund_assignment_facts, budget_residui_facts, budget_intervention_facts) and the population
(indicators/population.py, the registry's profiles at the period's end). Budget's money is per fund
and year: a quarter's "programmed" figures are its year's. Allocations are as budget holds them now
(the read model keeps no history of an allocation's amount); acts count by their `act_date`.

Ratios (per inhabitant, percentages) are exact quotients rounded to the cent half up. Their tracers
give each record's exact part of the figure (its amount / the divisor, rounded UP at the 24th decimal):
the parts' sum, rounded to the cent half up, is the figure, because a quotient of amounts in cents
is either on a half-cent or at least 1 / (200 × divisor in cents) away from one, far more than the
parts' rounding adds (see `part`). Tracers are ordered by tenant and id (cursor `<tenant>/<id>`).
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

import psycopg
from psycopg.rows import tuple_row

from services.reporting.indicators.model import Definition, Figure, Period, Source, register
from services.reporting.indicators.population import population

SERVICE = "budget"
CENT, PART, HUNDRED, ZERO = Decimal("0.01"), Decimal("1e-24"), Decimal(100), Decimal("0.00")
UNCLASSIFIED = "non_classificata"  # the area of money whose intervention reporting has not seen yet
PROFILE = "it.pdz.registry.profile.updated.v1"
INTERVENTION_EVENTS = ("it.pdz.budget.intervention.planned.v1", "it.pdz.budget.intervention.updated.v1")
ALLOCATION_EVENTS = tuple(f"it.pdz.budget.allocation.{v}.v1" for v in ("made", "changed", "released"))
PAYMENT, COMMITMENT = "it.pdz.budget.payment.recorded.v1", "it.pdz.budget.commitment.recorded.v1"
ASSIGNMENT_EVENTS = ("it.pdz.budget.fund_assignment.recorded.v1", "it.pdz.budget.fund_assignment.corrected.v1")
CLOSED = "it.pdz.budget.fund_year.closed.v1"

_AREA = f"COALESCE(i.area, '{UNCLASSIFIED}')"
# a join PostgreSQL drops when the area is not asked for (unique key, no column used)
_WITH_AREA = " LEFT JOIN budget_intervention_facts i ON i.tenant = r.tenant AND i.intervention_id = r.intervention_id"
# measure -> (record kind, rows (tenant, id, fund, area, amount) of the records it sums)
_COLUMNS = "SELECT r.tenant, r.{id}::text AS id, r.fund, {area} AS area, r.{amount} AS amount"
RECORDS = {
    "liquidato_nel_periodo": ("payment", _COLUMNS.format(id="payment_id", area=_AREA, amount="amount")
                              + f" FROM budget_payment_facts r{_WITH_AREA} WHERE r.tenant = ANY(%(tenants)s)"
                              " AND r.act_date >= %(first_day)s AND r.act_date <= %(last_day)s"),
    "assegnato": ("fund_assignment", _COLUMNS.format(id="assignment_id", area="NULL", amount="amount")
                  + " FROM budget_fund_assignment_facts r WHERE r.tenant = ANY(%(tenants)s) AND r.year = %(year)s"
                  " AND r.amount > 0"),
    "residui_in": ("residui", "SELECT r.tenant, r.fund || '/' || r.year AS id, r.fund, NULL AS area,"
                   " r.carried AS amount FROM budget_residui_facts r WHERE r.tenant = ANY(%(tenants)s)"
                   " AND r.to_year = %(year)s AND r.carried > 0"),
    "programmato": ("allocation", _COLUMNS.format(id="allocation_id", area=_AREA, amount="allocated")
                    + f" FROM budget_allocation_facts r{_WITH_AREA} WHERE r.tenant = ANY(%(tenants)s)"
                    " AND r.year = %(year)s AND r.allocated > 0"),
    "impegnato": ("commitment", _COLUMNS.format(id="commitment_id", area="NULL", amount="amount")
                  + " FROM budget_commitment_facts r WHERE r.tenant = ANY(%(tenants)s) AND r.year = %(year)s"
                  " AND r.act_date <= %(last_day)s"),
    "liquidato": ("payment", _COLUMNS.format(id="payment_id", area="NULL", amount="amount")
                  + " FROM budget_payment_facts r WHERE r.tenant = ANY(%(tenants)s) AND r.year = %(year)s"
                  " AND r.act_date <= %(last_day)s"),
}
MEASURES = ("assegnato", "residui_in", "programmato", "impegnato", "liquidato")  # risorse_per_fondo, in order


def params(tenants: list[str], period: Period) -> dict:
    return {"tenants": list(tenants), "year": period.year, "first_day": period.first_day,
            "last_day": period.last_day}


def rows(conn: psycopg.Connection, query: str, values: dict) -> list[tuple]:
    with conn.cursor(row_factory=tuple_row) as cur:  # whatever the connection's own row factory
        return cur.execute(query, values).fetchall()


def ratio(numerator: Decimal, divisor: Decimal) -> Decimal:
    """numerator / divisor to the cent, half up (exact: amounts of 12 digits need far less than 60)."""
    with localcontext(prec=60):
        return (Decimal(numerator) / Decimal(divisor)).quantize(CENT, ROUND_HALF_UP)


def part(amount: Decimal, divisor: Decimal) -> Decimal:
    """One record's part of a ratio: amount / divisor rounded up at the 24th decimal.

    The parts' sum exceeds the exact quotient by less than n × 1e-24, while an exact quotient of cents
    not on a half-cent is at least 1 / (200 × divisor in cents) from one: for any divisor below 1e14
    cents and fewer than 5e7 records, the sum rounds (half up) as the quotient does."""
    with localcontext(prec=60):
        return (Decimal(amount) / Decimal(divisor)).quantize(PART, ROUND_CEILING)


def split_cursor(after: str | None) -> tuple[str, str]:
    """`<tenant>/<id>` -> (tenant, id); no cursor: before every record."""
    if after is None:
        return ("", "")
    tenant, slash, record = after.partition("/")
    if not slash or not tenant or not record:
        raise ValueError(f"cursor {after!r} is not <tenant>/<id>")
    return (tenant, record)


def page(items: list[tuple], limit: int, record: str,
         value=lambda item: item[2]) -> tuple[list[Source], str | None]:
    """Sources of (tenant, id, ...) items fetched with limit + 1, and the cursor if more follow."""
    shown = items[:limit]
    sources = [Source(SERVICE, record, str(item[1]), item[0], value(item)) for item in shown]
    return sources, (f"{shown[-1][0]}/{shown[-1][1]}" if len(items) > limit and shown else None)


def by_group(conn: psycopg.Connection, query: str, select: str, group_by: str, groups: dict[str, list[str]],
             period: Period, extra: dict | None = None) -> list[tuple]:
    """(label, *select) of a query over `%(tenants)s` with a `tenant` column, for many groups of tenants at once.

    Each group's rows are those of its own tenants (each once): one query for a region's Ambiti."""
    pairs = [(label, tenant) for label, tenants in groups.items() for tenant in dict.fromkeys(tenants)]
    values = {**params(sorted({t for _, t in pairs}), period), **(extra or {}),
              "g_labels": [label for label, _ in pairs], "g_tenants": [tenant for _, tenant in pairs]}
    return rows(conn, "WITH g(label, tenant) AS (SELECT * FROM unnest(%(g_labels)s::text[], %(g_tenants)s::text[]))"
                      f" SELECT g.label, {select} FROM ({query}) AS t JOIN g ON g.tenant = t.tenant"
                      f" GROUP BY g.label{', ' + group_by if group_by else ''}", values)


def sums(conn: psycopg.Connection, measure: str, by: str, groups: dict[str, list[str]], period: Period) -> dict:
    """label -> fund or area -> the measure's sum for each group of Ambiti and the period."""
    result: dict = {label: {} for label in groups}
    # summed per Ambito first, so that a region's rows are not joined once per group they are in
    per_tenant = f"SELECT r.tenant, r.{by}, sum(r.amount) AS amount FROM ({RECORDS[measure][1]}) AS r GROUP BY 1, 2"
    for label, key, total in by_group(conn, per_tenant, f"t.{by}, sum(t.amount)", f"t.{by}", groups, period):
        result[label][key] = total
    return result


def single(grouped):
    """The provider of one list of tenants, from a grouped provider."""
    def provider(conn: psycopg.Connection, *, tenants: list[str], period: Period) -> list[Figure]:
        return grouped(conn, groups={"": list(tenants)}, period=period)[""]
    provider.__doc__ = grouped.__doc__
    return provider


def records(conn: psycopg.Connection, measure: str, *, tenants: list[str], period: Period, where: dict,
            after: str | None, limit: int) -> list[tuple]:
    """(tenant, id, amount) of one measure's records with the given fund and/or area, a page + 1."""
    tenant, record = split_cursor(after)
    return rows(conn, f"SELECT tenant, id, amount FROM ({RECORDS[measure][1]}) AS t"
                      " WHERE (%(fund)s::text IS NULL OR fund = %(fund)s)"
                      " AND (%(area)s::text IS NULL OR area = %(area)s)"
                      " AND (tenant, id) > (%(after_tenant)s, %(after_id)s) ORDER BY tenant, id LIMIT %(limit)s",
                {**params(tenants, period), "fund": where.get("fund"), "area": where.get("area"),
                 "after_tenant": tenant, "after_id": record, "limit": limit + 1})


# --- spending per inhabitant -------------------------------------------------------------------------

def _per_inhabitant(code: str, measure: str, by: str):
    def grouped(conn: psycopg.Connection, *, groups: dict[str, list[str]], period: Period) -> dict[str, list]:
        """Each group's figures: the measure per fund or area over the inhabitants at the period's end."""
        paid, programmed = (sums(conn, m, by, groups, period) for m in ("liquidato_nel_periodo", "programmato"))
        own = paid if measure == "liquidato_nel_periodo" else programmed
        result = {}
        for label, tenants in groups.items():
            people = population(conn, tenants=tenants, at=period.end)
            keys = sorted(set(paid[label]) | set(programmed[label]))  # programmed and not yet paid shows 0
            # not computable without inhabitants (not zero): no figure
            result[label] = [Figure(code, period, ratio(own[label].get(k, ZERO), people), {by: k})
                             for k in keys] if people else []
        return result

    def tracer(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
               after: str | None, limit: int) -> tuple[list[Source], str | None]:
        people = population(conn, tenants=tenants, at=period.end)
        if not people:
            return [], None
        found = records(conn, measure, tenants=tenants, period=period, where={by: dimension[by]},
                        after=after, limit=limit)
        return page(found, limit, RECORDS[measure][0], value=lambda item: part(item[2], people))
    return grouped, tracer


PER_INHABITANT = {
    "spesa_liquidata_per_abitante_per_fondo": ("liquidato_nel_periodo", "fund", "flow",
                                               "Spesa sociale liquidata per abitante, per fondo"),
    "spesa_liquidata_per_abitante_per_area": ("liquidato_nel_periodo", "area", "flow",
                                              "Spesa sociale liquidata per abitante, per area tematica"),
    "spesa_programmata_per_abitante_per_fondo": ("programmato", "fund", "stock",
                                                 "Spesa sociale programmata per abitante, per fondo"),
    "spesa_programmata_per_abitante_per_area": ("programmato", "area", "stock",
                                                "Spesa sociale programmata per abitante, per area tematica"),
}
FORMULAS = {
    "liquidato_nel_periodo": "Somma delle liquidazioni con data dell'atto nel periodo",
    "programmato": "Somma delle risorse assegnate agli interventi del Piano per l'anno del periodo (come sono ora;"
                   " un trimestre ha le cifre del suo anno)",
}
BY = {"fund": "per fondo di finanziamento", "area": f"per area tematica dell'intervento ({UNCLASSIFIED} se "
                                                    "l'intervento non è ancora noto)"}

for _code, (_measure, _by, _kind, _name) in PER_INHABITANT.items():
    _grouped, _tracer = _per_inhabitant(_code, _measure, _by)
    register(Definition(
        code=_code, name=_name, unit="EUR/abitante", kind=_kind,
        formula=f"{FORMULAS[_measure]}, {BY[_by]}, divisa per gli abitanti alla fine del periodo (indicatore"
                " abitanti); arrotondata al centesimo (metà per eccesso). Nessun valore senza popolazione nota.",
        source_events=(*ALLOCATION_EVENTS, PAYMENT, *INTERVENTION_EVENTS, PROFILE),
        dimensions=(_by,)), provider=single(_grouped), tracer=_tracer, grouped=_grouped)


# --- resources per fund: assigned, residui, programmed, committed, paid -------------------------------

def risorse_per_fondo_grouped(conn: psycopg.Connection, *, groups: dict[str, list[str]],
                              period: Period) -> dict[str, list[Figure]]:
    """Per fund of the period's year, every measure (0 included), at the period's end; for each group."""
    by_measure = {m: sums(conn, m, "fund", groups, period) for m in MEASURES}
    result = {}
    for label in groups:
        funds = sorted({f for m in MEASURES for f in by_measure[m][label]})
        result[label] = [Figure("risorse_per_fondo", period, by_measure[m][label].get(f, ZERO),
                                {"fund": f, "measure": m}) for f in funds for m in MEASURES]
    return result


def risorse_per_fondo_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period, dimension: dict,
                            after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """The assignments, residui, allocations, commitments or payments one figure sums."""
    measure = dimension.get("measure")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}")
    found = records(conn, measure, tenants=tenants, period=period, where={"fund": dimension["fund"]},
                    after=after, limit=limit)
    return page(found, limit, RECORDS[measure][0])


def quota_fondo_impegnata_grouped(conn: psycopg.Connection, *, groups: dict[str, list[str]],
                                  period: Period) -> dict[str, list[Figure]]:
    """Per fund: committed / (assigned + residui in) × 100 at the period's end; none without resources."""
    committed, assigned, carried = (sums(conn, m, "fund", groups, period)
                                    for m in ("impegnato", "assegnato", "residui_in"))
    result = {}
    for label in groups:
        figures = result[label] = []
        for fund in sorted(set(committed[label]) | set(assigned[label]) | set(carried[label])):
            resources = assigned[label].get(fund, ZERO) + carried[label].get(fund, ZERO)
            if resources > 0:
                figures.append(Figure("quota_fondo_impegnata", period,
                                      ratio(committed[label].get(fund, ZERO) * HUNDRED, resources), {"fund": fund}))
    return result


def quota_fondo_impegnata_trace(conn: psycopg.Connection, *, tenants: list[str], period: Period,
                                dimension: dict, after: str | None, limit: int) -> tuple[list[Source], str | None]:
    """The commitments, each with its part: amount × 100 / the fund's resources."""
    fund = dimension["fund"]
    resources = sum((sums(conn, m, "fund", {"": tenants}, period)[""].get(fund, ZERO)
                     for m in ("assegnato", "residui_in")), ZERO)
    if resources <= 0:
        return [], None
    found = records(conn, "impegnato", tenants=tenants, period=period, where={"fund": fund}, after=after,
                    limit=limit)
    return page(found, limit, "commitment", value=lambda item: part(item[2] * HUNDRED, resources))


register(Definition(
    code="risorse_per_fondo", name="Risorse per fondo: assegnate, residui, programmate, impegnate, liquidate",
    unit="EUR", kind="stock",
    formula="Per fondo e per l'anno del periodo, alla fine del periodo: assegnato = somma dei decreti di riparto"
            " dell'anno (dopo le rettifiche); residui_in = residui portati dall'anno precedente alla sua chiusura;"
            " programmato = risorse assegnate agli interventi per l'anno (come sono ora); impegnato = impegni su"
            " quelle risorse con data dell'atto entro la fine del periodo; liquidato = liquidazioni su quelle"
            " risorse con data dell'atto entro la fine del periodo.",
    source_events=(*ASSIGNMENT_EVENTS, CLOSED, *ALLOCATION_EVENTS, COMMITMENT, PAYMENT),
    dimensions=("fund", "measure")), provider=single(risorse_per_fondo_grouped), tracer=risorse_per_fondo_trace,
    grouped=risorse_per_fondo_grouped)
register(Definition(
    code="quota_fondo_impegnata", name="Quota di ciascun fondo impegnata", unit="percentuale", kind="stock",
    formula="Per fondo: impegnato / (assegnato + residui_in) × 100 per l'anno del periodo, alla fine del periodo"
            " (vedi risorse_per_fondo), arrotondata al centesimo (metà per eccesso); nessun valore per un fondo"
            " senza risorse.",
    source_events=(*ASSIGNMENT_EVENTS, CLOSED, COMMITMENT), dimensions=("fund",)),
    provider=single(quota_fondo_impegnata_grouped), tracer=quota_fondo_impegnata_trace,
    grouped=quota_fondo_impegnata_grouped)
