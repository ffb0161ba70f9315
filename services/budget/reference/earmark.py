"""Earmarking (vincoli di destinazione): may a fund pay for an intervention? Pure, no I/O."""
from __future__ import annotations

from typing import Iterable

from services.budget.reference.model import Fund


def _listed(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


def earmark_violation(fund: Fund, *, area: str | None, leps: Iterable[str] | None, kind: str | None,
                      nomenclature_code: str | None, target_group: str | None = None,
                      region: str | None = None) -> str | None:
    """The earmarking rule the intervention breaks, in words, or None if the fund may pay for it.

    Every dimension the fund restricts must hold (they combine with AND); `leps`
    is satisfied when the intervention covers at least one of the fund's LEPS.
    `region` (the Ambito's) narrows the areas to that region's and checks a
    regional fund's region; without it the areas of every region count.
    """
    if fund.region is not None and region is not None and region != fund.region:
        return f"fund {fund.code} is a fund of region {fund.region}; this Ambito is in {region}"
    if fund.areas is not None:
        allowed = fund.areas
        if region is not None:
            allowed = fund.areas_by_region.get(region, frozenset())
        if area not in allowed:
            where = f" in region {region}" if region is not None else ""
            return (f"fund {fund.code} may pay only for thematic areas {_listed(allowed) or '(none)'}{where};"
                    f" the intervention's area is {area!r}")
    if fund.kinds is not None and kind not in fund.kinds:
        return f"fund {fund.code} may pay only for interventions of kind {_listed(fund.kinds)}; this one is {kind!r}"
    if fund.target_groups is not None and target_group is not None and target_group not in fund.target_groups:
        return (f"fund {fund.code} may pay only for target groups {_listed(fund.target_groups)};"
                f" the intervention's is {target_group!r}")
    if fund.leps is not None and not (fund.leps & frozenset(leps or ())):
        return f"fund {fund.code} may pay only for interventions covering one of the LEPS {_listed(fund.leps)}"
    if fund.nomenclature is not None and nomenclature_code not in fund.nomenclature:
        return (f"fund {fund.code} may pay only for the nomenclature lines {_listed(fund.nomenclature)};"
                f" the intervention is classified {nomenclature_code!r}")
    return None
