"""Re-publication: a tenant's data set as it stands, as snapshot events through the owner's outbox.

Kafka's retention is not a database: a share declared today must bring records
whose events expired years ago (issue 9, docs/federation.md "Backfill"). The
owning service reads its own database and writes, for each record, one event of
an existing type that carries the record's full current state, marked as a
replay (`pdzreplay`). They go through the outbox, so the relay publishes them
with the usual guarantees: nothing lost if a process dies, one aggregate's
events in order under its key. Receivers apply them with their version guards:
a snapshot of a version they already hold changes nothing, so a backfill can be
run again at any time.

Each page of records is read and its events written in one transaction (500 by
default), so 10,000 records never make one huge transaction, and the relay is
woken after each page. Which tenants receive is decided by the consumers with
the catalogue's shares; the command only names them in its log.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from dataclasses import dataclass
from typing import Callable, Iterable

import psycopg

from shared.events.envelope import CloudEvent
from shared.outbox.store import add_events
from shared.outbox.wake import channel
from shared.sharing import DATA_SETS

log = logging.getLogger(__name__)

BATCH_SIZE = 500

# One page of a data set: (snapshot events, the cursor of the next page or None after the last).
Page = tuple[list[CloudEvent], object | None]
# builder(conn, tenant=, after=, limit=) -> Page; `after` is None for the first page.
Builder = Callable[..., Page]


class UnknownDataSet(ValueError):
    """A data set this service does not own (or that does not exist)."""


@dataclass(frozen=True)
class Republished:
    data: str
    events: int
    transactions: int
    seconds: float


def as_replay(event: CloudEvent) -> CloudEvent:
    """The same event, marked as a re-published snapshot (the `pdzreplay` extension)."""
    return dataclasses.replace(event, replay=True)


def check_data_sets(service: str, builders: dict[str, Builder], names: Iterable[str]) -> list[str]:
    """The names, each a data set of the catalogue that this service can re-publish."""
    names = list(dict.fromkeys(names))
    for name in names:
        if name not in DATA_SETS:
            raise UnknownDataSet(f"unknown data set {name!r}: one of {', '.join(DATA_SETS)}")
        if name not in builders:
            raise UnknownDataSet(f"{service} does not own {name!r}: it re-publishes {', '.join(builders)}")
    return names


def republish(conn: psycopg.Connection, builder: Builder, *, tenant: str, data: str,
              batch_size: int = BATCH_SIZE, after_page: Callable[[int], None] | None = None) -> Republished:
    """Write one data set's snapshots into the outbox, a page per transaction."""
    started = time.monotonic()
    after, events, transactions = None, 0, 0
    while True:
        with conn.transaction():
            page, after = builder(conn, tenant=tenant, after=after, limit=batch_size)
            add_events(conn, [as_replay(event) for event in page])
        events, transactions = events + len(page), transactions + 1
        if page and after_page:
            after_page(len(page))
        if after is None:
            return Republished(data, events, transactions, time.monotonic() - started)


def wake_relay(server_url: str, *, service: str, tenant: str) -> None:
    """Tell the relays of `service` that `tenant` has new rows; a lost wake-up only waits for the sweep."""
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (channel(service), tenant))
    except psycopg.Error as exc:
        log.warning("relay wake-up failed; the relay's sweep will publish", extra={"error": str(exc)})


def parser(service: str, builders: dict[str, Builder]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=f"pdz-{service}-republish",
        description=f"Re-publish one tenant's {service} data as it stands (snapshot events marked pdzreplay) "
                    "through the outbox, for the tenants it is shared with (backfill).")
    p.add_argument("--tenant", required=True, help="the owning Ambito (tenant slug)")
    p.add_argument("--data", action="append", required=True, choices=sorted(builders),
                   help="data set (repeatable)")
    p.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="records per transaction (default %(default)s)")
    return p


def main(service: str, builders: dict[str, Builder], argv: list[str] | None = None) -> int:
    """The command line of a service's re-publication (pdz-<service>-republish)."""
    from shared.config import Settings
    from shared.db.credentials import service_login
    from shared.http.logs import configure_logging
    from shared.tenants import load_catalogue

    args = parser(service, builders).parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    catalogue = load_catalogue(settings.tenants_file, settings.database_url, login=service_login(settings, service))
    tenant = catalogue.get(args.tenant)
    if tenant is None:
        print(f"pdz-{service}-republish: unknown tenant {args.tenant!r}", file=sys.stderr)
        return 2
    names = check_data_sets(service, builders, args.data)
    sharing = getattr(catalogue, "sharing", None)  # the catalogue's shares, once it declares them
    with psycopg.connect(catalogue.url_for(tenant, service)) as conn:
        for name in names:
            receivers = sharing.receivers(tenant.slug, name) if sharing else ()
            done = republish(conn, builders[name], tenant=tenant.slug, data=name, batch_size=args.batch_size,
                             after_page=lambda _n: wake_relay(catalogue.server_for(tenant, service),
                                                              service=service, tenant=tenant.slug))
            print(f"{name}: {done.events} snapshot events of {tenant.slug} written to the outbox in "
                  f"{done.transactions} transactions ({done.seconds:.1f} s); shared with: "
                  f"{', '.join(receivers) or 'nobody yet (its own consumers only)'}")
    return 0
