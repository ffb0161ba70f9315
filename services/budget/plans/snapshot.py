"""A version's snapshot, pure: the plan's content frozen at adoption, with totals that reconcile to the cent.

The snapshot is JSON: interventions (with the accepted proposals they answer), allocations (fund x
intervention x year amounts: what was planned, not committed or paid, which are expenditure), the
comuni's co-financing with its shares, and totals per area, per fund (and year), per year. Amounts
are strings with two decimals (shared/money.py); sums are Decimal, so every total is exact.
Buckets that sum to 0.00 are left out of the totals, so that equal plans have equal totals.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from shared.money import format_amount, parse_amount

ZERO = Decimal("0.00")

# The intervention fields that are plan content (progress — status, actual dates — is not).
INTERVENTION_FIELDS = ("code", "title", "description", "nomenclature_code", "area", "target_group", "leps",
                       "kind", "comuni", "managing_body", "cup", "continues_origin", "continues_intervention",
                       "planned_start", "planned_end", "proposals")


def _text(value):
    """A JSON value for a column: uuid and date as strings, lists sorted (their order means nothing)."""
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return sorted(_text(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def intervention_entry(row: dict, proposals: list) -> dict:
    """One intervention as the snapshot keeps it."""
    entry = {"id": str(row["id"])}
    for name in INTERVENTION_FIELDS:
        value = proposals if name == "proposals" else row.get(name)
        entry[name] = _text(value.strip() if isinstance(value, str) and name == "cup" else value)
    return entry


def _amount(value) -> Decimal:
    return value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else parse_amount(value)


def compute_totals(allocations: list[tuple[str, str, int, Decimal]],
                   cofinancing: list[tuple[str, int, Decimal]]) -> dict:
    """Totals from allocation lines (area, fund, year, amount) and co-financing lines (area, year, total)."""
    acc = Accumulator()
    for area, fund, year, amount in allocations:
        acc.allocation(area, fund, year, amount)
    for area, year, total in cofinancing:
        acc.cofinancing(area, year, total)
    return acc.totals()


class Accumulator:
    """Sums of Decimal amounts by area, fund and year; `totals()` writes them as the snapshot does."""

    def __init__(self):
        self.allocated = ZERO
        self.cofinanced = ZERO
        self.area = defaultdict(lambda: [ZERO, ZERO])       # area -> [allocated, cofinancing]
        self.year = defaultdict(lambda: [ZERO, ZERO])       # year -> [allocated, cofinancing]
        self.fund = defaultdict(lambda: defaultdict(lambda: ZERO))   # fund -> year -> allocated

    def allocation(self, area: str, fund: str, year: int, amount: Decimal, sign: int = 1) -> None:
        amount = _amount(amount) * sign
        self.allocated += amount
        self.area[area][0] += amount
        self.year[int(year)][0] += amount
        self.fund[fund][int(year)] += amount

    def cofinancing(self, area: str, year: int, total: Decimal, sign: int = 1) -> None:
        total = _amount(total) * sign
        self.cofinanced += total
        self.area[area][1] += total
        self.year[int(year)][1] += total

    @staticmethod
    def _split(pair) -> dict:
        return {"allocated": format_amount(pair[0]), "cofinancing": format_amount(pair[1]),
                "total": format_amount(pair[0] + pair[1])}

    def totals(self) -> dict:
        funds = {}
        for fund in sorted(self.fund):
            years = {str(y): a for y, a in sorted(self.fund[fund].items()) if a != ZERO}
            total = sum(years.values(), ZERO)
            if years:
                funds[fund] = {"total": format_amount(total),
                               "by_year": {y: format_amount(a) for y, a in years.items()}}
        return {
            "allocated": format_amount(self.allocated),
            "cofinancing": format_amount(self.cofinanced),
            "total": format_amount(self.allocated + self.cofinanced),
            "by_area": {a: self._split(p) for a, p in sorted(self.area.items()) if p != [ZERO, ZERO]},
            "by_fund": funds,
            "by_year": {str(y): self._split(p) for y, p in sorted(self.year.items()) if p != [ZERO, ZERO]},
        }

    @classmethod
    def from_totals(cls, totals: dict) -> "Accumulator":
        """The sums a snapshot's totals state (to add a difference's changes to them)."""
        acc = cls()
        acc.allocated, acc.cofinanced = parse_amount(totals["allocated"]), parse_amount(totals["cofinancing"])
        for area, split in totals["by_area"].items():
            acc.area[area] = [parse_amount(split["allocated"]), parse_amount(split["cofinancing"])]
        for year, split in totals["by_year"].items():
            acc.year[int(year)] = [parse_amount(split["allocated"]), parse_amount(split["cofinancing"])]
        for fund, entry in totals["by_fund"].items():
            for year, amount in entry["by_year"].items():
                acc.fund[fund][int(year)] = parse_amount(amount)
        return acc


def build(*, header: dict, interventions: list[dict], proposals: dict, allocations: list[dict],
          cofinancing: list[dict], shares: list[dict]) -> dict:
    """The snapshot of a plan's content: `header` (plan and version), then the content rows as stored."""
    entries = sorted((intervention_entry(r, [str(p) for p in proposals.get(r["id"], [])]) for r in interventions),
                     key=lambda e: (e["code"], e["id"]))
    by_id = {e["id"]: e for e in entries}
    lines = sorted(({"intervention_id": str(a["intervention_id"]), "fund_code": a["fund_code"],
                     "year": int(a["year"]), "amount": format_amount(_amount(a["amount"]))} for a in allocations),
                   key=lambda a: (by_id[a["intervention_id"]]["code"], a["fund_code"], a["year"]))
    parts = defaultdict(list)
    for share in shares:
        parts[(str(share["intervention_id"]), int(share["year"]))].append(
            {"istat_code": share["istat_code"], "population": int(share["population"]),
             "population_date": _text(share.get("population_date")),
             "amount": format_amount(_amount(share["amount"]))})
    cofin = sorted(({"intervention_id": str(c["intervention_id"]), "year": int(c["year"]),
                     "total": format_amount(_amount(c["total"])),
                     "population_as_of": _text(c.get("population_as_of")),
                     "shares": sorted(parts[(str(c["intervention_id"]), int(c["year"]))],
                                      key=lambda s: s["istat_code"])} for c in cofinancing),
                   key=lambda c: (by_id[c["intervention_id"]]["code"], c["year"]))
    totals = compute_totals(
        [(by_id[a["intervention_id"]]["area"], a["fund_code"], a["year"], parse_amount(a["amount"])) for a in lines],
        [(by_id[c["intervention_id"]]["area"], c["year"], parse_amount(c["total"])) for c in cofin])
    return {**header, "interventions": entries, "allocations": lines, "cofinancing": cofin, "totals": totals}
