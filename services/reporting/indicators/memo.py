"""Whole answers kept in the API process's memory, under the stamp of the data they show (issue 11 item 4).

The figure cache (cache.py) makes the figures cheap; turning 20,000 figures into a 1-2 MB JSON, CSV or
XLSX still costs 0.1-3 s. An answer is kept here under its key: what was asked (path, format, period,
indicator) and the stamp of every tenant it counts (cache.stamp: None while one is moving, then nothing
is kept) and the freshness (`as_of`) it shows, so a kept answer is byte for byte the one that would be
built now. Bounded in bytes per process (PDZ_REPORTING_ANSWER_CACHE_MB, default 64; 0 turns it off),
least recently used first out; each gunicorn worker has its own.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from services.reporting.indicators.cache import DataState, stamp


@dataclass(frozen=True)
class Kept:
    """A built answer: its body and the headers it was sent with."""
    body: bytes
    headers: tuple[tuple[str, str], ...]


def key(state: DataState, tenants: Iterable[str], as_of: Mapping[str, datetime | None], *asked) -> tuple | None:
    """The key of an answer: what was asked, the data's stamp and as_of; None when the data is moving."""
    named = stamp(state, tenants)
    if named is None:
        return None
    return (named, tuple(sorted((s, w.isoformat() if w else None) for s, w in as_of.items())), *asked)


class Answers:
    """A least-recently-used map of keys to Kept answers, at most `max_bytes` of bodies (thread-safe)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._kept: OrderedDict[tuple, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, at: tuple | None) -> Kept | None:
        if at is None:
            return None
        with self._lock:
            found = self._kept.get(at)
            if found is not None:
                self._kept.move_to_end(at)
            return found

    def put(self, at: tuple | None, kept: Kept) -> None:
        if at is None or len(kept.body) > self.max_bytes:
            return
        with self._lock:
            old = self._kept.pop(at, None)
            if old is not None:
                self.size -= len(old.body)
            self._kept[at] = kept
            self.size += len(kept.body)
            while self.size > self.max_bytes:
                _, dropped = self._kept.popitem(last=False)
                self.size -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._kept)


def _max_bytes() -> int:
    try:
        return max(0, int(float(os.environ.get("PDZ_REPORTING_ANSWER_CACHE_MB", "64")) * 1024 * 1024))
    except ValueError:
        return 64 * 1024 * 1024


ANSWERS = Answers(_max_bytes())
