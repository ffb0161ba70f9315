"""A circuit breaker per database and per PostgreSQL server.

When a connection attempt fails or a connection breaks, asking again on every
request would make each request wait for its own failure. The breaker
remembers the failure instead: while it is open, `raise_if_open` answers at
once with DatabaseUnavailable. A background thread probes each open entry
every `probe_seconds` with a fresh connection; when the probe connects, the
entry closes and `on_recovery` replaces the pools that held dead connections.

A failure of the server itself (refused, timed out, shutting down) opens the
whole server, so every tenant database on it answers at once; a failure of
one database (dropped, not accepting connections) opens that database only.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

import psycopg
from psycopg.conninfo import conninfo_to_dict

from shared.db.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

# SQLSTATEs that speak for the server, not one database: it is starting up or shutting down.
_SERVER_STATES = {"57P01", "57P02", "57P03", "53300"}
_SERVER_MESSAGES = ("the database system is", "too many clients", "remaining connection slots")


def server_of(url: str) -> str:
    params = conninfo_to_dict(url)
    return f"server:{params.get('host', '')}:{params.get('port', '5432')}"


def database_of(url: str) -> str:
    params = conninfo_to_dict(url)
    return f"db:{params.get('host', '')}:{params.get('port', '5432')}/{params.get('dbname', '')}"


def breaker_keys(url: str) -> tuple[str, str]:
    """The two entries that can hold a URL back: its server's and its database's."""
    return server_of(url), database_of(url)


@dataclass
class _Open:
    probe_url: str
    reason: str
    since: float


class Breaker:
    """Open entries (server or database) and the thread that probes them."""

    def __init__(self, *, probe_seconds: float = 1.0,
                 on_recovery: Callable[[set[str]], None] = lambda keys: None):
        self.probe_seconds = probe_seconds
        self.on_recovery = on_recovery
        self._open: dict[str, _Open] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def is_server_failure(exc: psycopg.OperationalError) -> bool:
        """True when the server did not answer, or answered that it is starting, stopping or full.

        A refused connection carries no SQLSTATE, only libpq's message: a server that answered
        with a FATAL about one database (missing, not accepting connections) is up.
        """
        state = getattr(exc, "sqlstate", None)
        if state is not None:
            return state in _SERVER_STATES
        message = str(exc)
        if "FATAL:" not in message:
            return True  # refused, timed out, cut: nobody answered
        return any(marker in message for marker in _SERVER_MESSAGES)

    def trip(self, url: str, *, reason: str, whole_server: bool = True) -> None:
        key = server_of(url) if whole_server else database_of(url)
        with self._lock:
            if key in self._open:
                return
            self._open[key] = _Open(url, reason, time.monotonic())
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._probe_forever, daemon=True, name="db-breaker")
                self._thread.start()
        log.warning("database unavailable: answering 'retry later' until it is back",
                    extra={"breaker": key.split(":", 1)[0], "error": reason})
        self._wake.set()

    def raise_if_open(self, url: str) -> None:
        if not self._open:  # the common case, without a lock
            return
        for key in breaker_keys(url):
            entry = self._open.get(key)
            if entry is not None:
                raise DatabaseUnavailable(f"the database is unavailable ({entry.reason})",
                                          retry_after=max(1, round(self.probe_seconds * 2)))

    def open_entries(self) -> dict[str, str]:
        """What is held back now and why (for /readyz and logs)."""
        with self._lock:
            return {key: entry.reason for key, entry in self._open.items()}

    def _probe_forever(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.probe_seconds)
            self._wake.clear()
            with self._lock:
                entries = dict(self._open)
            if not entries:
                with self._lock:
                    if not self._open:
                        self._thread = None
                        return
                continue
            recovered, narrowed = set(), {}
            for key, entry in entries.items():
                if time.monotonic() - entry.since < self.probe_seconds / 2:
                    continue  # just opened: give the server a moment
                try:
                    psycopg.connect(entry.probe_url, connect_timeout=2).close()
                except psycopg.OperationalError as exc:
                    if key.startswith("server:") and not self.is_server_failure(exc):
                        # The server answers; only this database refuses: hold back the database alone.
                        recovered.add(key)
                        narrowed[database_of(entry.probe_url)] = _Open(entry.probe_url, str(exc).strip(),
                                                                       entry.since)
                    continue
                except psycopg.Error:
                    continue
                recovered.add(key)
            if recovered:
                with self._lock:
                    for key in recovered:
                        self._open.pop(key, None)
                    for key, entry in narrowed.items():
                        self._open.setdefault(key, entry)
                log.warning("database reachable again", extra={"breaker": ",".join(sorted(recovered))})
                self.on_recovery(recovered)

    def after_fork(self) -> None:
        self._open.clear()
        self._thread = None
        self._lock = threading.Lock()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
