"""Which territories an answer shows, and which Ambiti (tenants) each one's figures are computed over: pure.

An Ambito is shown as itself (`ambito`: its own records). A merged Ambito (the catalogue's
`merged_from`) is also shown `whole` (its records and its predecessors') and split by `former`
territory (each predecessor's own records), because comparing them is what it needs (seed 000).
A region is shown per Ambito (each as above) and as a `region` total over every tenant of the region.
An Ambito that another lists in `merged_from` is a former territory of that one, not a separate
Ambito of the region (so nothing is shown twice).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

AMBITO, WHOLE, FORMER, REGION = "ambito", "whole", "former", "region"
LEVELS = (AMBITO, WHOLE, FORMER, REGION)
# What people read (exports, pages).
LEVEL_NAMES = {AMBITO: "Ambito", WHOLE: "Ambito con i territori di origine",
               FORMER: "Territorio di origine", REGION: "Regione"}


@dataclass(frozen=True)
class Territory:
    code: str                    # the Ambito's slug, a former Ambito's slug, or the region's slug
    level: str                   # ambito, whole, former, region
    tenants: tuple[str, ...]     # whose records count: what providers are called with
    ambito: str | None           # the Ambito it is shown under (None for a region total)
    region: str


def of_ambito(tenant) -> list[Territory]:
    """The territories of one Ambito: itself; if merged, also whole and each former territory."""
    own = Territory(tenant.slug, AMBITO, (tenant.slug,), tenant.slug, tenant.region)
    if not tenant.merged_from:
        return [own]
    whole = Territory(tenant.slug, WHOLE, (tenant.slug, *tenant.merged_from), tenant.slug, tenant.region)
    formers = [Territory(slug, FORMER, (slug,), tenant.slug, tenant.region) for slug in tenant.merged_from]
    return [own, whole, *formers]


def ambiti_of_region(tenants: Iterable, region: str) -> list:
    """The region's Ambiti as they are today: not merged into another, not a former territory of another."""
    tenants = list(tenants)
    absorbed = {slug for t in tenants for slug in t.merged_from}
    return sorted((t for t in tenants if t.region == region and t.slug not in absorbed and not t.merged),
                  key=lambda t: t.slug)


def regions(tenants: Iterable) -> set[str]:
    """Every region the catalogue names."""
    return {t.region for t in tenants}


def region_tenants(tenants: Iterable, region: str) -> tuple[str, ...]:
    """Every tenant whose records count for the region: its Ambiti, their predecessors, merged ones too."""
    tenants = list(tenants)
    slugs = {t.slug for t in tenants if t.region == region}
    slugs |= {s for t in tenants if t.region == region for s in t.merged_from}
    return tuple(sorted(slugs))


def of_region(tenants: Iterable, region: str) -> list[Territory]:
    """Each Ambito of the region with its territories, then the region total."""
    tenants = list(tenants)
    result = [territory for t in ambiti_of_region(tenants, region) for territory in of_ambito(t)]
    result.append(Territory(region, REGION, region_tenants(tenants, region), None, region))
    return result


def representative(territories: list[Territory]) -> list[Territory]:
    """The territories a statistics feed lists: an Ambito as a whole (its predecessors' records
    included), each former territory, the region; a merged Ambito's own records alone are not a territory."""
    merged = {t.code for t in territories if t.level == WHOLE}
    return [t for t in territories if not (t.level == AMBITO and t.code in merged)]


def affected(tenants: Iterable, dirty: Iterable[str]) -> list[Territory]:
    """The territories whose figures may change when the records of the `dirty` tenants change."""
    tenants = list(tenants)
    by_slug = {t.slug: t for t in tenants}
    successor = {s: t.slug for t in tenants for s in t.merged_from}
    found: dict[tuple[str, str], Territory] = {}
    for slug in dirty:
        tenant = by_slug.get(successor.get(slug, slug))
        if tenant is None:
            continue
        for territory in [*of_ambito(tenant), *of_region(tenants, tenant.region)[-1:]]:
            found[(territory.level, territory.code)] = territory
    return list(found.values())
