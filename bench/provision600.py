"""Provision the kept bench catalogue (bench-0000 ... bench-NNNN) with the real `provision`; timed.

    .venv/bin/python bench/provision600.py --tenants 600

The first run creates 3 databases per Ambito plus the regional reporting one
(minutes); later runs only check them. bench/scale.py (P4) calls the same code.
`--drop-first` drops those databases before, to time a creation from scratch
again (it ends every session on them: not while anyone uses bench-NNNN).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (BENCH_HOME, KEPT_REPORTING_DB, bench_slug, drop_databases,  # noqa: E402
                          print_machine, provision_catalogue, write_catalogue)
from shared.cli.provision import TENANT_SERVICES  # noqa: E402
from shared.config import Settings  # noqa: E402
from shared.tenants import load_catalogue  # noqa: E402


def kept_catalogue(tenants: int) -> Path:
    """The catalogue file of the first `tenants` kept bench Ambiti."""
    return write_catalogue(BENCH_HOME / f"tenants-{tenants}.yaml", [bench_slug(i) for i in range(tenants)],
                           KEPT_REPORTING_DB)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=600)
    parser.add_argument("--drop-first", action="store_true", help="drop the databases first, then time creating them")
    args = parser.parse_args()
    settings = Settings.from_env()
    print_machine(settings)
    path = kept_catalogue(args.tenants)
    if args.drop_first:
        catalogue = load_catalogue(path, settings.database_url)
        names = [t.database_name(s) for t in catalogue for s in TENANT_SERVICES] + [KEPT_REPORTING_DB]
        started = time.perf_counter()
        drop_databases(settings, names)
        print(f"dropped {len(names)} databases in {time.perf_counter() - started:.1f} s", flush=True)
    seconds = provision_catalogue(path, settings)
    print(f"provision of {args.tenants} Ambiti ({args.tenants * 3 + 1} databases): {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
