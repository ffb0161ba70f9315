"""The differences between two versions of a plan, pure: a function of their two snapshots.

Interventions added, removed, or changed (each field with its value before and after); allocation
and co-financing lines whose amount changed (or whose intervention moved to another area, which
moves the line between area totals); the totals before and after. Adding each line's change to the
first snapshot's totals gives the second's (`apply_to_totals`): the differences account for every cent.
"""
from __future__ import annotations

from decimal import Decimal

from shared.money import format_amount, parse_amount

from services.budget.plans.snapshot import INTERVENTION_FIELDS, Accumulator

ZERO = Decimal("0.00")


def _summary(entry: dict) -> dict:
    return {"intervention_id": entry["id"], "code": entry["code"], "title": entry["title"], "area": entry["area"]}


def _interventions(a: dict, b: dict) -> dict:
    before = {e["id"]: e for e in a["interventions"]}
    after = {e["id"]: e for e in b["interventions"]}
    changed = []
    for iid in sorted(set(before) & set(after), key=lambda i: (after[i]["code"], i)):
        fields = {name: {"before": before[iid].get(name), "after": after[iid].get(name)}
                  for name in INTERVENTION_FIELDS if before[iid].get(name) != after[iid].get(name)}
        if fields:
            changed.append({**_summary(after[iid]), "fields": fields})
    return {
        "added": [_summary(after[i]) for i in sorted(set(after) - set(before), key=lambda i: (after[i]["code"], i))],
        "removed": [_summary(before[i]) for i in sorted(set(before) - set(after),
                                                          key=lambda i: (before[i]["code"], i))],
        "changed": changed,
    }


def _lines(a: dict, b: dict, *, rows: str, key, amount: str) -> list[dict]:
    """The lines of `rows` whose amount or area differs, keyed by `key`; absent on one side = null."""
    areas_a = {e["id"]: e for e in a["interventions"]}
    areas_b = {e["id"]: e for e in b["interventions"]}
    before = {key(r): r for r in a[rows]}
    after = {key(r): r for r in b[rows]}
    found = []
    for k in sorted(set(before) | set(after), key=lambda k: tuple(str(part) for part in k)):
        old, new = before.get(k), after.get(k)
        area_old = areas_a[k[0]]["area"] if old else None
        area_new = areas_b[k[0]]["area"] if new else None
        value_old = parse_amount(old[amount]) if old else None
        value_new = parse_amount(new[amount]) if new else None
        if old and new and value_old == value_new and area_old == area_new:
            continue
        entry = (areas_b if new else areas_a)[k[0]]
        line = {"intervention_id": k[0], "code": entry["code"], **dict(zip(key.fields[1:], k[1:])),
                "before": None if old is None else format_amount(value_old),
                "after": None if new is None else format_amount(value_new),
                "delta": format_amount((value_new or ZERO) - (value_old or ZERO)),
                "area_before": area_old, "area_after": area_new}
        found.append(line)
    # Line by line in the plan's order: by intervention code, then fund and year.
    return sorted(found, key=lambda line: (line["code"], line["intervention_id"],
                                           *(str(line[f]).zfill(4) for f in key.fields[1:])))


class _Key:
    def __init__(self, *fields):
        self.fields = fields

    def __call__(self, row):
        return tuple(row[f] for f in self.fields)


ALLOCATION_KEY = _Key("intervention_id", "fund_code", "year")
COFINANCING_KEY = _Key("intervention_id", "year")


def diff(a: dict, b: dict) -> dict:
    """What changed from snapshot `a` to snapshot `b`."""
    return {
        "interventions": _interventions(a, b),
        "allocations": _lines(a, b, rows="allocations", key=ALLOCATION_KEY, amount="amount"),
        "cofinancing": _lines(a, b, rows="cofinancing", key=COFINANCING_KEY, amount="total"),
        "totals": {"before": a["totals"], "after": b["totals"]},
    }


def is_empty(difference: dict) -> bool:
    """True when the two snapshots plan the same content and the same money."""
    lists = difference["interventions"]
    return not (lists["added"] or lists["removed"] or lists["changed"]
                or difference["allocations"] or difference["cofinancing"])


def apply_to_totals(totals: dict, difference: dict) -> dict:
    """The totals `totals` become once each changed line of `difference` is taken out and put back."""
    acc = Accumulator.from_totals(totals)
    for line in difference["allocations"]:
        if line["before"] is not None:
            acc.allocation(line["area_before"], line["fund_code"], line["year"], parse_amount(line["before"]), -1)
        if line["after"] is not None:
            acc.allocation(line["area_after"], line["fund_code"], line["year"], parse_amount(line["after"]))
    for line in difference["cofinancing"]:
        if line["before"] is not None:
            acc.cofinancing(line["area_before"], line["year"], parse_amount(line["before"]), -1)
        if line["after"] is not None:
            acc.cofinancing(line["area_after"], line["year"], parse_amount(line["after"]))
    return acc.totals()
