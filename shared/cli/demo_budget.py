"""`pdz demo`, FASE 3: Lagonegrese-Pollino's Piano 2024-2026 loaded through budget's HTTP API
(shared/cli/demo_budget_data.py), then its figures read back from reporting.

Idempotent: whatever exists is found and kept (the plan by its years, interventions by code, a decree
already recorded, an allocation that exists, a co-financing set, the approval steps already taken, acts
by their reference), so a second `pdz demo` adds nothing.
"""
from __future__ import annotations

import time
import urllib.parse
from decimal import Decimal

from shared.cli import demo_budget_data as data
from shared.cli.demo_http import call, every, http
from shared.config import Settings
from shared.http.auth import mint_dev_token

BUDGET = "http://127.0.0.1:58083"
WAIT_SECONDS = 90
PATH = ("adopt", "approve", "send", "accept", "sign")


class Budget:
    """The Ufficio di Piano (and the Region's reviewer) of one Ambito talking to budget's API."""

    def __init__(self, settings: Settings, tenant: str):
        self.base = f"{BUDGET}/v1/{tenant}"
        self.tenant = tenant
        self.operator = mint_dev_token(key=settings.jwt_dev_key, subject=f"ufficio-di-piano-{tenant}",
                                       roles=["operator"], tenants=[tenant])
        self.reviewer = mint_dev_token(key=settings.jwt_dev_key, subject="regione-basilicata-revisore",
                                       roles=["regional-reviewer"], tenants=[])

    def get(self, path: str):
        status, body = call("GET", self.base + path, self.operator)
        if status != 200:
            raise RuntimeError(f"GET budget {path}: {status} {body}")
        return body

    def post(self, path: str, body: dict, *, ok=(201,), token=None, **headers):
        status, answer, _ = http("POST", self.base + path, token or self.operator, body, **headers)
        if status not in ok:
            raise RuntimeError(f"POST budget {path}: {status} {answer}")
        return status, answer

    def list(self, path: str) -> list:
        return every(self.base + path, self.operator)


def _until(probe, what: str):
    """Poll `probe` until it gives something or the deadline passes (the consumer fills the replicas)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise RuntimeError(f"budget: {what} did not arrive in {WAIT_SECONDS} s (budget consumer running?)")
        time.sleep(0.5)


def _replicas(budget: Budget) -> tuple[dict, dict]:
    """The organisations named by the demo (name -> id) and the accepted proposals (title -> id) of the Ambito."""
    names = {data.VIGGIANELLO, data.AURORA, *data.SIGNATORIES}

    def organisations():
        found = {o["name"]: o["id"] for o in budget.list(f"/organisations?origin={data.TENANT}&status=active")}
        return found if names <= set(found) else None

    orgs = _until(organisations, "the Ambito's organisations")
    _until(lambda: call("GET", f"{budget.base}/territory", budget.operator)[0] == 200, "the territory profile")
    wanted = {t for spec in data.INTERVENTIONS.values() for t in spec["answers"]}
    # The consultation demo accepts one of them in this Ambito: wait for it, take any other already there.
    proposals = _until(lambda: {p["title"]: p["id"] for p in budget.list("/accepted-proposals")
                                if p["title"] in wanted} or None, "the accepted proposals")
    return orgs, proposals


def _plan(budget: Budget) -> dict:
    found = budget.get(f"/plans?year={data.FIRST_YEAR}")["items"]
    if found:
        return found[0]
    return budget.post("/plans", {"first_year": data.FIRST_YEAR, "title": data.TITLE},
                       Idempotency_Key=f"demo-budget-plan-{data.FIRST_YEAR}")[1]


def _assignments(budget: Budget) -> int:
    made = 0
    recorded = {(a["fund"], a["year"], a["decree_reference"]) for a in budget.list("/fund-assignments")}
    for fund, years in data.ASSIGNMENTS.items():
        for year, (amount, decree, day) in years.items():
            if (fund, year, decree) in recorded:
                continue
            status, _ = budget.post("/fund-assignments", {"fund": fund, "year": year, "amount": amount,
                                                          "decree_reference": decree, "decree_date": day},
                                    ok=(201, 409), Idempotency_Key=f"demo-budget-{fund}-{year}")
            made += status == 201
    return made


def _content(budget: Budget, plan: dict, orgs: dict, proposals: dict) -> tuple[dict, int]:
    """Interventions, allocations and co-financing while the plan is editable: code -> intervention id, writes."""
    existing = {i["code"]: i["id"] for i in budget.list(f"/plans/{plan['id']}/interventions")}
    if plan["state"] not in ("draft", "returned"):
        return existing, 0
    writes = 0
    for code, spec in data.INTERVENTIONS.items():
        if code not in existing:
            body = {k: spec[k] for k in ("title", "description", "nomenclature_code", "area", "target_group",
                                         "leps", "kind")}
            body.update(code=code, managing_body=orgs[spec["managing_body"]], comuni=[],
                        investment=spec.get("investment", False), cup=spec.get("cup"),
                        planned_start=f"{data.FIRST_YEAR}-01-01", planned_end=f"{data.FIRST_YEAR + 2}-12-31",
                        proposal_ids=[proposals[t] for t in spec["answers"] if t in proposals])
            existing[code] = budget.post(f"/plans/{plan['id']}/interventions", body,
                                         Idempotency_Key=f"demo-budget-{code}")[1]["id"]
            writes += 1
        for fund, amounts in spec["allocations"].items():
            for year, amount in zip(data.YEARS, amounts):
                status, _ = budget.post(f"/interventions/{existing[code]}/allocations",
                                        {"fund": fund, "year": year, "amount": amount}, ok=(201, 409),
                                        Idempotency_Key=f"demo-budget-{code}-{fund}-{year}")
                writes += status == 201
        for year, total in zip(data.YEARS, spec["cofinancing"] or ()):
            url = f"{budget.base}/interventions/{existing[code]}/cofinancing/{year}"
            if call("GET", url, budget.operator)[0] == 404:
                status, answer, _ = http("PUT", url, budget.operator, {"total": total})
                if status != 201:
                    raise RuntimeError(f"co-financing {code} {year}: {status} {answer}")
                writes += 1
    return existing, writes


def _approve(budget: Budget, plan_id: str, orgs: dict) -> list[str]:
    """The steps of the approval path not taken yet: adopt, approve, send, accept (the Region), sign."""
    status, plan, headers = http("GET", f"{budget.base}/plans/{plan_id}", budget.operator)
    taken = []
    bodies = {"approve": {"approval_act": data.APPROVAL_ACT},
              "sign": {"signed_on": data.SIGNED_ON, "signatories": [orgs[n] for n in data.SIGNATORIES]}}
    while status == 200 and (step := next((a for a in PATH if a in plan["allowed_actions"]), None)):
        token = budget.reviewer if step == "accept" else budget.operator
        status, plan, headers = http("POST", f"{budget.base}/plans/{plan_id}/versions/{plan['current_version']}/"
                                     f"{step}", token, bodies.get(step, {}), If_Match=headers["ETag"])
        if status != 200:
            raise RuntimeError(f"plan {step}: {status} {plan}")
        taken.append(step)
    return taken


def _acts(budget: Budget, interventions: dict, orgs: dict) -> tuple[int, int]:
    """The commitments and payments not recorded yet (found by their act reference)."""
    commitments = payments = 0
    for code, fund, year, amount, day, reference, supplier, paid in data.ACTS:
        query = urllib.parse.urlencode({"intervention_id": interventions[code], "fund": fund, "year": year})
        [allocation] = budget.get(f"/allocations?{query}")["items"]
        recorded = {c["act_reference"]: c for c in budget.list(f"/allocations/{allocation['id']}/commitments")}
        commitment = recorded.get(reference)
        if commitment is None:
            body = {"amount": amount, "act_date": day, "act_reference": reference,
                    "supplier_id": orgs[supplier] if supplier else None}
            commitment = budget.post(f"/allocations/{allocation['id']}/commitments", body,
                                     Idempotency_Key=f"demo-budget-{reference}")[1]
            commitments += 1
        done = {p["act_reference"] for p in budget.list(f"/commitments/{commitment['id']}/payments")}
        for paid_amount, paid_day, paid_reference in paid:
            if paid_reference not in done:
                budget.post(f"/commitments/{commitment['id']}/payments",
                            {"amount": paid_amount, "act_date": paid_day, "act_reference": paid_reference},
                            Idempotency_Key=f"demo-budget-{paid_reference}")
                payments += 1
    return commitments, payments


def _per_fund(budget: Budget) -> dict:
    """Assigned, allocated, committed, paid per fund over the triennium (budget's own summary)."""
    totals: dict = {}
    for line in budget.get("/expenditure/summary")["lines"]:
        if line["year"] in data.YEARS:
            fund = totals.setdefault(line["fund_code"], dict.fromkeys(("assigned", "allocated", "committed",
                                                                         "paid"), Decimal("0.00")))
            for key in fund:
                fund[key] += Decimal(line[key])
    return totals


def load(settings: Settings) -> list[str]:
    """The demo plan of Lagonegrese-Pollino; the lines to print (what was done, the totals per fund)."""
    budget = Budget(settings, data.TENANT)
    orgs, proposals = _replicas(budget)
    plan = _plan(budget)
    assigned = _assignments(budget)
    interventions, writes = _content(budget, plan, orgs, proposals)
    steps = _approve(budget, plan["id"], orgs)
    commitments, payments = _acts(budget, interventions, orgs)
    answered = sorted(t for spec in data.INTERVENTIONS.values() for t in spec["answers"] if t in proposals)
    lines = [f"{data.TENANT}: piano {data.FIRST_YEAR}-{data.FIRST_YEAR + 2} ({len(interventions)} interventi, "
             f"{assigned} nuovi decreti, {writes} nuove righe di contenuto, passaggi {', '.join(steps) or 'nessuno'}"
             f", {commitments} nuovi impegni, {payments} nuove liquidazioni); proposte accolte a cui risponde: "
             f"{'; '.join(answered) or 'nessuna'}"]
    labels = {"assigned": "assegnato", "allocated": "ripartito", "committed": "impegnato", "paid": "liquidato"}
    for fund, figures in sorted(_per_fund(budget).items()):
        lines.append(f"  {fund:<15} " + "  ".join(f"{labels[k]} {euro(v):>12}" for k, v in figures.items()))
    return lines


def euro(amount: Decimal) -> str:
    """An amount as Italians write it: 2.190.000,00."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
