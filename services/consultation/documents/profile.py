"""The community profile's content from what the stores read: pure (ordering, labels, bounds, totals).

Every section is bounded (`LIMITS`): a section holding more rows shows the first ones and says how many
there are. Only organisations and aggregates go in: the inputs carry no person's name or account.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from services.consultation.documents.labels import ORGANISATION_TYPES, PROPOSAL_STATUSES, TABLE_KINDS, label
from services.consultation.offer.domain import CAPACITY_UNITS
from services.consultation.targets import TARGET_GROUPS

LIMITS = {"comuni": 500, "network": 300, "cells": 200, "proposals": 200, "rounds": 10, "ranking": 50,
          "tables": 100}


def section(rows: Sequence, *, total: int | None = None, limit: int) -> dict:
    """{rows: the first `limit`, total, truncated}."""
    total = len(rows) if total is None else total
    shown = list(rows[:limit])
    return {"rows": shown, "total": total, "truncated": total > len(shown)}


def _order(areas: Sequence[str]):
    area_rank = {code: i for i, code in enumerate(areas)}
    target_rank = {code: i for i, code in enumerate(TARGET_GROUPS)}
    return lambda r: (area_rank.get(r["area"], len(area_rank)), r["area"],
                      target_rank.get(r["target_group"], len(target_rank)), r["target_group"])


def _capacity(items: Sequence[Mapping]) -> list[dict]:
    return [{**c, "unit_label": CAPACITY_UNITS.get(c["unit"], c["unit"])} for c in items]


def territory(profile: Mapping | None, comuni: Sequence[Mapping], *, region_name: str | None) -> dict | None:
    """The Ambito's profile as replicated, with the capofila's name and the comuni's own sum."""
    if profile is None:
        return None
    names = {c["istat_code"]: c["name"] for c in comuni}
    # the regions file says "Regione Basilicata"; the row is already labelled Regione
    region = region_name.removeprefix("Regione ").strip() if region_name else None
    return {**profile, "region_name": region, "capofila": names.get(profile["capofila_istat"]),
            "comuni": section(list(comuni), limit=LIMITS["comuni"]),
            "comuni_population": sum(c["population"] for c in comuni)}


def network(rows: Sequence[Mapping], total: int) -> dict:
    return section([{**r, "type_label": label(ORGANISATION_TYPES, r["type"])} for r in rows], total=total,
                   limit=LIMITS["network"])


def offer(summary: Mapping) -> dict:
    """The map of services' summary (offer/service.py summary) with the capacity units in words."""
    return {"services": summary["services"], "capacity": _capacity(summary["capacity"]),
            "by_area_target": section([{**r, "capacity": _capacity(r["capacity"])}
                                       for r in summary["by_area_target"]], limit=LIMITS["cells"]),
            "by_comune": section([{**r, "capacity": _capacity(r["capacity"])} for r in summary["by_comune"]],
                                 limit=LIMITS["comuni"])}


def needs(cells: Sequence[Mapping], *, areas: Mapping[str, str]) -> dict:
    """Needs per area x target group in the region's area order, then the target groups' order."""
    rows = sorted(({**c, "area_name": areas.get(c["area"]), "target_group_name": label(TARGET_GROUPS,
                                                                                       c["target_group"])}
                   for c in cells), key=_order(list(areas)))
    return {"total": sum(c["needs"] for c in cells), "cells": section(rows, limit=LIMITS["cells"])}


def proposals(rows: Sequence[Mapping], *, per_status: Sequence[Mapping], estimated_total: Decimal) -> dict:
    counts = {r["status"]: r["count"] for r in per_status}
    return {**section([{**r, "status_label": label(PROPOSAL_STATUSES, r["status"])} for r in rows],
                      total=sum(counts.values()), limit=LIMITS["proposals"]),
            "by_status": [{"status": s, "label": label(PROPOSAL_STATUSES, s), "count": counts[s]}
                          for s in [*PROPOSAL_STATUSES, *sorted(set(counts) - set(PROPOSAL_STATUSES))]
                          if counts.get(s)],
            "estimated_total": estimated_total}


def rounds(rows: Sequence[Mapping], total: int) -> dict:
    """Closed rounds, each with its ranking (already bounded by the store)."""
    return section(list(rows), total=total, limit=LIMITS["rounds"])


def participation(rows: Sequence[Mapping], total: int) -> dict:
    keys = ("sessions_held", "organisations_present", "in_person", "remote")
    shown = section([{**r, "kind_label": label(TABLE_KINDS, r["kind"])} for r in rows], total=total,
                    limit=LIMITS["tables"])
    return {**shown, "totals": {k: sum(r[k] for r in shown["rows"]) for k in keys}}
