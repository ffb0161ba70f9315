"""The world of test_reporting_money_indicators.py: budget events of three Ambiti, and the figures computed here.

Not a test module (no tests): the events it makes are valid against the catalogue; the figures are computed
from the plain records it keeps, independently of the providers' SQL.
"""
import copy
import json
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from shared.events.envelope import new_event
from shared.money import format_amount

from services.reporting.indicators.model import ROME
from tests.contract.catalogue import assert_valid_event

EVENTS = Path(__file__).resolve().parents[2] / "events"
FUNDS = ("FNPS", "FNA", "POVERTA")
AREAS = ("1", "3", "4", "6")
LEPS = ("pronto-intervento-sociale", "dimissioni-protette", "pippi", "residenza-fittizia")
EDGES = (date(2025, 3, 31), date(2025, 4, 1), date(2025, 6, 30), date(2025, 7, 1), date(2025, 12, 31))
COMUNI = [[("076042", 12500), ("076039", 5200)], [("076097", 2900), ("076085", 1800)]]


def example(type_: str) -> dict:
    return copy.deepcopy(json.loads((EVENTS / type_ / "example.json").read_text()))


def money(cents: int) -> str:
    return format_amount(Decimal(cents) / 100)


def instant(day: date) -> str:
    return datetime.combine(day, datetime.min.time().replace(hour=10), ROME).isoformat()


class World:
    def __init__(self, rng, slugs):
        self.rng, self.slugs, self.events = rng, slugs, []
        self.interventions, self.allocations, self.commitments, self.payments = {}, {}, {}, {}
        self.assignments, self.residui, self.populations, self.url = {}, {}, {}, None
        for i, slug in enumerate(slugs):
            self.profile(slug, COMUNI[0] + COMUNI[1] if i == 2 else COMUNI[i])
            self.ambito(slug)
        self.ghost(slugs[1])

    def emit(self, tenant, kind, data):
        type_ = f"it.pdz.{kind}.v1"
        assert_valid_event(type_, data)
        self.events.append(new_event(type=type_, service=kind.split(".")[0], tenant=tenant, aggregate_id="s",
                                     data=data))

    def shuffled_events(self):
        events = self.events + [self.rng.choice(self.events) for _ in range(len(self.events) // 3)]
        self.rng.shuffle(events)
        return events

    def profile(self, slug, comuni):
        data = {**example("it.pdz.registry.profile.updated.v1"), "updated_at": "2024-12-01T10:00:00+00:00",
                "comuni": [{"istat_code": c, "name": f"Comune {c}", "province": "PZ", "population": p,
                            "population_date": "2024-01-01"} for c, p in comuni],
                "total_population": sum(p for _, p in comuni), "capofila_istat": comuni[0][0]}
        self.emit(slug, "registry.profile.updated", data)
        self.populations[slug] = dict(comuni)

    def population(self, tenants):
        union = {}
        for t in tenants:
            union.update(self.populations[t])
        return Decimal(sum(union.values()))

    def ambito(self, slug):
        rng, plan = self.rng, str(uuid.uuid4())
        self.emit(slug, "budget.plan.created", {**example("it.pdz.budget.plan.created.v1"), "plan_id": plan,
                                                "first_year": 2025, "last_year": 2027})
        for fund in FUNDS:
            self.assignment(slug, fund, 2025)
        if rng.random() < 0.8:
            self.assignment(slug, "FNPS", 2024)
            carried = rng.randrange(1, 2_000_000)
            self.residui[(slug, "FNPS")] = carried
            self.emit(slug, "budget.fund_year.closed", {
                **example("it.pdz.budget.fund_year.closed.v1"), "fund": "FNPS", "year": 2024, "to_year": 2025,
                "carried": money(carried), "origin": [{"allocation_id": None, "intervention_id": None,
                                                        "amount": money(carried)}]})
        for n in range(8):
            iid = self.intervention(slug, plan, n)
            for fund in rng.sample(FUNDS, rng.randrange(1, 3)):
                self.allocation(slug, iid, fund, 2025)
        first = next(i for i, v in self.interventions.items() if v["tenant"] == slug)
        old = self.allocation(slug, first, "FNPS", 2024, spend=False)
        self.act(old, date(2024, 11, 10), [date(2024, 12, 20), date(2025, 2, 15)])  # residui passivi paid in 2025
        # an intervention of a plan reporting never saw, planned for 2026 only: outside 2025
        self.intervention(slug, str(uuid.uuid4()), 9, planned=("2026-01-01", "2026-12-31"))

    def assignment(self, slug, fund, year):
        aid, amount = str(uuid.uuid4()), self.rng.randrange(5_000_000, 20_000_000)
        base = {**example("it.pdz.budget.fund_assignment.recorded.v1"), "assignment_id": aid, "fund": fund,
                "year": year, "amount": money(amount), "version": 1}
        self.emit(slug, "budget.fund_assignment.recorded", base)
        if self.rng.random() < 0.4:
            amount = self.rng.randrange(5_000_000, 20_000_000)
            self.emit(slug, "budget.fund_assignment.corrected", {**base, "amount": money(amount), "version": 2,
                                                                  "previous_amount": base["amount"],
                                                                  "changed": ["amount"]})
        self.assignments[aid] = {"tenant": slug, "fund": fund, "year": year, "amount": Decimal(amount) / 100}

    def intervention(self, slug, plan, n, planned=("2025-01-01", "2027-12-31")):
        rng, iid = self.rng, str(uuid.uuid4())
        item = {"tenant": slug, "area": rng.choice(AREAS), "leps": rng.sample(LEPS, rng.randrange(0, 3)),
                "status": "planned", "as_of": date(2024, 10, 1), "records": {}, "plan": plan}
        base = {**example("it.pdz.budget.intervention.planned.v1"), "intervention_id": iid, "plan_id": plan,
                "code": f"A{n}", "area": item["area"], "leps": item["leps"], "continues": None,
                "planned_start": planned[0], "planned_end": planned[1], "version": 1,
                "updated_at": instant(item["as_of"])}
        self.emit(slug, "budget.intervention.planned", base)
        self.interventions[iid] = item
        if n == 9:
            item["out_of_scope"] = True
            return iid
        version = 1
        quarters = rng.randrange(0, 5)
        for q in range(1, quarters + 1):
            for revision in range(1, rng.choice((2, 2, 3))):
                status = rng.choice(("active", "active", "suspended", "completed"))
                percent = Decimal(100) if status == "completed" else Decimal(rng.randrange(0, 10000)) / 100
                outputs = {name: str(rng.randrange(0, 500)) for name in rng.sample(("utenti serviti", "ore"),
                                                                                   rng.randrange(0, 3))}
                recorded = [date(2025, 4, 3), date(2025, 7, 3), date(2025, 10, 3), date(2026, 1, 5)][q - 1]
                version += 1
                item["records"][q] = (status, percent, outputs)
                self.emit(slug, "budget.intervention.progress_recorded", {
                    **base, "status": status, "actual_start": "2025-01-10", "percentage": format_amount(percent),
                    "version": version, "updated_at": instant(recorded),
                    "progress": {"year": 2025, "quarter": q, "period": f"2025-Q{q}", "status": status,
                                 "percentage": format_amount(percent), "outputs": outputs,
                                 "actual_start": "2025-01-10", "source": "api", "revision": revision,
                                 "recorded_at": instant(recorded)}})
        if not quarters and rng.random() < 0.5:  # cancelled, or re-planned, before or after 2025 ended
            item["status"] = rng.choice(("cancelled", "planned"))
            item["as_of"] = rng.choice((date(2024, 11, 5), date(2026, 2, 1)))
            self.emit(slug, "budget.intervention.updated", {**base, "status": item["status"], "version": 2,
                                                            "updated_at": instant(item["as_of"]),
                                                            "changed": ["status"]})
        return iid

    def allocation(self, slug, iid, fund, year, spend=True):
        rng, aid = self.rng, str(uuid.uuid4())
        amount = rng.randrange(100_000, 2_000_000)
        base = {**example("it.pdz.budget.allocation.made.v1"), "allocation_id": aid, "intervention_id": iid,
                "plan_id": str(uuid.uuid4()), "fund": fund, "year": year, "amount": money(amount), "version": 1}
        self.emit(slug, "budget.allocation.made", base)
        change = rng.random()
        if change < 0.15:
            amount = 0
            self.emit(slug, "budget.allocation.released", {**base, "amount": "0.00", "version": 2,
                                                           "previous_amount": base["amount"]})
        elif change < 0.4:
            amount = rng.randrange(100_000, 2_000_000)
            self.emit(slug, "budget.allocation.changed", {**base, "amount": money(amount), "version": 2,
                                                          "previous_amount": base["amount"]})
        self.allocations[aid] = {"tenant": slug, "intervention": iid, "fund": fund, "year": year,
                                 "amount": Decimal(amount) / 100, "plan": base["plan_id"], "cents": amount,
                                 "committed": 0, "paid": 0}
        if spend and amount:
            for _ in range(rng.randrange(0, 4)):
                day = rng.choice(EDGES) if rng.random() < 0.4 else date(2025, 1, 1) + timedelta(rng.randrange(365))
                self.act(aid, day, [rng.choice([d for d in EDGES if d >= day] or [day]) if rng.random() < 0.4
                                    else min(day + timedelta(days=rng.randrange(0, 120)), date(2025, 12, 31))
                                    for _ in range(rng.randrange(0, 3))])
        return aid

    def act(self, aid, day, payment_days):
        """A commitment of part of what is left, and payments of parts of it."""
        rng, alloc = self.rng, self.allocations[aid]
        left = alloc["cents"] - alloc["committed"]
        if left <= 0:
            return
        cid, cents = str(uuid.uuid4()), rng.randrange(1, left + 1)
        alloc["committed"] += cents
        common = {"allocation_id": aid, "intervention_id": alloc["intervention"], "plan_id": alloc["plan"],
                  "fund": alloc["fund"], "year": alloc["year"], "commitment_id": cid}
        totals = {"allocated": money(alloc["cents"]), "committed": money(alloc["committed"]),
                  "paid": money(alloc["paid"])}
        self.emit(alloc["tenant"], "budget.commitment.recorded", {
            **example("it.pdz.budget.commitment.recorded.v1"), **common, "amount": money(cents),
            "act_date": day.isoformat(), "allocation": totals})
        self.commitments[cid] = {"tenant": alloc["tenant"], "fund": alloc["fund"], "year": alloc["year"],
                                 "amount": Decimal(cents) / 100, "act_date": day}
        paid = 0
        for pay_day in sorted(payment_days):
            if paid >= cents:
                break
            part = rng.randrange(1, cents - paid + 1)
            paid += part
            alloc["paid"] += part
            pid = str(uuid.uuid4())
            self.emit(alloc["tenant"], "budget.payment.recorded", {
                **example("it.pdz.budget.payment.recorded.v1"), **common, "payment_id": pid,
                "amount": money(part), "act_date": pay_day.isoformat(),
                "commitment": {"committed": money(cents), "paid": money(paid)},
                "allocation": {"allocated": money(alloc["cents"]), "committed": money(alloc["committed"]),
                               "paid": money(alloc["paid"])}})
            self.payments[pid] = {"tenant": alloc["tenant"], "fund": alloc["fund"], "year": alloc["year"],
                                  "amount": Decimal(part) / 100, "act_date": pay_day,
                                  "intervention": alloc["intervention"]}

    def ghost(self, slug):
        """Money of an intervention whose own events reporting never received: area non_classificata."""
        self.allocation(slug, str(uuid.uuid4()), "FNA", 2025, spend=False)
        aid = list(self.allocations)[-1]
        if self.allocations[aid]["cents"]:
            self.act(aid, date(2025, 5, 5), [date(2025, 5, 20)])

    # --- the figures, computed from the records kept ------------------------------------------------------

    def _area(self, iid):
        item = self.interventions.get(iid)
        return item["area"] if item else "non_classificata"

    def paid_in(self, tenants, period, by):
        found = {}
        for pid, p in self.payments.items():
            if p["tenant"] in tenants and period.first_day <= p["act_date"] <= period.last_day:
                key = p["fund"] if by == "fund" else self._area(p["intervention"])
                found.setdefault(key, []).append(((p["tenant"], pid), p["amount"]))
        return found

    def programmed(self, tenants, year, by):
        found = {}
        for aid, a in self.allocations.items():
            if a["tenant"] in tenants and a["year"] == year and a["amount"] > 0:
                key = a["fund"] if by == "fund" else self._area(a["intervention"])
                found.setdefault(key, []).append(((a["tenant"], aid), a["amount"]))
        return found

    def resources(self, tenants, period):
        year, last = period.year, period.last_day
        measures = {"assegnato": {}, "residui_in": {}, "impegnato": {}, "liquidato": {},
                    "programmato": self.programmed(tenants, year, "fund")}
        for aid, a in self.assignments.items():
            if a["tenant"] in tenants and a["year"] == year:
                measures["assegnato"].setdefault(a["fund"], []).append(((a["tenant"], aid), a["amount"]))
        for (tenant, fund), carried in self.residui.items():
            if tenant in tenants and year == 2025:
                measures["residui_in"].setdefault(fund, []).append(((tenant, f"{fund}/2024"), Decimal(carried) / 100))
        for what, acts in (("impegnato", self.commitments), ("liquidato", self.payments)):
            for xid, x in acts.items():
                if x["tenant"] in tenants and x["year"] == year and x["act_date"] <= last:
                    measures[what].setdefault(x["fund"], []).append(((x["tenant"], xid), x["amount"]))
        return measures

    def leps(self, tenants, year):
        named = {}
        for iid, item in self.interventions.items():
            if item["tenant"] not in tenants or item["status"] == "cancelled":
                continue
            funded = sum((a["amount"] for a in self.allocations.values()
                          if a["intervention"] == iid and a["year"] == year), Decimal(0)) > 0
            for code in item["leps"]:
                named.setdefault(code, [])
                if funded:
                    named[code].append((item["tenant"], iid))
        return named

    def status_at(self, tenants, period):
        last_quarter, result = period.quarter or 4, {}
        for iid, item in self.interventions.items():
            if item["tenant"] not in tenants or item.get("out_of_scope"):
                continue
            quarters = [q for q in item["records"] if q <= last_quarter]
            if quarters:
                status, percent, _ = item["records"][max(quarters)]
                result[(item["tenant"], iid)] = (status, percent)
            else:
                before = item["as_of"] <= period.last_day  # every as_of here is 10:00 of a day in Italy
                result[(item["tenant"], iid)] = (item["status"] if before else "planned", None)
        return result

    def outputs(self, tenants, period):
        found = {}
        quarters = [period.quarter] if period.quarter else [1, 2, 3, 4]
        for iid, item in self.interventions.items():
            if item["tenant"] not in tenants:
                continue
            for q in quarters:
                if q in item["records"]:
                    for name, figure in item["records"][q][2].items():
                        found.setdefault(name, []).append((item["tenant"], f"{iid}/2025-Q{q}", Decimal(figure)))
        return found
