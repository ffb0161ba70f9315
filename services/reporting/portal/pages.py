"""What each portal page shows, assembled from the read-model queries (figures.py) and the catalogue."""
from __future__ import annotations

import psycopg

from shared.regions import Regions
from shared.tenants import Catalogue, Tenant

from services.reporting.portal import figures, participation

PER_INHABITANT = (("allocated_pc", "Programmato per abitante"), ("paid_pc", "Liquidato per abitante"))


def area_names(regions: Regions, region: str) -> dict[str, str]:
    found = regions.get(region)
    return {a.code: a.name for a in found.areas} if found else {}


def region_name(regions: Regions, region: str) -> str:
    found = regions.get(region)
    return found.name if found else region.replace("-", " ").title()


def successors(catalogue: Catalogue, slug: str) -> list[Tenant]:
    """The Ambiti this one was merged into (the catalogue's merged_from names it)."""
    return [t for t in catalogue if slug in t.merged_from]


def territory_row(*, conn: psycopg.Connection, label: str, tenants: list[str], population: int | None) -> dict:
    """One territory's money, network and population, with the amounts per inhabitant."""
    money = figures.money_totals(conn=conn, tenants=tenants)
    return {"label": label, "tenants": tenants, "population": population, **money,
            "stakeholders": sum(figures.stakeholders(conn=conn, tenants=tenants).values()),
            "allocated_pc": figures.per_inhabitant(money["allocated"], population),
            "paid_pc": figures.per_inhabitant(money["paid"], population)}


def home(*, conn: psycopg.Connection, catalogue: Catalogue, regions: Regions) -> dict:
    """The region's Ambiti, region by region, with population, comuni and the state of their Piano."""
    slugs = catalogue.slugs()
    found = figures.profiles(conn=conn, tenants=slugs)
    by_region: dict[str, list] = {}
    for tenant in catalogue:
        profile = found.get(tenant.slug, {})
        plans = figures.plans(conn=conn, tenant=tenant.slug)
        by_region.setdefault(tenant.region, []).append({
            "tenant": tenant, "population": profile.get("population"), "plan": plans[0] if plans else None,
            "comuni": len(figures.comuni(conn=conn, tenant=tenant.slug)),
            "successors": successors(catalogue, tenant.slug)})
    return {"regions": [{"slug": r, "name": region_name(regions, r), "ambiti": rows}
                        for r, rows in sorted(by_region.items())]}


def former_territories(*, conn: psycopg.Connection, tenant: Tenant, catalogue: Catalogue,
                       profiles: dict) -> list[dict]:
    """A merged Ambito whole, its own records, and each former territory (seed 000: compare them)."""
    own = profiles.get(tenant.slug, {}).get("population")
    formers = [(catalogue.get(s), profiles.get(s, {}).get("population")) for s in tenant.merged_from]
    known = [p for _, p in formers if p is not None]
    # The merged Ambito's profile covers every comune of the former ones: its population is the whole's.
    whole = own if own is not None else (sum(known) if len(known) == len(formers) else None)
    rows = [territory_row(conn=conn, label="Intero Ambito (con i territori di provenienza)",
                          tenants=[tenant.slug, *tenant.merged_from], population=whole),
            territory_row(conn=conn, label="Atti dell'Ambito unito", tenants=[tenant.slug], population=own)]
    for former, population in formers:
        name = former.name if former else "?"
        rows.append(territory_row(conn=conn, label=f"Territorio di provenienza: {name}",
                                  tenants=[former.slug if former else "?"], population=population)
                    | {"slug": former.slug if former else None})
    return rows


def areas(*, conn: psycopg.Connection, tenant: Tenant, regions: Regions) -> list[dict]:
    """Money per thematic area, with the region's name of each area."""
    names = area_names(regions, tenant.region)
    return [{**row, "name": names.get(row["area"], row["area"])} for row in figures.by_area(conn=conn, tenant=tenant.slug)]


def ambito(*, conn: psycopg.Connection, tenant: Tenant, catalogue: Catalogue, regions: Regions) -> dict:
    """Everything the Ambito's page shows: territory, Piano, network, money by fund and area, interventions."""
    profiles = figures.profiles(conn=conn, tenants=[tenant.slug, *tenant.merged_from])
    profile = profiles.get(tenant.slug)
    names = area_names(regions, tenant.region)
    return {
        "tenant": tenant, "region": region_name(regions, tenant.region), "profile": profile,
        "comuni": figures.comuni(conn=conn, tenant=tenant.slug),
        "plans": figures.plans(conn=conn, tenant=tenant.slug),
        "funds": figures.fund_figures(conn=conn, tenant=tenant.slug),
        "areas": areas(conn=conn, tenant=tenant, regions=regions),
        "interventions": [{**i, "area_name": names.get(i["area"], i["area"])}
                          for i in figures.interventions(conn=conn, tenant=tenant.slug)],
        "stakeholders": figures.stakeholders(conn=conn, tenants=[tenant.slug]),
        "tables": participation.tables(conn=conn, tenant=tenant.slug),
        "funnel": participation.funnel(conn=conn, tenant=tenant.slug),
        "former": (former_territories(conn=conn, tenant=tenant, catalogue=catalogue, profiles=profiles)
                   if tenant.merged_from else []),
        "formers": [catalogue.get(s) for s in tenant.merged_from if catalogue.get(s)],
        "successors": successors(catalogue, tenant.slug),
        "totals_pc": figures.per_inhabitant(
            figures.money_totals(conn=conn, tenants=[tenant.slug])["paid"], profile and profile["population"]),
    }


def comparison(*, conn: psycopg.Connection, region: str, catalogue: Catalogue, regions: Regions) -> dict:
    """The region's Ambiti side by side: each one's own records, per inhabitant of its own profile."""
    tenants = [t for t in catalogue if t.region == region]
    profiles = figures.profiles(conn=conn, tenants=[t.slug for t in tenants])
    rows = [territory_row(conn=conn, label=t.name, tenants=[t.slug],
                          population=profiles.get(t.slug, {}).get("population"))
            | {"tenant": t, "successors": successors(catalogue, t.slug)} for t in tenants]
    return {"region": region, "region_name": region_name(regions, region), "rows": rows}
