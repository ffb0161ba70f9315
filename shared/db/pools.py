"""Per-tenant database connections for one process: lazy, capped, idle-evicted, breaker-guarded.

One process may serve hundreds of Ambiti, each with its own database, so the
registry keeps, per database URL, a small set of connections opened on first
use (after gunicorn forked the worker, never in the master): at most
`max_per_pool` per database, at most `max_pools` databases at once (the least
recently used idle one gives its connections up to make room), at most
`max_connections` in all (the least recently used idle connection of another
database is closed to make room), and a connection unused for `idle_seconds`
is closed. Only databases used in the last `idle_seconds` hold any: a process
serving hundreds of Ambiti keeps one warm connection for each active one,
because opening a connection costs the server several milliseconds of CPU.

Why not one psycopg_pool per database: each ConnectionPool runs a scheduler
and a worker thread and is built for one busy database; hundreds of them per
process meant hundreds of threads, and a pool created and closed (two thread
starts and joins) whenever a request reached an Ambito outside the cap. Here
a database is a list of idle connections under one lock, and a connection is
opened in the requesting thread.

Speed: a checkout runs no health query. A connection is checked only when it
has been idle for `check_idle_seconds` (it may have been cut while nobody
used it); a busy database hands out its connections at no cost.

Faults: a database that cannot be reached is answered at once with "retry
later", not after every request waited for its own failure. When a
connection attempt fails or a connection breaks, the circuit breaker
(shared/db/breaker.py) opens for that database, or for its whole server when
the server itself is unreachable, and `connection()` raises
DatabaseUnavailable at once. A background probe closes it again when the
database answers; the idle connections of what recovered are dropped then,
since they died with the server.
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import psycopg
from psycopg.pq import TransactionStatus

from shared.db.breaker import Breaker, breaker_keys
from shared.db.errors import DatabaseUnavailable, PoolsExhausted

__all__ = ["PoolRegistry", "DatabaseUnavailable", "PoolsExhausted"]

# Longest single wait for a connection before the breaker is looked at again.
_WAIT_SLICE = 0.1
# Connections are replaced after this long (as psycopg_pool's max_lifetime does): server-side memory
# a long-lived backend accumulates is given back.
_MAX_LIFETIME = 3600.0


@dataclass
class _Idle:
    conn: psycopg.Connection
    returned_at: float


@dataclass
class _Database:
    """The connections of one database URL: idle ones (most recent last) and how many are out."""

    idle: list[_Idle] = field(default_factory=list)
    busy: int = 0
    last_used: float = 0.0


class PoolRegistry:
    """Connections keyed by database URL, opened on first use."""

    def __init__(self, *, max_per_pool: int = 4, max_pools: int = 50, idle_seconds: float = 300.0,
                 timeout: float = 3.0, statement_timeout_ms: int | None = None,
                 check_idle_seconds: float = 30.0, probe_seconds: float = 1.0,
                 max_connections: int | None = None):
        self.max_per_pool = max_per_pool
        self.max_connections = max_connections
        self.max_pools = max_pools
        self.idle_seconds = idle_seconds
        self.timeout = timeout
        self.statement_timeout_ms = statement_timeout_ms
        self.check_idle_seconds = check_idle_seconds
        self._databases: OrderedDict[str, _Database] = OrderedDict()
        self._cond = threading.Condition()
        self._pid = os.getpid()
        self._inherited: list = []
        self._last_expiry = time.monotonic()
        self.breaker = Breaker(probe_seconds=probe_seconds, on_recovery=self._forget_idle)

    # -- checkout ---------------------------------------------------------------------------
    @contextmanager
    def connection(self, url: str) -> Iterator[psycopg.Connection]:
        """A connection to `url`; the block is one transaction (commit on success, rollback on error).

        Raises DatabaseUnavailable at once while the database (or its server) is known to be down,
        and when no connection frees up within `timeout`.
        """
        conn = self._checkout(url)
        try:
            yield conn
        except BaseException as exc:
            if isinstance(exc, psycopg.OperationalError) and conn.broken:
                self.breaker.trip(url, reason=_first_line(exc) or "connection lost",
                                  whole_server=self.breaker.is_server_failure(exc))
            if not conn.closed:
                try:
                    conn.rollback()
                except psycopg.Error:
                    pass
            self._checkin(url, conn)
            raise
        try:
            if not conn.closed:
                conn.commit()
        finally:
            self._checkin(url, conn)

    def _checkout(self, url: str) -> psycopg.Connection:
        deadline = time.monotonic() + self.timeout
        while True:
            idle, victims = self._reserve(url, deadline)
            _close_all(victims)
            if idle is None:
                return self._connect(url)
            if time.monotonic() - idle.returned_at <= self.check_idle_seconds:
                return idle.conn
            try:  # idle for long: it may have been cut meanwhile (an empty query is one round trip)
                idle.conn.execute("")
                if idle.conn.info.transaction_status == TransactionStatus.INTRANS:
                    idle.conn.rollback()
                return idle.conn
            except psycopg.Error:
                self._discard(url, idle.conn)  # and try again: another idle one or a new one

    def _reserve(self, url: str, deadline: float) -> tuple[_Idle | None, list]:
        """Under the lock: an idle connection, or a reserved slot to connect (None), or wait."""
        victims: list = []
        with self._cond:
            self._check_fork()
            now = time.monotonic()
            if now - self._last_expiry > min(self.idle_seconds / 2, 30.0):
                victims += self._expire(now)
            while True:
                self.breaker.raise_if_open(url)
                database = self._databases.get(url)
                if database is None:
                    victims += self._make_room()
                    database = self._databases[url] = _Database()
                self._databases.move_to_end(url)
                database.last_used = now
                if database.idle:
                    database.busy += 1
                    return database.idle.pop(), victims
                if database.busy < self.max_per_pool:
                    room = self._room_for_one(url)
                    if room is not None:
                        victims += room
                        database.busy += 1  # reserved: the caller connects outside the lock
                        return None, victims
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DatabaseUnavailable(f"no database connection free within {self.timeout:g} s",
                                              retry_after=1)
                self._cond.wait(min(_WAIT_SLICE, remaining))
                now = time.monotonic()

    def _room_for_one(self, url: str) -> list | None:
        """Under the lock: [] if one more connection fits, [the LRU idle one of another database] if
        closing it makes room, None if every connection of the process is in use (wait)."""
        if not self.max_connections:
            return []
        if sum(len(d.idle) + d.busy for d in self._databases.values()) < self.max_connections:
            return []
        for other in list(self._databases):
            database = self._databases[other]
            if other != url and database.idle:
                victim = database.idle.pop(0)
                if not database.idle and database.busy == 0:
                    del self._databases[other]
                return [victim.conn]
        return None

    def _make_room(self) -> list:
        """Give up the least recently used idle databases until a new one fits under max_pools."""
        victims = []
        for url in list(self._databases):
            if len(self._databases) < self.max_pools:
                break
            database = self._databases[url]
            if database.busy == 0:
                victims += [idle.conn for idle in database.idle]
                del self._databases[url]
        if len(self._databases) >= self.max_pools:
            raise PoolsExhausted(f"{self.max_pools} databases open and all busy", retry_after=1)
        return victims

    def _connect(self, url: str) -> psycopg.Connection:
        """Open a connection in the reserved slot; a failure frees the slot and opens the breaker."""
        kwargs = {"connect_timeout": max(1, round(self.timeout))}
        try:
            conn = psycopg.connect(url, **kwargs)
            if self.statement_timeout_ms:
                _bound_statements(conn, self.statement_timeout_ms)
        except BaseException as exc:
            self._release_slot(url)
            if isinstance(exc, psycopg.OperationalError):
                self.breaker.trip(url, reason=_first_line(exc) or "cannot connect",
                                  whole_server=self.breaker.is_server_failure(exc))
                raise DatabaseUnavailable(f"cannot connect to the database ({_first_line(exc)})",
                                          retry_after=max(1, round(self.breaker.probe_seconds * 2))) from exc
            raise
        conn._pdz_opened_at = time.monotonic()
        return conn

    # -- checkin ----------------------------------------------------------------------------
    def _checkin(self, url: str, conn: psycopg.Connection) -> None:
        now = time.monotonic()
        usable = not conn.closed and conn.info.transaction_status == TransactionStatus.IDLE
        with self._cond:
            database = self._databases.get(url)
            if database is None:  # forgotten meanwhile (fork): nothing to return it to
                usable = False
            else:
                database.busy -= 1
                database.last_used = now
                if usable and now - getattr(conn, "_pdz_opened_at", now) < _MAX_LIFETIME:
                    database.idle.append(_Idle(conn, now))
                else:
                    usable = False
            self._cond.notify()
        if not usable:
            _close_all([conn])

    def _discard(self, url: str, conn: psycopg.Connection) -> None:
        with self._cond:
            database = self._databases.get(url)
            if database is not None:
                database.busy -= 1
            self._cond.notify()
        _close_all([conn])

    def _release_slot(self, url: str) -> None:
        with self._cond:
            database = self._databases.get(url)
            if database is not None:
                database.busy -= 1
            self._cond.notify()

    # -- housekeeping -----------------------------------------------------------------------
    def _expire(self, now: float) -> list:
        """Under the lock: connections idle for idle_seconds, and databases left with none."""
        self._last_expiry = now
        victims = []
        for url in list(self._databases):
            database = self._databases[url]
            keep = [idle for idle in database.idle if now - idle.returned_at <= self.idle_seconds]
            victims += [idle.conn for idle in database.idle if now - idle.returned_at > self.idle_seconds]
            database.idle = keep
            if not keep and database.busy == 0 and now - database.last_used > self.idle_seconds:
                del self._databases[url]
        return victims

    def _forget_idle(self, keys: set[str]) -> None:
        """The breaker closed: drop the idle connections of what recovered (they died with it)."""
        with self._cond:
            victims = []
            for url, database in self._databases.items():
                if keys & set(breaker_keys(url)):
                    victims += [idle.conn for idle in database.idle]
                    database.idle = []
        _close_all(victims)

    def _check_fork(self) -> None:
        # Connections inherited through fork share sockets with the parent: never use or close them
        # here (closing would end the parent's sessions); keep them referenced so none is finalised.
        if os.getpid() != self._pid:
            self._inherited.append(self._databases)
            self._databases = OrderedDict()
            self.breaker.after_fork()
            self._pid = os.getpid()

    def evict_idle(self) -> int:
        """Close connections idle for longer than idle_seconds; returns how many databases were let go."""
        with self._cond:
            self._check_fork()
            before = len(self._databases)
            victims = self._expire(time.monotonic())
            let_go = before - len(self._databases)
        _close_all(victims)
        return let_go

    def open_count(self) -> int:
        """Databases holding connections (idle or in use) in this process."""
        return len(self._databases)

    def connection_count(self) -> int:
        """Connections this process holds, idle or in use."""
        with self._cond:
            return sum(len(d.idle) + d.busy for d in self._databases.values())

    def close(self) -> None:
        with self._cond:
            victims = [idle.conn for d in self._databases.values() for idle in d.idle]
            self._databases.clear()
            self._cond.notify_all()
        self.breaker.stop()
        _close_all(victims)


def _close_all(conns: list) -> None:
    for conn in conns:
        try:
            conn.close()
        except Exception:  # a connection that will not close cleanly is gone anyway
            pass


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _bound_statements(conn: psycopg.Connection, ms: int) -> None:
    """Bound every statement (a stuck query answers 503, it never holds a worker) with a session SET.

    Not a startup option (`options=-c ...`): PgBouncer, the Kubernetes Pooler, drops those
    (docs/deployment.md, PostgreSQL (CloudNativePG)); a SET holds for the session in its session mode.
    """
    try:
        conn.autocommit = True
        conn.execute(f"SET statement_timeout = {int(ms)}; SET idle_in_transaction_session_timeout = {int(ms) * 2}")
        conn.autocommit = False
    except BaseException:
        conn.close()
        raise
