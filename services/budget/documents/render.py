"""The Piano Sociale di Zona as HTML: Jinja2 template (autoescaped), Italian formatting. Pure: no I/O beyond
reading the template, no clock (the caller says when the document is made)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from shared.documents import italian
from shared.money import parse_amount

from services.budget.documents.labels import (KINDS, MILESTONE_STATUSES, NEED_STATUSES, PHASES, STATES, TABLE_KINDS,
                                              TABLE_STATUSES, TARGET_GROUPS, label, version_label)
from services.budget.documents.views import ZERO, Views

TEMPLATES = Path(__file__).parent / "templates"
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"], default=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
TITLE = "Piano Sociale di Zona"


def css_string(text: str) -> Markup:
    """A CSS string literal for the page margins (HTML escaping does not apply inside <style>)."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&\n' else ch for ch in str(text))
    return Markup(f'"{escaped}"')


def _day(value) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return italian.day(value)


def _short(value) -> str:
    """'01/04/2026': dates in narrow table columns."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return "" if value is None else value.strftime("%d/%m/%Y")


_ENV.filters.update(day=_day, short=_short, moment=italian.moment, number=italian.number, money=italian.money,
                    css_string=css_string)


def _comuni_names(codes, names: dict) -> str:
    return ", ".join(names.get(c, c) for c in codes) if codes else "tutto l'Ambito"


def _interventions_by_area(snapshot: dict, views: Views, *, area_names, comuni, organisations, leps_names,
                           proposal_titles) -> list[dict]:
    cofinancing = defaultdict(list)
    for c in snapshot["cofinancing"]:
        cofinancing[c["intervention_id"]].append(c)
    allocations = defaultdict(list)
    for a in snapshot["allocations"]:
        allocations[a["intervention_id"]].append(a)
    areas: dict[str, dict] = {}
    for line in views.interventions:
        e = line.extra["entry"]
        area = areas.setdefault(e["area"], {"code": e["area"], "name": area_names.get(e["area"], e["area"]),
                                            "interventions": [], "line": None})
        area["interventions"].append({
            **e, "line": line, "target_label": label(TARGET_GROUPS, e["target_group"]),
            "kind_label": label(KINDS, e["kind"]), "leps_names": [leps_names.get(c, c) for c in e["leps"]],
            "managing_body_name": organisations.get(e.get("managing_body") or "", ""),
            "comuni_names": _comuni_names(e["comuni"], comuni),
            "proposal_titles": [proposal_titles.get(p, p) for p in e["proposals"]],
            "allocations": [{**a, "amount": parse_amount(a["amount"])} for a in allocations[e["id"]]],
            "cofinancing": [{**c, "total": parse_amount(c["total"]),
                             "shares": [{**s, "name": comuni.get(s["istat_code"], s["istat_code"]),
                                         "amount": parse_amount(s["amount"])} for s in c["shares"]]}
                            for c in cofinancing[e["id"]]],
        })
    by_area = {line.key: line for line in views.by_area}
    ordered = [areas[line.key] for line in views.by_area if line.key in areas]
    ordered += [a for code, a in areas.items() if code not in by_area]  # interventions without money yet
    for area in ordered:
        area["line"] = by_area.get(area["code"])
    return ordered


def _cofinancing_tables(areas: list[dict]) -> list[dict]:
    """Per co-financed intervention: a row per comune with its share in each year, and the totals (Decimal)."""
    result = []
    for area in areas:
        for i in area["interventions"]:
            if not i["cofinancing"]:
                continue
            years = sorted(c["year"] for c in i["cofinancing"])
            rows: dict[str, dict] = {}
            for c in sorted(i["cofinancing"], key=lambda c: c["year"]):
                for share in c["shares"]:
                    row = rows.setdefault(share["istat_code"], {"name": share["name"], "amounts": {}})
                    row["population"] = share["population"]  # the latest year's
                    row["amounts"][c["year"]] = share["amount"]
            for row in rows.values():
                row["total"] = sum(row["amounts"].values(), ZERO)
            result.append({"code": i["code"], "title": i["title"], "years": years,
                           "rows": sorted(rows.values(), key=lambda r: r["name"]),
                           "totals": {c["year"]: c["total"] for c in i["cofinancing"]},
                           "total": sum((c["total"] for c in i["cofinancing"]), ZERO)})
    return result


def _participation(tables, needs, proposals, *, area_names, comuni, codes_by_proposal) -> list[dict]:
    by_table = defaultdict(list)
    for n in needs:
        by_table[str(n["table_id"])].append({**n, "area_name": area_names.get(n["area"], n["area"]),
                                             "target_label": label(TARGET_GROUPS, n["target_group"]),
                                             "status_label": label(NEED_STATUSES, n["status"]),
                                             "comuni_names": _comuni_names(n["comuni"], comuni)})
    accepted = defaultdict(list)
    for p in proposals:
        accepted[str(p["table_id"])].append({**p, "answered_by": codes_by_proposal.get(str(p["proposal_id"]), []),
                                             "areas_names": [area_names.get(a, a) for a in p["areas"]]})
    result = [{**t, "kind_label": label(TABLE_KINDS, t["kind"]), "status_label": label(TABLE_STATUSES, t["status"]),
               "areas_names": [area_names.get(a, a) for a in t["areas"]],
               "needs": by_table.pop(str(t["table_id"]), []), "proposals": accepted.pop(str(t["table_id"]), [])}
              for t in tables]
    orphans_needs = [n for rows in by_table.values() for n in rows]
    orphans_proposals = [p for rows in accepted.values() for p in rows]
    if orphans_needs or orphans_proposals:  # their table's event has not arrived (or predates the replica)
        result.append({"title": "Altri fabbisogni e proposte", "kind_label": "", "status_label": "", "areas_names": [],
                       "origin": None, "needs": orphans_needs, "proposals": orphans_proposals})
    return result


def piano_html(*, ambito: str, region_name: str | None, tenant: str, plan: dict, version: dict, live: bool,
               snapshot: dict, views: Views, area_names: dict, fund_names: dict, leps_names: dict,
               territory: dict | None, tables: list, needs: list, needs_count: int, proposals: list,
               milestones: list, organisations: dict, generated_at: datetime) -> str:
    """The Piano of a version: cover, contents, territory, participation, interventions, money, cronoprogramma."""
    comuni = {c["istat_code"]: c["name"] for c in (territory or {}).get("comuni", [])}
    codes_by_proposal = defaultdict(list)
    for e in snapshot["interventions"]:
        for p in e["proposals"]:
            codes_by_proposal[p].append(e["code"])
    proposal_titles = {str(p["proposal_id"]): p["title"] for p in proposals}
    capofila = comuni.get(territory["capofila_istat"], territory["capofila_istat"]) if territory else None
    areas = _interventions_by_area(snapshot, views, area_names=area_names, comuni=comuni, organisations=organisations,
                                   leps_names=leps_names, proposal_titles=proposal_titles)
    footer = (f"{TITLE} {plan['first_year']}-{plan['last_year']} – {version_label(version)}"
              f"{' (bozza: contenuto ancora modificabile)' if live else ''}. Generato il {italian.moment(generated_at)}.")
    return _ENV.get_template("piano.html").render(
        ambito=ambito, region_name=region_name, document_title=TITLE, plan=plan, version=version, live=live,
        version_label=version_label(version), state_label=label(STATES, version["state"]),
        generated_at=generated_at, generated_at_iso=generated_at.isoformat(), footer_note=footer,
        territory=territory, capofila=capofila, views=views, years=views.years,
        areas=areas, cofinancing=_cofinancing_tables(areas),
        fund_names=fund_names,
        tables=_participation(tables, needs, proposals, area_names=area_names, comuni=comuni,
                              codes_by_proposal=codes_by_proposal),
        needs_count=needs_count, needs_shown=len(needs), proposals_count=len(proposals), tenant=tenant,
        milestones=[{**m, "phase_label": label(PHASES, m["phase"]), "status_label": label(MILESTONE_STATUSES, m["status"])}
                    for m in milestones],
        schedule=sorted(snapshot["interventions"], key=lambda e: (e.get("planned_start") or "9999", e["code"])))
