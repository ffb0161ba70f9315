"""`pdz demo`: a small demo loaded through the HTTP APIs of a running suite.

The organisations are the kinds an Ambito's network really holds (seed 001,
DOMAIN.md); their tax codes are fictitious, built with a valid check digit, so
that nobody's real code ends up in a demo.
"""
from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request

from stdnum import luhn

from shared.config import Settings
from shared.http.auth import mint_dev_token

REGISTRY = "http://127.0.0.1:58081"
REPORTING = "http://127.0.0.1:58084"

# tenant -> [(name, type, runts_section, province office code)]
DEMO = {
    "lagonegrese": [
        ("Comune di Lauria", "comune", None, "076"),
        ("Comune di Lagonegro", "comune", None, "076"),
        ("Comune di Maratea", "comune", None, "076"),
        ("Associazione Volontari Lagonegresi ODV", "ets", "a", "076"),
        ("Cooperativa Sociale Il Sentiero", "social_cooperative", None, "076"),
    ],
    "pollino": [
        ("Comune di Viggianello", "comune", None, "076"),
        ("Comune di Rotonda", "comune", None, "076"),
        ("Comune di Senise", "comune", None, "076"),
        ("APS Pollino Solidale", "ets", "b", "076"),
        ("Istituto Comprensivo di Rotonda", "school", None, "076"),
    ],
    "lagonegrese-pollino": [
        ("Comune di Viggianello (capofila)", "comune", None, "076"),
        ("Azienda Sanitaria Locale di Potenza - Distretto di Lauria", "health_authority", None, "076"),
        ("CGIL Basilicata - Lega Lagonegrese", "trade_union", None, "076"),
        ("Forum del Terzo Settore Lagonegrese-Pollino", "representative_body", None, "076"),
        ("Cooperativa Sociale Aurora", "social_cooperative", None, "076"),
        ("Fondazione di Comunità del Pollino", "ets", "c", "076"),
    ],
    "fasano": [
        ("Comune di Fasano (capofila)", "comune", None, "074"),
        ("Comune di Cisternino", "comune", None, "074"),
        ("Comune di Ostuni", "comune", None, "074"),
        ("Consorzio CIISAF", "public_body", None, "074"),
        ("Caritas Cittadina Fasano ODV", "ets", "a", "074"),
    ],
}


def demo_tax_code(name: str, office: str) -> str:
    """A fictitious partita IVA with a valid check digit, stable for a name.

    Only seven digits are free, so two names can collide (about one pair in
    a few thousand names): callers that need many distinct codes use
    `numbered_tax_code`."""
    return numbered_tax_code(int(hashlib.sha256(name.encode()).hexdigest(), 16) % 9_999_999 + 1, office)


def numbered_tax_code(number: int, office: str) -> str:
    """The fictitious partita IVA number `number` (1 to 9 999 999) of a province office."""
    body = f"{number:07d}"
    return body + office + luhn.calc_check_digit(body + office)


def _call(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def load(settings: Settings) -> int:
    admin = mint_dev_token(key=settings.jwt_dev_key, subject="demo-loader", roles=["regional-admin", "operator"],
                           tenants=list(DEMO))
    created = existing = 0
    for tenant, organisations in DEMO.items():
        for name, type_, section, office in organisations:
            status, body = _call("POST", f"{REGISTRY}/v1/{tenant}/stakeholders", admin, {
                "name": name, "type": type_, "tax_code": demo_tax_code(name, office), "runts_section": section})
            if status == 201:
                created += 1
            elif status == 409:
                existing += 1
            else:
                print(f"[pdz] demo: {tenant} / {name}: {status} {body}")
                return 1
    print(f"[pdz] demo: {created} stakeholders registered, {existing} were already there")
    expected = {tenant: len(orgs) for tenant, orgs in DEMO.items()}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        counts = {t: _call("GET", f"{REPORTING}/v1/{t}/statistics/stakeholders", admin)[1].get("total")
                  for t in DEMO}
        if counts == expected:
            break
        time.sleep(0.5)
    else:
        print(f"[pdz] demo: reporting shows {counts}, expected {expected}; see .pdz/logs/")
        return 1
    viewer = mint_dev_token(key=settings.jwt_dev_key, subject="demo-viewer", roles=["regional-admin"],
                            tenants=[], ttl_seconds=7 * 24 * 3600)
    print(f"""
[pdz] demo loaded: the events went registry -> outbox -> Kafka -> reporting.
  Stakeholder statistics:   curl -H "Authorization: Bearer $TOKEN" {REPORTING}/v1/lagonegrese-pollino/statistics/stakeholders
  Stakeholder register:     curl -H "Authorization: Bearer $TOKEN" {REGISTRY}/v1/fasano/stakeholders
  API documents:            {REGISTRY}/openapi.json   {REPORTING}/openapi.json   (Swagger UI at /docs)
  Metrics / health:         {REGISTRY}/metrics  {REGISTRY}/readyz   relay 127.0.0.1:59181/metrics  consumer 127.0.0.1:59184/metrics
  Logs:                     .pdz/logs/    Stop: make stop
  TOKEN (regional admin, 7 days):
export TOKEN={viewer}
""")
    return 0
