"""Revocation's command line: a service's `revoke` applied to each tenant's database, or to the one named.

After a share is revoked or narrowed in the catalogue and the consumers restarted with it, the replicas
it brought are still in the receivers' databases (docs/federation.md "Revocation"). Each service that
keeps replicas decides what to remove (its `revoke(conn, *, tenant, sharing)`, one transaction per
tenant) and how to say it (its `summary(outcome)`); this runs it over the catalogue's tenants. One
database that cannot be reached is said and does not stop the others (exit 1); an unknown tenant is
exit 2.
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable

import psycopg

# revoke(conn, *, tenant=, sharing=) -> the service's outcome; summary(outcome) -> one line for the operator
Revoke = Callable[..., object]
Summary = Callable[[object], str]


def parser(service: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"pdz-{service}-revoke", description=(
        f"Remove (or mark revoked) the {service} replicas that the catalogue's shares no longer bring."))
    p.add_argument("--tenant", help="one receiving Ambito (default: every tenant of the catalogue)")
    return p


def main(service: str, revoke: Revoke, summary: Summary, argv: list[str] | None = None) -> int:
    """The command line of a service's revocation (pdz-<service>-revoke): every tenant, or the one named."""
    from shared.config import Settings
    from shared.db.credentials import service_login
    from shared.http.logs import configure_logging
    from shared.tenants import load_catalogue

    args = parser(service).parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    catalogue = load_catalogue(settings.tenants_file, settings.database_url, login=service_login(settings, service))
    tenants = list(catalogue) if args.tenant is None else [catalogue.get(args.tenant)]
    if tenants == [None]:
        print(f"pdz-{service}-revoke: unknown tenant {args.tenant!r}", file=sys.stderr)
        return 2
    failed = 0
    for tenant in tenants:
        try:
            with psycopg.connect(catalogue.url_for(tenant, service)) as conn:
                outcome = revoke(conn, tenant=tenant.slug, sharing=catalogue.sharing)
        except psycopg.Error as error:  # one database down must not stop the others; said, and exit 1
            failed += 1
            print(f"{tenant.slug}: not done ({error.__class__.__name__}: {error})", file=sys.stderr)
            continue
        print(f"{tenant.slug}: {summary(outcome)}")
    return 1 if failed else 0
