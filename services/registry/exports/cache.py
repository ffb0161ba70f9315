"""The bodies of the public exports, kept while what they show holds: pure, no I/O.

One entry per key (tenant, format): the last body built and the fingerprint it
was built for. A request whose fingerprint matches gets that body; any other
rebuilds it. Memory is bounded in bytes, not entries (registers range from a
dozen organisations to thousands), least recently used first out. Builds of
one key are single-flight: requests that miss together wait for one build
instead of each spending the CPU (an XLSX costs ~0.1 ms per row).
"""
from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from typing import Callable, Hashable


class ExportCache:
    def __init__(self, *, max_bytes: int):
        self.max_bytes = max_bytes
        self.builds: Counter = Counter()   # builds per key: what tests and operators read
        self._entries: OrderedDict[Hashable, tuple[str, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}
        self._waiting: Counter = Counter()

    def get_or_build(self, key: Hashable, fingerprint: str, build: Callable[[], bytes]) -> bytes:
        """The body kept for `key` if it was built for `fingerprint`, else `build()`'s (kept if it fits)."""
        body = self._get(key, fingerprint)
        if body is not None:
            return body
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
            self._waiting[key] += 1
        with building:
            with self._lock:
                self._waiting[key] -= 1
            body = self._get(key, fingerprint)   # built by the request we waited for
            if body is None:
                body = build()
                with self._lock:
                    self.builds[key] += 1
                    self._put(key, fingerprint, body)
        return body

    def waiting(self, key: Hashable) -> int:
        """Requests for `key` waiting for a build (theirs or another's) to start or finish."""
        with self._lock:
            return self._waiting[key]

    def size(self) -> int:
        """Bytes held."""
        with self._lock:
            return self._bytes

    def _get(self, key, fingerprint) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != fingerprint:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def _put(self, key, fingerprint, body) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old[1])
        if len(body) > self.max_bytes:
            return   # served, not kept: one register must not empty the cache of all the others
        self._entries[key] = (fingerprint, body)
        self._bytes += len(body)
        while self._bytes > self.max_bytes:
            _key, (_fp, evicted) = self._entries.popitem(last=False)
            self._bytes -= len(evicted)
