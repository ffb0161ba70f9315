"""Protocol numbering under concurrent submissions: throughput, latency, and the no-gap check.

Run against the local stack (`make stack` first):

    .venv/bin/python bench/protocol.py --workers 8 --per-worker 250

Each worker has its own connection and files applications to one open call
of a fresh tenant, through the registry's service function (the same
transaction the API runs: call lock, counter row, application, two people,
access log, outbox). Every fifth submission repeats an organisation already
filed, so it is refused and rolled back, counter included.
"""
from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import psycopg

from shared.cli.demo import numbered_tax_code
from shared.cli.provision import ensure_database, migrate
from shared.config import Settings
from shared.tenants import Tenant, database_url

from services.registry.applications import service as applications
from services.registry.calls import service as calls


def body(call_id, number: int) -> dict:
    return dict(call_id=call_id,
                organisation={"name": f"Organizzazione {number}", "type": "ets", "runts_section": "a",
                              "tax_code": numbered_tax_code(number, "076"), "seat_istat": "076042"},
                legal_representative={"full_name": "Mario Rossi", "tax_code": "RSSMRA85T10A562S"},
                contact_person={"full_name": "Anna Bianchi", "email": "anna@example.org"},
                areas=["3"], declarations={"possesso_requisiti": True, "assenza_cause_esclusione": True,
                                           "presa_visione_informativa_privacy": True})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--per-worker", type=int, default=250)
    args = parser.parse_args()

    settings = Settings.from_env()
    tenant = Tenant(slug=f"bench-protocol-{uuid.uuid4().hex[:8]}", name="Bench", region="basilicata")
    url = database_url(settings.database_url, tenant.database_name("registry"))
    ensure_database(url)
    migrate(url, "registry")
    now = datetime.now(timezone.utc)
    with psycopg.connect(url) as conn:
        call = calls.draft_call(conn=conn, tenant=tenant.slug, title="Avviso bench", description="", areas=["3"],
                                requirements="", opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1))
        calls.publish_call(conn=conn, tenant=tenant.slug, call_id=call["id"], version=call["version"])

    latencies: list[float] = []
    numbers: list[str] = []
    refused = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(args.workers + 1)

    def worker(w: int) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            barrier.wait()
            for i in range(args.per_worker):
                n = w * 1_000_000 + i + 1
                repeat = i % 5 == 4
                started = time.perf_counter()
                try:
                    result = applications.submit_application(conn=conn, tenant=tenant.slug, by=f"w{w}",
                                                             **body(call["id"], n - 1 if repeat else n))
                    with lock:
                        numbers.append(result["protocol_number"])
                except applications.DuplicateApplication:
                    with lock:
                        refused[0] += 1
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(args.workers)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    sequence = sorted(int(n.split("/")[1]) for n in numbers)
    gapless = sequence == list(range(1, len(sequence) + 1))
    latencies.sort()
    print(f"workers={args.workers} submissions={len(latencies)} accepted={len(numbers)} refused={refused[0]}")
    print(f"throughput: {len(latencies) / elapsed:.0f} submissions/s in {elapsed:.2f}s")
    print(f"latency: p50={statistics.median(latencies):.1f} ms p95={latencies[int(0.95 * len(latencies))]:.1f} ms"
          f" max={latencies[-1]:.1f} ms")
    print(f"protocol numbers 1..{len(sequence)} without gaps or duplicates: {gapless}")
    if not gapless:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
