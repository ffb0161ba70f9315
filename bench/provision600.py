"""Provision the kept bench catalogue (bench-0000 ... bench-NNNN) with the real `provision`; timed.

    .venv/bin/python bench/provision600.py --tenants 600

The first run creates 3 databases per Ambito plus the regional reporting one
(minutes); later runs only check them. bench/scale.py (P4) calls the same code.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (BENCH_HOME, KEPT_REPORTING_DB, bench_slug, print_machine,  # noqa: E402
                          provision_catalogue, write_catalogue)
from shared.config import Settings  # noqa: E402


def kept_catalogue(tenants: int) -> Path:
    """The catalogue file of the first `tenants` kept bench Ambiti."""
    return write_catalogue(BENCH_HOME / f"tenants-{tenants}.yaml", [bench_slug(i) for i in range(tenants)],
                           KEPT_REPORTING_DB)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=600)
    args = parser.parse_args()
    settings = Settings.from_env()
    print_machine(settings)
    seconds = provision_catalogue(kept_catalogue(args.tenants), settings)
    print(f"provision of {args.tenants} Ambiti ({args.tenants * 3 + 1} databases): {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    main()
