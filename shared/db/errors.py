"""Errors meaning "the database cannot serve now: retry later" (the HTTP edge answers 503)."""
from __future__ import annotations


class DatabaseUnavailable(RuntimeError):
    """The database cannot serve now (server down, pool exhausted): retry after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int = 2):
        super().__init__(message)
        self.retry_after = retry_after


class PoolsExhausted(DatabaseUnavailable):
    """Every open pool is busy and the global cap forbids opening another."""
