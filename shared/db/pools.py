"""Lazy per-tenant connection pools with a global cap and idle eviction.

One process may serve hundreds of Ambiti, so a pool is opened only when a
tenant is first used (after gunicorn forked the worker, never in the master),
at most `max_pools` pools stay open (the least recently used idle one is
closed to make room), and a pool unused for `idle_seconds` is closed.
The per-process connection cap is therefore max_pools * max_per_pool.
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator

import psycopg
from psycopg_pool import ConnectionPool


class DatabaseUnavailable(RuntimeError):
    """The database cannot serve now (server down, pool exhausted): retry after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int = 2):
        super().__init__(message)
        self.retry_after = retry_after


class PoolsExhausted(DatabaseUnavailable):
    """Every open pool is busy and the global cap forbids opening another."""


class PoolRegistry:
    """Connection pools keyed by database URL, opened on first use."""

    def __init__(self, *, max_per_pool: int = 4, max_pools: int = 50,
                 idle_seconds: float = 300.0, timeout: float = 10.0):
        self.max_per_pool = max_per_pool
        self.max_pools = max_pools
        self.idle_seconds = idle_seconds
        self.timeout = timeout
        self._pools: OrderedDict[str, ConnectionPool] = OrderedDict()
        self._last_used: dict[str, float] = {}
        self._in_use: dict[str, int] = {}
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def _check_fork(self) -> None:
        # Pools inherited through fork share sockets with the parent: drop them.
        if os.getpid() != self._pid:
            self._pools.clear()
            self._last_used.clear()
            self._in_use.clear()
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

    def _acquire_pool(self, url: str) -> ConnectionPool:
        now = time.monotonic()
        with self._lock:
            self._check_fork()
            victims = self._evict(now) if url not in self._pools else []
            pool = self._pools.get(url)
            if pool is None:
                if len(self._pools) >= self.max_pools:
                    raise PoolsExhausted(f"{self.max_pools} pools open and all busy")
                pool = ConnectionPool(url, min_size=0, max_size=self.max_per_pool,
                                      max_idle=self.idle_seconds, timeout=self.timeout,
                                      open=False, name=_safe_name(url), num_workers=1,
                                      check=ConnectionPool.check_connection)
                self._pools[url] = pool
                opening = True
            else:
                opening = False
            self._pools.move_to_end(url)
            self._last_used[url] = now
            self._in_use[url] = self._in_use.get(url, 0) + 1
        for victim in victims:
            victim.close()
        if opening:
            pool.open(wait=False)
        return pool

    def _release_pool(self, url: str) -> None:
        with self._lock:
            if url in self._in_use:
                self._in_use[url] -= 1
                self._last_used[url] = time.monotonic()

    @contextmanager
    def connection(self, url: str) -> Iterator[psycopg.Connection]:
        """A pooled connection to `url`; the block is one transaction (commit on success)."""
        pool = self._acquire_pool(url)
        try:
            with pool.connection() as conn:
                yield conn
        finally:
            self._release_pool(url)

    def evict_idle(self) -> int:
        """Close pools idle for longer than idle_seconds; returns how many were closed."""
        with self._lock:
            self._check_fork()
            victims = [self._drop(url) for url in list(self._pools)
                       if self._in_use.get(url, 0) == 0
                       and time.monotonic() - self._last_used[url] > self.idle_seconds]
        for victim in victims:
            victim.close()
        return len(victims)

    def open_count(self) -> int:
        return len(self._pools)

    def close(self) -> None:
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
            self._last_used.clear()
            self._in_use.clear()
        for pool in pools:
            pool.close()


def _safe_name(url: str) -> str:
    """Pool name for logs: the database name, never the password."""
    from psycopg.conninfo import conninfo_to_dict
    params = conninfo_to_dict(url)
    return f"{params.get('host', '')}:{params.get('port', '')}/{params.get('dbname', '')}"
