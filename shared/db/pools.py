"""Lazy per-tenant connection pools with a global cap, idle eviction and a circuit breaker.

One process may serve hundreds of Ambiti, so a pool is opened only when a
tenant is first used (after gunicorn forked the worker, never in the master),
at most `max_pools` pools stay open (the least recently used idle one is
closed to make room), and a pool unused for `idle_seconds` is closed.
The per-process connection cap is therefore max_pools * max_per_pool.

Speed: a checkout runs no health query. A connection is checked only when it
has been idle for `check_idle_seconds` (it may have been cut while nobody
used it); a busy pool hands out its connections at no cost.

Faults: a database that cannot be reached must be answered at once with
"retry later", not after every request waited the pool timeout. When a
connection attempt fails or a connection breaks, the circuit breaker
(shared/db/breaker.py) opens for that database, or for its whole server when
the server itself is unreachable, and `connection()` raises
DatabaseUnavailable at once. A background probe closes it again when the
database answers, and the pools of that database or server are replaced, so
no request inherits a dead connection or a pool waiting out its reconnection
back-off.
"""
from __future__ import annotations

import os
import queue
import threading
import time
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout, TooManyRequests

from shared.db.breaker import Breaker, breaker_keys
from shared.db.errors import DatabaseUnavailable, PoolsExhausted

__all__ = ["PoolRegistry", "DatabaseUnavailable", "PoolsExhausted"]

# How long one wait for a connection lasts before the breaker is looked at again.
_WAIT_SLICE = 0.1


class PoolRegistry:
    """Connection pools keyed by database URL, opened on first use."""

    def __init__(self, *, max_per_pool: int = 4, max_pools: int = 50, idle_seconds: float = 300.0,
                 timeout: float = 3.0, statement_timeout_ms: int | None = None,
                 check_idle_seconds: float = 30.0, probe_seconds: float = 1.0):
        self.max_per_pool = max_per_pool
        self.max_pools = max_pools
        self.idle_seconds = idle_seconds
        self.timeout = timeout
        self.statement_timeout_ms = statement_timeout_ms
        self.check_idle_seconds = check_idle_seconds
        self._pools: OrderedDict[str, ConnectionPool] = OrderedDict()
        self._last_used: dict[str, float] = {}
        self._in_use: dict[str, int] = {}
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._closer: queue.SimpleQueue[ConnectionPool] | None = None
        self._returned: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.breaker = Breaker(probe_seconds=probe_seconds, on_recovery=self._recycle)

    # -- bookkeeping (under self._lock) -------------------------------------------------
    def _check_fork(self) -> None:
        # Pools inherited through fork share sockets with the parent: drop them.
        if os.getpid() != self._pid:
            self._pools.clear()
            self._last_used.clear()
            self._in_use.clear()
            self._closer = None
            self._returned = weakref.WeakKeyDictionary()
            self.breaker.after_fork()
            self._pid = os.getpid()

    def _evict(self, now: float) -> list[ConnectionPool]:
        """Pick idle pools to close: expired ones, then LRU ones over the cap."""
        victims = []
        for url in list(self._pools):
            if self._in_use.get(url, 0) == 0 and now - self._last_used[url] > self.idle_seconds:
                victims.append(self._drop(url))
        for url in list(self._pools):
            if len(self._pools) < self.max_pools:
                break
            if self._in_use.get(url, 0) == 0:
                victims.append(self._drop(url))
        return victims

    def _drop(self, url: str) -> ConnectionPool:
        self._last_used.pop(url, None)
        self._in_use.pop(url, None)
        return self._pools.pop(url)

    def _new_pool(self, url: str) -> ConnectionPool:
        kwargs = {"connect_timeout": max(1, round(self.timeout))}
        if self.statement_timeout_ms:
            # Every request transaction is bounded: a stuck query answers 503, it never holds a worker.
            kwargs["options"] = (f"-c statement_timeout={self.statement_timeout_ms}"
                                 f" -c idle_in_transaction_session_timeout={self.statement_timeout_ms * 2}")
        return ConnectionPool(url, min_size=0, max_size=self.max_per_pool, max_idle=self.idle_seconds,
                              timeout=self.timeout, open=False, name=_safe_name(url), num_workers=1,
                              kwargs=kwargs, check=self._check_if_idle_long,
                              connection_class=_reporting_connection(self.breaker, url))

    def _acquire_pool(self, url: str) -> ConnectionPool:
        now = time.monotonic()
        with self._lock:
            self._check_fork()
            victims = self._evict(now) if url not in self._pools else []
            pool = self._pools.get(url)
            if pool is None:
                if len(self._pools) >= self.max_pools:
                    self._close_later(victims)
                    raise PoolsExhausted(f"{self.max_pools} pools open and all busy", retry_after=1)
                pool = self._new_pool(url)
                # Opened before anyone else can see it: a concurrent first request never meets a closed pool.
                pool.open(wait=False)
                self._pools[url] = pool
            self._pools.move_to_end(url)
            self._last_used[url] = now
            self._in_use[url] = self._in_use.get(url, 0) + 1
        self._close_later(victims)
        return pool

    def _release_pool(self, url: str) -> None:
        with self._lock:
            if url in self._in_use:
                self._in_use[url] -= 1
                self._last_used[url] = time.monotonic()

    def _close_later(self, pools: list[ConnectionPool]) -> None:
        """Close pools on a background thread: closing waits for connections, a request must not."""
        if not pools:
            return
        with self._lock:
            if self._closer is None:
                self._closer = queue.SimpleQueue()
                threading.Thread(target=_close_forever, args=(self._closer,), daemon=True,
                                 name="pool-closer").start()
            closer = self._closer
        for pool in pools:
            closer.put(pool)

    def _recycle(self, keys: set[str]) -> None:
        """The breaker closed: replace the pools of what recovered (their connections are dead)."""
        with self._lock:
            victims = [self._drop(url) for url in list(self._pools)
                       if self._in_use.get(url, 0) == 0 and keys & set(breaker_keys(url))]
        self._close_later(victims)

    def _check_if_idle_long(self, conn: psycopg.Connection) -> None:
        """Health-check only a connection nobody used for a while; raises if it is dead."""
        returned = self._returned.get(conn)
        if returned is None or time.monotonic() - returned > self.check_idle_seconds:
            ConnectionPool.check_connection(conn)

    # -- public ---------------------------------------------------------------------------
    @contextmanager
    def connection(self, url: str) -> Iterator[psycopg.Connection]:
        """A pooled connection to `url`; the block is one transaction (commit on success).

        Raises DatabaseUnavailable at once while the database (or its server) is known to be down,
        and when no connection frees up within `timeout`.
        """
        self.breaker.raise_if_open(url)
        pool = self._acquire_pool(url)
        try:
            conn = self._getconn(pool, url)
            try:
                with conn:
                    yield conn
            except psycopg.OperationalError as exc:
                if conn.broken:
                    self.breaker.trip(url, reason=_first_line(exc) or "connection lost",
                                      whole_server=self.breaker.is_server_failure(exc))
                raise
            finally:
                self._returned[conn] = time.monotonic()
                pool.putconn(conn)
        finally:
            self._release_pool(url)

    def _getconn(self, pool: ConnectionPool, url: str) -> psycopg.Connection:
        """Wait for a connection in short slices, so that a failed connection attempt ends the wait."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return pool.getconn(timeout=min(_WAIT_SLICE, max(0.01, deadline - time.monotonic())))
            except TooManyRequests as exc:
                raise DatabaseUnavailable("too many requests waiting for a database connection",
                                          retry_after=1) from exc
            except PoolTimeout as exc:
                self.breaker.raise_if_open(url)
                if time.monotonic() >= deadline:
                    raise DatabaseUnavailable(
                        f"no database connection free within {self.timeout:g} s", retry_after=1) from exc

    def evict_idle(self) -> int:
        """Close pools idle for longer than idle_seconds; returns how many were closed."""
        with self._lock:
            self._check_fork()
            now = time.monotonic()
            victims = [self._drop(url) for url in list(self._pools)
                       if self._in_use.get(url, 0) == 0 and now - self._last_used[url] > self.idle_seconds]
        self._close_later(victims)
        return len(victims)

    def open_count(self) -> int:
        return len(self._pools)

    def close(self) -> None:
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
            self._last_used.clear()
            self._in_use.clear()
        self.breaker.stop()
        for pool in pools:
            pool.close()


def _close_forever(pools: queue.SimpleQueue) -> None:
    while True:
        pool = pools.get()
        try:
            pool.close(timeout=5)
        except Exception:  # a pool that will not close cleanly is garbage anyway
            pass


def _reporting_connection(breaker: Breaker, url: str) -> type[psycopg.Connection]:
    """A Connection class whose failed connection attempts open the breaker for `url`."""
    class ReportingConnection(psycopg.Connection):
        @classmethod
        def connect(cls, *args, **kwargs):
            try:
                return super().connect(*args, **kwargs)
            except psycopg.OperationalError as exc:
                breaker.trip(url, reason=_first_line(exc) or "cannot connect",
                             whole_server=breaker.is_server_failure(exc))
                raise
    return ReportingConnection


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _safe_name(url: str) -> str:
    """Pool name for logs: the database name, never the password."""
    from psycopg.conninfo import conninfo_to_dict
    params = conninfo_to_dict(url)
    return f"{params.get('host', '')}:{params.get('port', '')}/{params.get('dbname', '')}"
