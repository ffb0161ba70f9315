"""Waking the relay at once when new outbox rows are committed.

LISTEN/NOTIFY is per database, and holding one listening connection per tenant
database does not scale to hundreds of Ambiti. So the wake-up channel is per
PostgreSQL *server*: after its transaction commits, the API sends
`pg_notify('pdz_outbox_<service>', '<tenant>')` on the server's maintenance
database, and the relay holds one LISTEN connection per server. A lost
wake-up (the API dies between commit and notify) only delays the event until
the relay's next sweep: nothing is lost.

An API process sends its wake-ups through a RelayWaker: the request thread
only records the tenant and goes on; one background thread sends what has
gathered, on a connection it keeps per server, a burst of commits becoming a
single round trip. The request never waits for the notification.
"""
from __future__ import annotations

import logging
import os
import threading

import psycopg

from shared.db.pools import PoolRegistry

log = logging.getLogger(__name__)


def channel(service: str) -> str:
    return f"pdz_outbox_{service}"


_NOTIFY_MANY = "SELECT pg_notify(%s, tenant) FROM unnest(%s::text[]) AS tenant"


class RelayWaker:
    """Sends one process's relay wake-ups in the background, coalesced per server."""

    def __init__(self, service: str):
        self.service = service
        self._pending: dict[str, set[str]] = {}
        self._cond = threading.Condition()
        self._pid = -1
        self._connections: dict[str, psycopg.Connection] = {}

    def wake(self, *, server_url: str, tenant: str) -> None:
        """Ask the relays to publish `tenant`'s new rows soon; returns at once, never raises."""
        with self._cond:
            if self._pid != os.getpid():  # first use in this (forked) process: start the sender here
                self._pid = os.getpid()
                self._pending = {}
                self._connections = {}
                threading.Thread(target=self._send_forever, daemon=True, name="relay-waker").start()
            self._pending.setdefault(server_url, set()).add(tenant)
            self._cond.notify()

    def _send_forever(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
                due, self._pending = self._pending, {}
            for server_url, tenants in due.items():
                self._send(server_url, sorted(tenants))

    def _send(self, server_url: str, tenants: list[str]) -> None:
        try:
            conn = self._connections.get(server_url)
            if conn is None or conn.closed:
                conn = psycopg.connect(server_url, autocommit=True, connect_timeout=2)
                self._connections[server_url] = conn
            conn.execute(_NOTIFY_MANY, (channel(self.service), tenants))
        except (psycopg.Error, OSError) as exc:
            conn = self._connections.pop(server_url, None)
            if conn is not None:
                conn.close()
            log.warning("relay wake-up failed; the sweep will publish instead", extra={"error": str(exc)})


def wake_relay(pools: PoolRegistry, *, server_url: str, service: str, tenant: str) -> None:
    """Tell the service's relays now, on a pooled connection, that `tenant` has new rows; never raises."""
    try:
        with pools.connection(server_url) as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (channel(service), tenant))
    except (psycopg.Error, OSError, RuntimeError) as exc:
        log.warning("relay wake-up failed; the sweep will publish instead", extra={"error": str(exc)})
