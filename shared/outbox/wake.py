"""Waking the relay at once when new outbox rows are committed.

LISTEN/NOTIFY is per database, and holding one listening connection per tenant
database does not scale to hundreds of Ambiti. So the wake-up channel is per
PostgreSQL *server*: after its transaction commits, the API sends
`pg_notify('pdz_outbox_<service>', '<tenant>')` on the server's maintenance
database, and the relay holds one LISTEN connection per server. A lost
wake-up (the API dies between commit and notify) only delays the event until
the relay's next sweep: nothing is lost.
"""
from __future__ import annotations

import logging

import psycopg

from shared.db.pools import PoolRegistry

log = logging.getLogger(__name__)


def channel(service: str) -> str:
    return f"pdz_outbox_{service}"


def wake_relay(pools: PoolRegistry, *, server_url: str, service: str, tenant: str) -> None:
    """Tell the service's relays that `tenant` has new outbox rows; never raises."""
    try:
        with pools.connection(server_url) as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (channel(service), tenant))
    except (psycopg.Error, OSError, RuntimeError) as exc:
        log.warning("relay wake-up failed; the sweep will publish instead", extra={"error": str(exc)})
