"""The plan's financial tables, pure: a snapshot's lines summed per area, fund, year and intervention.

Both documents (the XLSX and the Piano's PDF) show these views, so they agree to the cent. Every sum
is Decimal; `check` compares each view's totals with the snapshot's own `totals` (snapshot.py) and
refuses a mismatch, so a document never shows figures that do not reconcile with the plan.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from shared.money import parse_amount

ZERO = Decimal("0.00")


class TotalsMismatch(AssertionError):
    """A view's total differs from the snapshot's: a bug, never shown to the reader as a figure."""


@dataclass
class Line:
    """One row of a view: its labels, an amount per year, and the split between funds and co-financing."""

    key: str
    name: str
    years: dict = field(default_factory=dict)    # year -> Decimal (funds + co-financing)
    allocated: Decimal = ZERO
    cofinancing: Decimal = ZERO
    extra: dict = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.allocated + self.cofinancing

    def add(self, year: int, amount: Decimal, *, cofinancing: bool) -> None:
        self.years[year] = self.years.get(year, ZERO) + amount
        if cofinancing:
            self.cofinancing += amount
        else:
            self.allocated += amount


@dataclass
class Views:
    years: list[int]
    by_area: list[Line]
    by_fund: list[Line]          # funds only (co-financing is the comuni's, not a fund's)
    cofinancing: Line            # the comuni's co-financing, per year
    by_year: list[Line]
    interventions: list[Line]
    total: Line                  # the whole plan

    def column(self, lines: list[Line], year: int) -> Decimal:
        return sum((line.years.get(year, ZERO) for line in lines), ZERO)


def _years(snapshot: dict) -> list[int]:
    first, last = snapshot.get("first_year"), snapshot.get("last_year")
    seen = {int(a["year"]) for a in snapshot["allocations"]} | {int(c["year"]) for c in snapshot["cofinancing"]}
    declared = set(range(int(first), int(last) + 1)) if first and last else set()
    return sorted(declared | seen)


def build(snapshot: dict, *, area_names: dict, fund_names: dict) -> Views:
    """The views of a snapshot; `area_names` and `fund_names` map codes to what the reader sees."""
    interventions = {e["id"]: e for e in snapshot["interventions"]}
    per_intervention = {e["id"]: Line(e["code"], e["title"], extra={"area": e["area"], "funds": set(), "entry": e})
                        for e in snapshot["interventions"]}
    areas: dict[str, Line] = {}
    funds: dict[str, Line] = {}
    years: dict[int, Line] = {}
    cofinancing = Line("COMUNI", "Cofinanziamento comunale")
    total = Line("TOTALE", "Totale del piano")

    def area_line(code: str) -> Line:
        return areas.setdefault(code, Line(code, area_names.get(code, code)))

    def year_line(year: int) -> Line:
        return years.setdefault(year, Line(str(year), str(year)))

    for a in snapshot["allocations"]:
        amount, year, entry = parse_amount(a["amount"]), int(a["year"]), interventions[a["intervention_id"]]
        targets = (area_line(entry["area"]), funds.setdefault(a["fund_code"], Line(a["fund_code"], fund_names.get(
            a["fund_code"], a["fund_code"]))), year_line(year), per_intervention[entry["id"]], total)
        for line in targets:
            line.add(year, amount, cofinancing=False)
        per_intervention[entry["id"]].extra["funds"].add(a["fund_code"])
    for c in snapshot["cofinancing"]:
        amount, year, entry = parse_amount(c["total"]), int(c["year"]), interventions[c["intervention_id"]]
        for line in (area_line(entry["area"]), year_line(year), per_intervention[entry["id"]], cofinancing, total):
            line.add(year, amount, cofinancing=True)
    ordered = sorted(per_intervention.values(), key=lambda line: (line.extra["area"], line.key))
    for line in ordered:
        line.extra["funds"] = sorted(line.extra["funds"])
    return Views(years=_years(snapshot), by_area=[areas[k] for k in sorted(areas, key=_area_order)],
                 by_fund=[funds[k] for k in sorted(funds)], cofinancing=cofinancing,
                 by_year=[years[y] for y in sorted(years)], interventions=ordered, total=total)


def _area_order(code: str):
    """Areas in their numeric order when they are numbers ('2' before '10'), else alphabetical."""
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


def _sum(lines, attr: str) -> Decimal:
    return sum((getattr(line, attr) for line in lines), ZERO)


def check(views: Views, totals: dict) -> None:
    """Every view adds up to the snapshot's totals, to the cent; TotalsMismatch names the first that does not."""
    expected = {"allocated": parse_amount(totals["allocated"]), "cofinancing": parse_amount(totals["cofinancing"]),
                "total": parse_amount(totals["total"])}
    found = {
        "per area": (_sum(views.by_area, "allocated"), _sum(views.by_area, "cofinancing"), _sum(views.by_area, "total")),
        "per anno": (_sum(views.by_year, "allocated"), _sum(views.by_year, "cofinancing"), _sum(views.by_year, "total")),
        "per fondo": (_sum(views.by_fund, "allocated"), views.cofinancing.cofinancing,
                      _sum(views.by_fund, "total") + views.cofinancing.total),
        "interventi": (_sum(views.interventions, "allocated"), _sum(views.interventions, "cofinancing"),
                       _sum(views.interventions, "total")),
        "piano": (views.total.allocated, views.total.cofinancing, views.total.total),
    }
    for name, (allocated, cofinanced, whole) in found.items():
        if (allocated, cofinanced, whole) != (expected["allocated"], expected["cofinancing"], expected["total"]):
            raise TotalsMismatch(f"the view {name} does not add up to the plan's totals")
    for line in views.by_area:
        split = totals["by_area"].get(line.key)  # a bucket summing to 0.00 is left out of the totals
        if (parse_amount(split["total"]) if split else ZERO) != line.total:
            raise TotalsMismatch(f"area {line.key} does not add up")
    for line in views.by_fund:
        entry = totals["by_fund"].get(line.key)
        if (parse_amount(entry["total"]) if entry else ZERO) != line.total:
            raise TotalsMismatch(f"fund {line.key} does not add up")
    for line in (*views.by_area, *views.by_fund, *views.by_year, *views.interventions, views.cofinancing, views.total):
        if sum(line.years.values(), ZERO) != line.total:
            raise TotalsMismatch(f"the years of {line.key} do not add up to its total")
