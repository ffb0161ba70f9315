"""Co-financing by the comuni (cofinanziamento comunale), pure: a total split by population to the cent.

The rule (largest remainder, Hamilton's method, in cents): each comune's exact share is
total x population / total population; every comune first gets its exact share rounded down to the
cent; the cents still missing from the total (fewer than the number of comuni) go one each to the
comuni with the largest remainders, ties broken by ISTAT code in ascending order. The parts sum
exactly to the total, each is within one cent of its exact share, a larger population never gets
less, and the answer depends on nothing but the figures (not on the order they come in).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Mapping

CENT = Decimal("0.01")
RULE = "largest-remainder"


class SplitImpossible(ValueError):
    """The total cannot be split by population (no comuni, or none with inhabitants)."""


def split_by_population(total: Decimal, populations: Mapping[str, int]) -> dict[str, Decimal]:
    """Each comune's share of `total` (ISTAT code -> amount), by population, summing exactly to `total`."""
    if total != total.quantize(CENT) or total < 0:
        raise ValueError(f"{total} is not an amount in cents")
    if any(p < 0 for p in populations.values()):
        raise ValueError("a population cannot be negative")
    inhabitants = sum(populations.values())
    if not populations or inhabitants == 0:
        raise SplitImpossible("no comune with inhabitants to split the total among")
    cents = int(total * 100)
    floors, remainders = {}, {}
    for code, population in populations.items():
        floors[code], remainders[code] = divmod(cents * population, inhabitants)
    missing = cents - sum(floors.values())
    for code in sorted(populations, key=lambda c: (-remainders[c], c))[:missing]:
        floors[code] += 1
    return {code: (Decimal(floors[code]) / 100).quantize(CENT) for code in sorted(populations)}
