"""`pdz demo`, the merged Ambito (seed 000, issue 9): Lagonegrese-Pollino sees the organisations, tables and
needs of its former Ambiti Lagonegrese and Pollino marked by `origin` (their events reach its consultation
database through the consumer: the demo waits for them with a deadline), makes its standing table (tavolo di
consultazione permanente) with every organisation of the three registers in one request, and reporting
compares the two former territories. Through the HTTP APIs only; idempotent like the rest of the demo.
"""
from __future__ import annotations

import time
import urllib.error
from collections import Counter
from decimal import Decimal

from shared.cli.demo_consultation import CONSULTATION, FORMER
from shared.cli.demo_http import call, every, http
from shared.config import Settings
from shared.http.auth import mint_dev_token

MERGED = "lagonegrese-pollino"
STANDING = {
    "kind": "standing", "title": "Tavolo di consultazione permanente dell'Ambito Lagonegrese-Pollino",
    "description": "Aperto a tutti gli attori sociali dei due ex Ambiti: segue, anno per anno, l'allineamento dei "
                   "servizi e raccoglie nuove proposte per il Piano (seed 000).",
    "areas": [str(n) for n in range(1, 10)], "membership": "open",
    "coordinator": "coord-lagonegrese-pollino-permanente"}


def _expected() -> dict[str, dict[str, set]]:
    """What each former Ambito's demo holds, by kind of record: the titles and names to find in the merged one."""
    return {tenant: {"needs": {n["title"] for work in spec["work"].values() for n in work["needs"]},
                     "tables": {t[1] for t in spec["tables"]}, "organisations": set(spec["accounts"])}
            for tenant, spec in FORMER.items()}


def _listing(base: str, token: str) -> dict[str, list]:
    """The merged Ambito's lists (organisations active, tables, needs), each item with its origin."""
    return {"organisations": every(f"{base}/v1/{MERGED}/organisations?status=active", token),
            "tables": every(f"{base}/v1/{MERGED}/tables", token),
            "needs": every(f"{base}/v1/{MERGED}/needs", token)}


def _missing(listing: dict[str, list]) -> list[str]:
    """What of the former Ambiti's demo the merged Ambito does not show yet, with the right origin."""
    missing = []
    for tenant, kinds in _expected().items():
        for kind, wanted in kinds.items():
            field = "name" if kind == "organisations" else "title"
            shown = {item[field] for item in listing[kind] if item["origin"] == tenant}
            missing += [f"{kind} {tenant}: {name}" for name in sorted(wanted - shown)]
    return missing


def wait_for_former(*, base: str, token: str, wait_seconds: float) -> dict[str, list]:
    """Until the merged Ambito lists every former Ambito's demo record with its origin, or the deadline."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            listing = _listing(base, token)
            missing = _missing(listing)
        except (RuntimeError, urllib.error.URLError, ConnectionError) as exc:
            listing, missing = {}, [str(exc)]   # not answering yet: the deadline decides
        if not missing:
            return listing
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{MERGED} does not show yet: {missing[:5]}; see .pdz/logs/consultation-consumer.log. Records made"
                " before the share was in force (a stack older than the catalogue's merged_from) need a backfill:"
                " PDZ_ENV=development pdz republish --service registry --tenant lagonegrese --data"
                " registry.stakeholders (and --service consultation --data consultation.tables --data"
                " consultation.needs; the same for pollino)")
        time.sleep(0.5)   # polling interval, not a synchronisation: the loop checks the condition


def _by_origin(items: list, own: str) -> str:
    """e.g. "3 bisogni propri, 2 da lagonegrese, 2 da pollino" (`own`: "bisogni propri")."""
    counts = Counter(item["origin"] for item in items)
    return ", ".join([f"{counts.pop(MERGED, 0)} {own}"] + [f"{n} da {o}" for o, n in sorted(counts.items())])


def standing_table(*, base: str, token: str, organisations: dict) -> str:
    """The standing table, created once (found by title), with every organisation of the three registers."""
    url = f"{base}/v1/{MERGED}/tables"
    found = [t for t in every(f"{url}?origin={MERGED}&kind=standing", token) if t["title"] == STANDING["title"]]
    if found:
        table = found[0]
    else:
        status, table, _ = http("POST", url, token, STANDING, Idempotency_Key=f"demo-{MERGED}-standing")
        if status != 201:
            raise RuntimeError(f"standing table of {MERGED}: {status} {table}")
    status, done = call("POST", f"{url}/{table['id']}/members/all", token, {})
    if status != 200:
        raise RuntimeError(f"every organisation at the standing table of {MERGED}: {status} {done}")
    members = every(f"{url}/{table['id']}/members?state=member", token)
    # a member's origin is the membership's (this Ambito's); the organisation's register says where it comes from
    origins = [{"origin": organisations.get(m["organisation_id"], MERGED)} for m in members]
    return (f"{MERGED}: «{table['title']}»: {len(members)} organizzazioni ({_by_origin(origins, 'proprie')}),"
            f" {len(done['added'])} aggiunte ora con POST /tables/{{id}}/members/all")


def comparison(*, reporting: str, token: str, wait_seconds: float) -> list[str]:
    """Reporting's comparison of the former territories: total and ETS share, the gap and its change."""
    deadline = time.monotonic() + wait_seconds
    while True:
        status, body = call("GET", f"{reporting}/v1/{MERGED}/statistics/comparison", token)
        if status == 200 and body.get("indicators"):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"reporting's comparison of {MERGED}: {status} {body}")
        time.sleep(0.5)   # polling interval: reporting's consumer may still be projecting
    rows = {row["indicator"]: row for row in body["indicators"]}
    # the total and the ETS share, then the indicator on which the territories differ most (seed 000: align)
    widest = max(body["indicators"], key=lambda row: Decimal(row["gap"]))["indicator"]
    lines = []
    for name in dict.fromkeys(("total", "ets_share", widest)):
        row = rows.get(name)
        if row:
            side = ", ".join(f"{t} {v}" for t, v in row["territories"].items())
            lines.append(f"{MERGED}: confronto «{name}»: {side}; divario {row['gap']}"
                         f" (a inizio anno {row['gap_previous_year']}, variazione {row['gap_change']})")
    return lines + _by_indicator(body) + [
        f"{MERGED}: {len(rows)} indicatori in {reporting}/v1/{MERGED}/statistics/comparison"]


def _by_indicator(body: dict) -> list[str]:
    """One line of the comparison of every registered indicator: a per-inhabitant (or share) figure both
    territories have, the widest gap first; else the count with the widest gap."""
    entries = body.get("by_indicator") or []
    found = [(entry, f) for entry in entries for f in entry["figures"]
             if f["gap"] is not None and all(v is not None for v in f["territories"].values())]
    if not found:
        return []
    entry, f = max(found, key=lambda pair: (pair[0]["comparable"], Decimal(pair[1]["gap"])))
    what = entry["name"] + "".join(f" {v}" for v in f["dimension"].values())
    side = ", ".join(f"{t} {v}" for t, v in f["territories"].items())
    return [f"{MERGED}: confronto {body['period']} «{what}» ({entry['unit']}): {side}; divario {f['gap']}"
            f" ({body['previous_period']}: {f['gap_previous_year']}, variazione {f['gap_change']});"
            f" {len(entries)} indicatori del catalogo, {sum(e['comparable'] for e in entries)} confrontabili"
            " per abitante o in quota"]


def show(settings: Settings, *, reporting: str, base: str = CONSULTATION, wait_seconds: float = 60) -> list[str]:
    """What the merged Ambito sees of its former Ambiti, its standing table, reporting's comparison; lines."""
    token = mint_dev_token(key=settings.jwt_dev_key, subject=f"ufficio-di-piano-{MERGED}", roles=["operator"],
                           tenants=[MERGED])
    listing = wait_for_former(base=base, token=token, wait_seconds=wait_seconds)
    origins = {o["id"]: o["origin"] for o in listing["organisations"]}
    return [f"{MERGED}: {_by_origin(listing['needs'], 'bisogni propri')};"
            f" {_by_origin(listing['organisations'], 'organizzazioni proprie')};"
            f" {_by_origin(listing['tables'], 'tavoli propri')} ({base}/v1/{MERGED}/needs?origin=pollino)",
            standing_table(base=base, token=token, organisations=origins),
            *comparison(reporting=reporting, token=token, wait_seconds=wait_seconds)]
