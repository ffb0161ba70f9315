"""R2 regional endpoints: 100 Ambiti and 1,000,000 expenditure rows, p95 per /v1/regions/ endpoint.

    .venv/bin/python bench/regional_endpoints.py --ambiti 100 --payments 1000000 --samples 20

On the local stack, a fresh reporting database (provisioned by the real `provision`, reporting's
migrations) is seeded with SQL COPY, as the consumer's projectors would have written it:
`--ambiti` Ambiti of one region, each with a profile and 10 comuni (population), one signed plan
2024-2026, 50 interventions over the nine areas, fund assignments, one allocation per intervention
and year, and the acts: `--payments` payments (liquidazioni) over a quarter as many commitments
(impegni). Then pdz-reporting-api is spawned on a catalogue of those Ambiti, the OpenAPI document is
read and every GET path under /v1/regions/{region} is timed, sequentially on one keep-alive
connection as a regional admin, for the year 2025 (`{code}`: every indicator of
/v1/indicators/definitions, the worst reported). Goal (issue 11): p95 <= 100 ms per endpoint; the full
regional XLSX export within 5 s.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (BENCH_REGION, KeepAlive, Suite, drop_databases, fresh_run_id,  # noqa: E402
                          pct, print_machine, provision_catalogue, token, verdict, write_catalogue,
                          write_json)
from shared.config import Settings  # noqa: E402

FUNDS = ("FNPS", "FNA", "Fondo Povertà", "PNRR M5C2")
YEARS = (2024, 2025, 2026)
INTERVENTIONS = 50


def _copy(conn, table: str, columns: list[str], rows) -> int:
    """COPY the rows (tuples of text-able values, None as NULL) in blocks; returns how many."""
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        block = []
        for row in rows:
            block.append("\t".join("\\N" if v is None else str(v) for v in row))
            count += 1
            if len(block) == 10_000:
                copy.write("\n".join(block) + "\n")
                block = []
        if block:
            copy.write("\n".join(block) + "\n")
    return count


def seed(url: str, slugs: list[str], payments: int) -> dict:
    """The read model of `slugs` with `payments` payment rows; returns rows per table."""
    import psycopg
    as_of = "2024-01-15 09:00:00+00"
    plans = {s: uuid.uuid4() for s in slugs}
    interventions = [(s, uuid.uuid4(), n) for s in slugs for n in range(INTERVENTIONS)]
    allocations = [(s, uuid.uuid4(), iid, FUNDS[n % len(FUNDS)], year) for s, iid, n in interventions for year in YEARS]
    per_commitment = 4
    commitments_n = max(1, payments // per_commitment)
    counts = {}
    with psycopg.connect(url) as conn:
        counts["ambito_profiles"] = _copy(conn, "ambito_profiles", [
            "tenant", "name", "region", "capofila_istat", "total_population", "version", "as_of", "source_event_id"],
            ((s, f"Ambito bench {i}", BENCH_REGION, f"{100000 + i * 10:06d}", 10 * 3000 + i, 1, as_of, f"e-{s}")
             for i, s in enumerate(slugs)))
        comuni = [(s, f"{100000 + i * 10 + j:06d}", f"Comune {i}-{j}", 3000 + (i if j == 0 else 0), "2024-01-01")
                  for i, s in enumerate(slugs) for j in range(10)]
        counts["ambito_comuni"] = _copy(conn, "ambito_comuni", [
            "tenant", "istat_code", "name", "population", "population_date", "version"], (c + (1,) for c in comuni))
        counts["ambito_comuni_history"] = _copy(conn, "ambito_comuni_history", [
            "tenant", "version", "istat_code", "population", "population_date", "as_of"],
            ((s, 1, code, pop, date, as_of) for s, code, _, pop, date in comuni))
        counts["budget_plan_states"] = _copy(conn, "budget_plan_states", [
            "tenant", "plan_id", "number", "first_year", "last_year", "kind", "reference_year", "state", "changed_at",
            "plan_version"], ((s, p, 1, 2024, 2026, "triennial", None, "signed", as_of, 7) for s, p in plans.items()))
        counts["budget_intervention_facts"] = _copy(conn, "budget_intervention_facts", [
            "tenant", "intervention_id", "plan_id", "code", "title", "area", "target_group", "leps", "kind",
            "status", "percent", "planned_start", "planned_end", "version", "as_of"],
            ((s, iid, plans[s], f"INT-{n:03d}", f"Intervento {n}", str(1 + n % 9), "famiglie",
              "{" + ("LEPS-" + str(n % 7)) + "}", "service", "in_progress", "50.00", "2024-01-01", "2026-12-31", 3,
              as_of) for s, iid, n in interventions))
        counts["budget_fund_assignment_facts"] = _copy(conn, "budget_fund_assignment_facts", [
            "tenant", "assignment_id", "fund", "year", "amount", "decree_reference", "decree_date", "version"],
            ((s, uuid.uuid4(), f, y, "900000.00", "DGR bench", f"{y}-02-01", 1)
             for s in slugs for f in FUNDS for y in YEARS))
        # Each allocation is committed and paid in equal acts; the row's totals are their sums.
        base, extra = divmod(commitments_n, len(allocations))
        amount = Decimal("1000.00")
        alloc_rows, commit_rows = [], []
        for index, (s, aid, iid, fund, year) in enumerate(allocations):
            acts_per_allocation = base + (1 if index < extra else 0)
            committed = amount * per_commitment * acts_per_allocation
            alloc_rows.append((s, aid, fund, year, iid, plans[s], committed * 2, "f", 2, committed, committed,
                               committed * 2))
            for k in range(acts_per_allocation):
                cid = uuid.uuid4()
                day = f"{year}-{1 + (k * 5) % 12:02d}-{1 + k % 28:02d}"
                commit_rows.append((s, cid, aid, iid, plans[s], fund, year, amount * per_commitment, day, as_of,
                                    amount * per_commitment * (k + 1)))
        # Streamed, not held: each commitment paid in `per_commitment` equal payments.
        pay_rows = ((s, uuid.uuid4(), cid, aid, iid, plan, fund, year, amount, day, as_of, spent + amount * (m + 1))
                    for s, cid, aid, iid, plan, fund, year, _, day, _, spent in commit_rows
                    for m in range(per_commitment))
        counts["budget_allocation_facts"] = _copy(conn, "budget_allocation_facts", [
            "tenant", "allocation_id", "fund", "year", "intervention_id", "plan_id", "allocated", "released",
            "allocation_version", "committed", "paid", "spent"], alloc_rows)
        act = ["tenant", "{}_id", "allocation_id", "intervention_id", "plan_id", "fund", "year", "amount",
               "act_date", "recorded_at", "spent_after"]
        counts["budget_commitment_facts"] = _copy(conn, "budget_commitment_facts",
                                                  [c.format("commitment") for c in act], commit_rows)
        counts["budget_payment_facts"] = _copy(conn, "budget_payment_facts",
                                               [c.format("payment") for c in act[:2]] + ["commitment_id"] + act[2:],
                                               pay_rows)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return counts


def endpoints(client: KeepAlive, bearer: str) -> tuple[list[str], list[str]]:
    """The GET paths under /v1/regions/{region} of the running app, and the indicator codes."""
    status, raw = client.request("GET", "/openapi.json")
    paths = [p for p, ops in json.loads(raw)["paths"].items() if p.startswith("/v1/regions/") and "get" in ops]
    status, raw = client.request("GET", "/v1/indicators/definitions", bearer)
    codes = [i["code"] for i in json.loads(raw)["indicators"]] if status == 200 else []
    return paths, codes


def time_path(client: KeepAlive, path: str, bearer: str, samples: int) -> dict:
    """`samples` sequential requests (after one warm-up); status and size of the last, ms per request."""
    client.request("GET", path, bearer)
    times, status, size = [], None, 0
    for _ in range(samples):
        started = time.perf_counter()
        status, raw = client.request("GET", path, bearer)
        times.append((time.perf_counter() - started) * 1000)
        size = len(raw)
    return {"status": status, "bytes": size, "p50": pct(times, 0.5), "p95": pct(times, 0.95), "max": max(times)}


def trace_query(client: KeepAlive, code: str, bearer: str) -> str:
    """The query of a trace: the dimension of the first regional figure of `code` (its own answer)."""
    from urllib.parse import urlencode
    status, raw = client.request("GET", f"/v1/regions/{BENCH_REGION}/indicators/{code}?period=2025", bearer)
    figures = json.loads(raw)["indicators"][0]["figures"] if status == 200 else []
    region = [f for f in figures if f.get("level") == "region"] or figures
    return urlencode({"period": "2025", **(region[0]["dimension"] if region else {})})


def plan(paths: list[str], codes: list[str]) -> list[tuple[str, str | None]]:
    """(path with {code} filled, code) for every path; the ones without a code first, exports last."""
    concrete = [(p.replace("{code}", c), c) for p in paths if "{code}" in p for c in codes]
    concrete += [(p, None) for p in paths if "{code}" not in p]
    return sorted(concrete, key=lambda pc: ("export" in pc[0] or pc[0].endswith((".csv", ".json", ".xlsx",
                                                                                 ".ttl", ".rdf", ".jsonld")),
                                            pc[1] is not None))


def measure(base_url: str, bearer: str, paths: list[str], codes: list[str], samples: int) -> dict:
    """Every path timed (errors and time-outs recorded, the run goes on); prints a table row each."""
    results = {}
    client = KeepAlive(base_url)
    client.conn.timeout = 600  # a slow export is a figure, not a failure of the bench
    print("| endpoint (`?period=2025`) | status | bytes | p50 ms | p95 ms | max ms | goal |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for concrete, code in plan(paths, codes):
        query = trace_query(client, code, bearer) if concrete.endswith("/trace") else "period=2025"
        url = concrete.replace("{region}", BENCH_REGION) + "?" + query
        if "{" in url:
            continue
        heavy = "export" in concrete or concrete.endswith(".xlsx")
        goal = 5000 if concrete.endswith("/indicators/export.xlsx") else 100
        try:
            r = time_path(client, url, bearer, 2 if heavy and code is None else 3 if heavy else samples)
        except Exception as exc:  # noqa: BLE001 - recorded as the endpoint's result
            results[concrete] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"| `{concrete}` | {type(exc).__name__} | | | | | NOT MET |", flush=True)
            client.close()
            client = KeepAlive(base_url)
            client.conn.timeout = 600
            continue
        results[concrete] = {**r, "goal_ms": goal}
        print(f"| `{concrete}` | {r['status']} | {r['bytes']:,} | {r['p50']:.0f} | {r['p95']:.0f} | {r['max']:.0f} | "
              f"{verdict(r['status'] == 200 and r['p95'] <= goal)} |", flush=True)
    client.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ambiti", type=int, default=100)
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    settings = Settings.from_env()
    machine = print_machine(settings)
    run = fresh_run_id("benchr2")
    folder = Path(tempfile.mkdtemp(prefix=f"{run}-"))
    slugs = [f"r2-{run[-6:]}-{i:03d}" for i in range(args.ambiti)]
    reporting_db = f"reporting_{run}"
    # Only the regional database is needed: provision a catalogue without Ambiti, serve one with them.
    provision_catalogue(write_catalogue(folder / "empty.yaml", [], reporting_db), settings)
    catalogue = write_catalogue(folder / "tenants.yaml", slugs, reporting_db)
    suite = Suite(folder, catalogue, run)
    figures: dict = {"machine": machine, "args": {k: str(v) for k, v in vars(args).items()}}
    try:
        from psycopg.conninfo import make_conninfo
        started = time.perf_counter()
        counts = seed(make_conninfo(settings.database_url, dbname=reporting_db), slugs, args.payments)
        print(f"seeded {', '.join(f'{t} {n:,}' for t, n in counts.items())} in "
              f"{time.perf_counter() - started:.0f} s (COPY, then ANALYZE)", flush=True)
        suite.start("reporting-api")
        client, bearer = KeepAlive(suite.url("reporting-api")), token(roles=("regional-admin",))
        paths, codes = endpoints(client, bearer)
        client.close()
        if not paths:
            print("no /v1/regions/ path in the app's OpenAPI document: nothing to time")
        results = measure(suite.url("reporting-api"), bearer, paths, codes, args.samples)
        figures.update(counts=counts, results=results)
        write_json(args.json, figures)
    finally:
        suite.stop()
        if not args.keep:
            drop_databases(settings, [reporting_db])


if __name__ == "__main__":
    main()
