"""`pdz demo`: a small demo loaded through the HTTP APIs of a running suite.

The organisations are the kinds an Ambito's network really holds (seed 001,
DOMAIN.md); their tax codes are fictitious, built with a valid check digit, so
that nobody's real code ends up in a demo.
"""
from __future__ import annotations

import hashlib
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

from stdnum import luhn

from shared.cli import demo_budget, demo_consultation, demo_merged
from shared.cli.demo_logins import demo_logins, login_lines
from shared.cli.demo_consultation import CONSULTATION
from shared.cli.demo_http import call as _call, http as _http
from shared.config import Settings
from shared.http.auth import mint_dev_token
from shared.tenants import load_catalogue
from shared.web.settings import WebSettings

REGISTRY = "http://127.0.0.1:58081"
REPORTING = "http://127.0.0.1:58084"

# tenant -> [(name, type, runts_section, province office code)]
DEMO = {
    "lagonegrese": [
        ("Comune di Lauria", "comune", None, "076"),
        ("Comune di Lagonegro", "comune", None, "076"),
        ("Comune di Maratea", "comune", None, "076"),
        ("Istituto di Istruzione Superiore di Lagonegro", "school", None, "076"),
    ],
    "pollino": [
        ("Comune di Viggianello", "comune", None, "076"),
        ("Comune di Rotonda", "comune", None, "076"),
        ("Comune di Senise", "comune", None, "076"),
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


# FASE 1 in Basilicata (seed 001): the Ambiti's comuni with approximate populations
# (DOMAIN.md: "populations approximate: label them so"), found by name in the
# official ISTAT list through the API, never typed in as codes.
POPULATION_DATE = "2025-01-01"
PROFILES = {
    "lagonegrese": {
        "name": "Ambito Socio Territoriale Lagonegrese", "capofila": "Lauria",
        "ente_gestore": "Comune di Lauria (capofila)", "asl_district": "ASP Potenza - Distretto di Lauria",
        "comuni": {"Lauria": 12500, "Lagonegro": 5200, "Maratea": 5000, "Latronico": 4300, "Nemoli": 1500,
                   "Rivello": 2700, "Trecchina": 2200, "Castelluccio Superiore": 750,
                   "Castelluccio Inferiore": 2000},
    },
    "pollino": {
        "name": "Ambito Socio Territoriale Pollino", "capofila": "Viggianello",
        "ente_gestore": "Comune di Viggianello (capofila)", "asl_district": "ASP Potenza - Distretto di Senise",
        "comuni": {"Viggianello": 2900, "Rotonda": 3300, "San Severino Lucano": 1500, "Senise": 6900,
                   "Francavilla in Sinni": 4000, "Chiaromonte": 1800},
    },
    # Profiles only (no FASE 1 call): the territory that consultation's community profile shows.
    "fasano": {
        "name": "Ambito Territoriale Sociale di Fasano", "capofila": "Fasano",
        "ente_gestore": "Consorzio CIISAF", "asl_district": "ASL Brindisi - Distretto di Fasano",
        "comuni": {"Fasano": 38700, "Cisternino": 11400, "Ostuni": 30700},
    },
}
PROFILES["lagonegrese-pollino"] = {
    "name": "Ambito Socio Territoriale Lagonegrese-Pollino", "capofila": "Viggianello",
    "ente_gestore": "Comune di Viggianello (capofila)", "asl_district": "ASP Potenza - Distretti di Lauria e Senise",
    "comuni": {**PROFILES["lagonegrese"]["comuni"], **PROFILES["pollino"]["comuni"]},
}
CALL = {
    "title": "Avviso pubblico di manifestazione di interesse per la partecipazione alla costruzione "
             "del Piano Intercomunale dei servizi sociali e sociosanitari 2026-2028",
    "description": "FASE 1: costruzione della rete dei soggetti chiamati alla definizione partecipata del Piano.",
    "requirements": "Soggetti pubblici, parti sociali e sindacali, organizzazioni del terzo settore e "
                    "dell'impresa sociale con sede o attività nell'Ambito.",
    "areas": [str(n) for n in range(1, 10)],
}
# (organisation, type, RUNTS section, seat, areas, representative, decision)
APPLICATIONS = {
    "lagonegrese": [
        ("Associazione Volontari Lagonegresi ODV", "ets", "a", "Lagonegro", ["3", "6"], "rep-avl", "admit"),
        ("Cooperativa Sociale Il Sentiero", "social_cooperative", None, "Lauria", ["5", "6"], "rep-sentiero", "admit"),
        ("APS Maratea Insieme", "ets", "b", "Maratea", ["2", "4"], "rep-maratea", "admit"),
        ("Circolo Ricreativo Trecchina", "other", None, "Trecchina", ["3"], "rep-trecchina", "reject"),
    ],
    "pollino": [
        ("APS Pollino Solidale", "ets", "b", "Rotonda", ["4", "9"], "rep-pollino", "admit"),
        ("Cooperativa Sociale Valle del Sinni", "social_cooperative", None, "Senise", ["5", "6"], "rep-sinni", "admit"),
        ("Fondazione di Comunità del Pollino", "ets", "c", "Viggianello", ["1", "2"], "rep-fondazione", "admit"),
        ("Istituto Comprensivo di Rotonda", "school", None, "Rotonda", ["2"], "rep-ic-rotonda", None),
    ],
}
REJECTION = "La sede e l'attività dichiarate non rientrano nei requisiti dell'art. 3 dell'avviso."


def _comune(tenant: str, token: str, name: str) -> str:
    status, found = _call("GET", f"{REGISTRY}/v1/{tenant}/comuni?name={urllib.parse.quote(name)}", token)
    exact = [c for c in found if c["name"].casefold() == name.casefold()] if status == 200 else []
    if len(exact) != 1:
        raise RuntimeError(f"comune {name!r} not found once in the ISTAT list: {found}")
    return exact[0]["istat_code"]


def _profile(tenant: str, operator: str) -> None:
    """The Ambito's profile (comuni and approximate populations), unless it has one."""
    spec = PROFILES[tenant]
    if _call("GET", f"{REGISTRY}/v1/{tenant}/profile", operator)[0] == 404:
        codes = {name: _comune(tenant, operator, name) for name in spec["comuni"]}
        status, body = _call("PUT", f"{REGISTRY}/v1/{tenant}/profile", operator, {
            "name": spec["name"], "capofila_istat": codes[spec["capofila"]], "ente_gestore": spec["ente_gestore"],
            "asl_district": spec["asl_district"],
            "comuni": [{"istat_code": codes[n], "population": p, "population_date": POPULATION_DATE}
                       for n, p in spec["comuni"].items()]})
        if status != 200:
            raise RuntimeError(f"profile of {tenant}: {status} {body}")


def _fase_1(tenant: str, settings: Settings) -> str:
    """Profile, call, applications and review for one Ambito; a line saying what was done."""
    operator = mint_dev_token(key=settings.jwt_dev_key, subject=f"ufficio-di-piano-{tenant}",
                              roles=["operator"], tenants=[tenant])
    _profile(tenant, operator)
    if tenant not in APPLICATIONS:
        return f"{tenant}: profile"
    status, calls = _call("GET", f"{REGISTRY}/v1/{tenant}/calls?status=published&limit=500", operator)
    existing = [c for c in calls.get("items", []) if c["title"] == CALL["title"] and c["accepting_applications"]]
    if existing:
        call = existing[0]  # an earlier run's call
    else:
        now = datetime.now(timezone.utc)
        status, call, headers = _http("POST", f"{REGISTRY}/v1/{tenant}/calls", operator, {
            **CALL, "opens_at": (now - timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=45)).isoformat()})
        if status != 201:
            raise RuntimeError(f"call of {tenant}: {status} {call}")
        status, call = _call("POST", f"{REGISTRY}/v1/{tenant}/calls/{call['id']}/publish", operator,
                             If_Match=headers["ETag"])
    filed = 0
    for name, type_, section, seat, areas, rep, decision in APPLICATIONS[tenant]:
        representative = mint_dev_token(key=settings.jwt_dev_key, subject=rep, roles=["stakeholder"],
                                        tenants=[tenant])
        status, application, answer = _http("POST", f"{REGISTRY}/v1/{tenant}/applications", representative, {
            "call_id": call["id"],
            "organisation": {"name": name, "type": type_, "runts_section": section,
                             "tax_code": demo_tax_code(name, "076"), "seat_istat": _comune(tenant, operator, seat)},
            "legal_representative": {"full_name": f"Legale rappresentante di {name}"},
            "contact_person": {"full_name": f"Referente di {name}", "email": f"{rep}@example.org"},
            "areas": areas,
            "declarations": {"possesso_requisiti": True, "assenza_cause_esclusione": True,
                             "presa_visione_informativa_privacy": True}}, Idempotency_Key=f"demo-{tenant}-{rep}")
        if status == 409 or answer.get("Idempotent-Replayed"):
            continue  # already filed by an earlier run
        if status != 201:
            raise RuntimeError(f"application of {name}: {status} {application}")
        filed += 1
        if decision == "admit":
            _call("POST", f"{REGISTRY}/v1/{tenant}/applications/{application['id']}/admit", operator)
        elif decision == "reject":
            _call("POST", f"{REGISTRY}/v1/{tenant}/applications/{application['id']}/reject", operator,
                  {"reason": REJECTION})
    return f"{tenant}: profile, call {call['id']} ({call['status']}), {filed} new applications"


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
    for tenant in PROFILES:
        print(f"[pdz] demo: FASE 1 {_fase_1(tenant, settings)} (populations approximate, for the demo)")
    admitted = {t: sum(1 for a in apps if a[-1] == "admit") for t, apps in APPLICATIONS.items()}
    expected = {tenant: len(orgs) + admitted.get(tenant, 0) for tenant, orgs in DEMO.items()}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        counts = {t: _call("GET", f"{REPORTING}/v1/{t}/statistics/stakeholders", admin)[1].get("total")
                  for t in DEMO}
        # At least the demo's own: an earlier run or a user may have added more.
        if all((counts.get(t) or 0) >= n for t, n in expected.items()):
            break
        time.sleep(0.5)
    else:
        print(f"[pdz] demo: reporting shows {counts}, expected {expected}; see .pdz/logs/")
        return 1
    try:
        for line in demo_consultation.load_all(settings):
            print(f"[pdz] demo: FASE 2 {line}")
        for line in demo_merged.show(settings, reporting=REPORTING):
            print(f"[pdz] demo: ambito unito {line}")
        for line in demo_budget.load(settings):
            print(f"[pdz] demo: FASE 3 {line}")
    except RuntimeError as exc:
        print(f"[pdz] demo: {exc}")
        return 1
    viewer = mint_dev_token(key=settings.jwt_dev_key, subject="demo-viewer", roles=["regional-admin"],
                            tenants=[], ttl_seconds=7 * 24 * 3600)
    print(f"""
[pdz] demo loaded: the events went registry -> outbox -> Kafka -> reporting.
  Stakeholder statistics:   curl -H "Authorization: Bearer $TOKEN" {REPORTING}/v1/lagonegrese-pollino/statistics/stakeholders
  Fund figures (FASE 3):    curl -H "Authorization: Bearer $TOKEN" "{REPORTING}/v1/lagonegrese-pollino/statistics/funds?year=2025"
  Former territories compared: curl -H "Authorization: Bearer $TOKEN" {REPORTING}/v1/lagonegrese-pollino/statistics/comparison
  Needs by origin:          curl -H "Authorization: Bearer $TOKEN" "{CONSULTATION}/v1/lagonegrese-pollino/needs?origin=lagonegrese"
  Stakeholder register:     curl -H "Authorization: Bearer $TOKEN" {REGISTRY}/v1/fasano/stakeholders
  Ambito profile:           curl -H "Authorization: Bearer $TOKEN" {REGISTRY}/v1/pollino/profile
  Calls and applications:   curl -H "Authorization: Bearer $TOKEN" {REGISTRY}/v1/lagonegrese/applications
  Public register (no token): {REGISTRY}/v1/lagonegrese/public/stakeholders.csv  (.xlsx)
  API documents:            {REGISTRY}/openapi.json   {CONSULTATION}/openapi.json   {REPORTING}/openapi.json   (Swagger UI at /docs)
  Metrics / health:         {REGISTRY}/metrics  {REGISTRY}/readyz   relay 127.0.0.1:59181/readyz  consumer 127.0.0.1:59184/readyz  (and /metrics, /livez)
  Consultation health:      {CONSULTATION}/readyz   relay 127.0.0.1:59182/readyz  consumer 127.0.0.1:59185/readyz  (and /metrics, /livez)
  Budget health:            http://127.0.0.1:58083/readyz   relay 127.0.0.1:59183/readyz  consumer 127.0.0.1:59186/readyz  (and /metrics, /livez)
  Logs:                     .pdz/logs/    Stop: make stop
  TOKEN (regional admin, 7 days):
export TOKEN={viewer}
""")
    # How to log in locally as each role (README, "Logging in locally"); then the portal, last.
    catalogue = load_catalogue(settings.tenants_file, settings.database_url)
    names = {slug: catalogue.get(slug).name for slug in DEMO if catalogue.get(slug) is not None}
    logins = demo_logins(ambiti=list(DEMO), featured="lagonegrese-pollino", region="basilicata")
    print("\n".join(login_lines(logins, urls=WebSettings.from_env().urls, names=names)))
    # Last line of `make demo`: the public portal, no token needed (docs/reporting.md, The public portal).
    print(f"[pdz] portale pubblico della trasparenza (senza accesso): {REPORTING}/portale/")
    return 0
