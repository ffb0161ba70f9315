"""Protocol numbers under concurrent submissions: no gaps, no duplicates (real PostgreSQL)."""
import threading
from datetime import datetime, timedelta, timezone

import psycopg

from services.registry.applications import service as applications
from services.registry.calls import service as calls
from shared.cli.demo import numbered_tax_code


def _application(call_id, n):
    name = f"Organizzazione concorrente {n}"
    return dict(call_id=call_id,
                organisation={"name": name, "type": "ets", "runts_section": "a",
                              "tax_code": numbered_tax_code(n + 1, "076"), "seat_istat": "076042"},
                legal_representative={"full_name": "Mario Rossi", "tax_code": "RSSMRA85T10A562S"},
                contact_person={"full_name": "Anna Bianchi", "email": "anna@example.org"},
                areas=["3"], declarations={"possesso_requisiti": True, "assenza_cause_esclusione": True,
                                           "presa_visione_informativa_privacy": True})


def test_concurrent_submissions_get_consecutive_numbers_even_when_some_fail(tenants):
    slug = tenants.slugs()[0]
    url = tenants.url_for(tenants.get(slug), "registry")
    now = datetime.now(timezone.utc)
    with psycopg.connect(url) as conn:
        call = calls.draft_call(conn=conn, tenant=slug, title="Avviso concorrenza", description="", areas=["3"],
                                requirements="", opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1))
        calls.publish_call(conn=conn, tenant=slug, call_id=call["id"], version=call["version"])

    workers, per_worker = 8, 6
    numbers, failures, errors = [], [], []
    barrier = threading.Barrier(workers)

    def submit(worker):
        barrier.wait()
        with psycopg.connect(url, autocommit=True) as conn:
            for i in range(per_worker):
                n = worker * 100 + i
                # Every third worker also retries an application already filed: refused, rolled back.
                body = _application(call["id"], n if not (worker % 3 == 0 and i % 2) else worker * 100)
                try:
                    numbers.append(applications.submit_application(conn=conn, tenant=slug, by=f"w{worker}",
                                                                   **body)["protocol_number"])
                except applications.DuplicateApplication:
                    failures.append(n)
                except Exception as exc:  # collected, asserted below
                    errors.append(repr(exc))

    threads = [threading.Thread(target=submit, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert failures, "the scenario must include refused submissions"
    year = numbers[0][:4]
    sequence = sorted(int(n.split("/")[1]) for n in numbers)
    assert sequence == list(range(1, len(numbers) + 1)), "no gaps, no duplicates"
    assert len(numbers) + len(failures) == workers * per_worker
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT last_number FROM protocol_counters WHERE year = %s",
                            (int(year),)).fetchone()[0] == len(numbers)
