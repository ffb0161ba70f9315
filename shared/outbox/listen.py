"""The relay's eyes on a PostgreSQL server: LISTEN for wake-ups, and watch for lost ones.

One thread per server target holds one autocommit connection to the server's
maintenance database (the URL the API notifies on: `Catalogue.server_for`).
On it, it LISTENs on the service's channel and queues each notified tenant,
and every `watch_seconds` it runs one query, `SELECT datname, tup_inserted
FROM pg_stat_database`, and queues the tenants whose database counted new
inserted rows since the last look. An outbox row is an insert, the relay's
own UPDATE and DELETE are not: so an idle relay opens no connection at all,
and a wake-up lost between an API's commit and its notify is caught within
a few seconds. A (re)connected listener queues a full sweep of its tenants,
since anything may have been committed while it was not looking.

NOTIFY is per database, so a target is (host, port, maintenance database,
user), never only (host, port).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict

from shared.outbox.wake import channel

log = logging.getLogger(__name__)


def listen_key(url: str) -> tuple[str, str, str, str]:
    """(host, port, dbname, user) of a server URL: what a NOTIFY reaches."""
    params = conninfo_to_dict(url)
    return (str(params.get("host", "")), str(params.get("port", "5432")),
            str(params.get("dbname", "")), str(params.get("user", "")))


def key_label(key: tuple[str, str, str, str]) -> str:
    host, port, dbname, user = key
    return f"{user}@{host}:{port}/{dbname}"


def changed_databases(previous: dict[str, int], current: dict[str, int]) -> set[str]:
    """Databases whose insert counter moved (or appeared) between two looks."""
    return {name for name, count in current.items() if previous.get(name) != count}


@dataclass(frozen=True)
class Sweep:
    """A queued request to drain every tenant of one listen target (None: of every target)."""
    key: tuple | None = None


class ServerListener(threading.Thread):
    """Holds one LISTEN connection on a server target, queueing tenants to drain."""

    def __init__(self, *, url: str, service: str, databases: dict[str, str], out: queue.Queue,
                 stopping: threading.Event, watch_seconds: float, retry_seconds: float = 2.0):
        self.key = listen_key(url)
        super().__init__(daemon=True, name=f"relay-listen-{key_label(self.key)}")
        self.url = url
        self.service = service
        self.databases = databases  # database name -> tenant slug, on this target
        self.out = out
        self.stopping = stopping
        self.watch_seconds = watch_seconds
        self.retry_seconds = retry_seconds
        self.listening = threading.Event()
        self.watches = 0          # looks at pg_stat_database so far (tests wait on it)
        self.connections = 0      # LISTEN connections made so far
        self.backend_pid: int | None = None
        self.error: str | None = None
        self.down_since: float | None = time.monotonic()

    def _inserts(self, conn: psycopg.Connection) -> dict[str, int]:
        rows = conn.execute("SELECT datname, tup_inserted FROM pg_stat_database"
                            " WHERE datname IS NOT NULL").fetchall()
        return {name: count for name, count in rows if name in self.databases}

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5,
                                     application_name="pdz-relay-listen") as conn:
                    conn.execute(f"LISTEN {channel(self.service)}")
                    self.backend_pid = conn.info.backend_pid
                    self.connections += 1
                    seen = self._inserts(conn)
                    # Queued before `listening` is set: whoever waits for it sees the sweep pending.
                    self.out.put(Sweep(self.key))
                    self.error, self.down_since = None, None
                    self.listening.set()
                    self._serve(conn, seen)
            except psycopg.Error as exc:
                self.listening.clear()
                self.error = f"{type(exc).__name__}: {str(exc).strip()[:300]}"
                self.down_since = self.down_since or time.monotonic()
                log.warning("relay listener lost its connection",
                            extra={"server": key_label(self.key), "error": self.error})
                self.stopping.wait(self.retry_seconds)
        self.listening.clear()

    def _serve(self, conn: psycopg.Connection, seen: dict[str, int]) -> None:
        next_watch = time.monotonic() + self.watch_seconds
        while not self.stopping.is_set():
            wait = min(1.0, max(0.05, next_watch - time.monotonic()))
            for note in conn.notifies(timeout=wait):
                self.out.put(note.payload)
            if time.monotonic() >= next_watch:
                current = self._inserts(conn)
                for name in sorted(changed_databases(seen, current)):
                    self.out.put(self.databases[name])
                seen = current
                self.watches += 1
                next_watch = time.monotonic() + self.watch_seconds
