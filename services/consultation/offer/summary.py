"""The map of services in figures, for the community profile: a pure aggregation, no I/O.

Counts and capacity by thematic area x target group, and by comune served.
Capacities of different units are never added together: each figure is a
list of {unit, amount}. An entry has one area and one target group, so the
area x target rows add up to the totals; an entry serving several comuni is
counted in each of them (what a comune's residents can reach), so the comune
rows do not add up to the totals, by design.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from services.consultation.offer.domain import CAPACITY_UNITS
from services.consultation.targets import CODES as TARGET_CODES

_UNIT_ORDER = {unit: i for i, unit in enumerate(CAPACITY_UNITS)}


def _capacity(totals: Mapping[str, int]) -> list[dict]:
    return [{"unit": unit, "amount": totals[unit]}
            for unit in sorted(totals, key=lambda u: (_UNIT_ORDER.get(u, len(_UNIT_ORDER)), u))]


class _Cell:
    __slots__ = ("services", "capacity")

    def __init__(self):
        self.services = 0
        self.capacity: dict[str, int] = {}

    def add(self, entry: Mapping) -> None:
        self.services += 1
        unit = entry.get("capacity_unit")
        if unit is not None:
            self.capacity[unit] = self.capacity.get(unit, 0) + entry["capacity_amount"]

    def out(self, **keys) -> dict:
        return {**keys, "services": self.services, "capacity": _capacity(self.capacity)}


def _rank(order: Sequence[str]):
    index = {code: i for i, code in enumerate(order)}
    return lambda code: (index.get(code, len(index)), code)


def summarise(entries: Iterable[Mapping], *, area_order: Sequence[str] = (),
              comune_order: Sequence[str] = ()) -> dict:
    """Totals, by area x target group and by comune of `entries` (area, target_group, comuni,
    capacity_amount, capacity_unit). Rows follow `area_order` / `comune_order` (the region's areas, the
    profile's comuni), codes not listed there after them by code; target groups in their listed order."""
    total = _Cell()
    by_area_target: dict[tuple[str, str], _Cell] = {}
    by_comune: dict[str, _Cell] = {}
    for entry in entries:
        total.add(entry)
        by_area_target.setdefault((entry["area"], entry["target_group"]), _Cell()).add(entry)
        for code in dict.fromkeys(entry["comuni"]):   # a comune listed twice is served once
            by_comune.setdefault(code, _Cell()).add(entry)
    area_rank, target_rank, comune_rank = _rank(area_order), _rank(TARGET_CODES), _rank(comune_order)
    return {
        "services": total.services,
        "capacity": _capacity(total.capacity),
        "by_area_target": [by_area_target[key].out(area=key[0], target_group=key[1])
                           for key in sorted(by_area_target, key=lambda k: (area_rank(k[0]), target_rank(k[1])))],
        "by_comune": [by_comune[code].out(istat_code=code) for code in sorted(by_comune, key=comune_rank)],
    }
