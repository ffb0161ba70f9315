"""The former territories of a merged Ambito side by side, pure (seed 000: compare, then align step by step).

An indicator is a named figure of one territory: `total` (active stakeholders), `type:<type>`,
`runts_section:<a-g>` (active stakeholders), and `ets_share` (active ETS / active total).
The gap among n territories is max - min of their values (for two, |A - B|): never negative,
0 when they are aligned. Its change is gap_now - gap_before: negative means the territories
came closer since the end of the previous year.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

SHARE_QUANTUM = Decimal("0.0001")  # a share is given to four decimals, rounded half to even
ETS_TYPE = "ets"


def ets_share(counts: dict) -> Decimal:
    """Active ETS over active stakeholders; 0 for a territory without any."""
    total = counts["total"]
    if not total:
        return Decimal("0.0000")
    return (Decimal(counts["by_type"].get(ETS_TYPE, 0)) / Decimal(total)).quantize(SHARE_QUANTUM, ROUND_HALF_EVEN)


def indicators(counts: dict) -> dict[str, int | Decimal]:
    """The indicators of one territory from its stakeholder counts (statistics.count_stakeholders)."""
    values: dict[str, int | Decimal] = {"total": counts["total"], "ets_share": ets_share(counts)}
    values.update({f"type:{k}": v for k, v in counts["by_type"].items()})
    values.update({f"runts_section:{k}": v for k, v in counts["by_runts_section"].items()})
    return values


def _zero(name: str) -> int | Decimal:
    return Decimal("0.0000") if name == "ets_share" else 0


def gap(values: list) -> int | Decimal:
    """max - min of the territories' values (0 for fewer than two)."""
    return max(values) - min(values) if values else 0


def compare(now: dict[str, dict], before: dict[str, dict]) -> list[dict]:
    """Per indicator (sorted by name): each territory's value now, the gap now and before, its change.

    `now` and `before` map a territory to its indicators; a figure a territory lacks counts as 0."""
    territories = list(now)
    names = sorted({n for t in territories for n in (*now[t], *before.get(t, {}))})
    rows = []
    for name in names:
        values = {t: now[t].get(name, _zero(name)) for t in territories}
        previous = {t: before.get(t, {}).get(name, _zero(name)) for t in territories}
        gap_now, gap_before = gap(list(values.values())), gap(list(previous.values()))
        rows.append({"indicator": name, "territories": values, "previous_year": previous,
                     "gap": gap_now, "gap_previous_year": gap_before, "gap_change": gap_now - gap_before})
    return rows
