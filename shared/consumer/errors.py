"""What can go wrong with one event, and with a database."""
from __future__ import annotations

import psycopg

from shared.db.pools import DatabaseUnavailable


class Rejected(Exception):
    """The event is well-formed but this consumer cannot accept it (e.g. unknown tenant)."""

    def __init__(self, message: str, *, kind: str = "rejected"):
        super().__init__(message)
        self.kind = kind


def is_unavailable(exc: BaseException) -> bool:
    """True if the database cannot serve now (the event is not at fault and is retried).

    Connection, resource and concurrency failures are PostgreSQL's
    OperationalError, but so is "program limit exceeded" (class 54, e.g. an
    index entry too long): that one is the event's data, never an outage.
    """
    if isinstance(exc, psycopg.errors.ProgramLimitExceeded):
        return False
    return isinstance(exc, (DatabaseUnavailable, psycopg.OperationalError, psycopg.InterfaceError))


class TargetDown(Exception):
    """A target database is unavailable; `cause` says why."""

    def __init__(self, url: str, cause: BaseException):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.url = url
        self.cause = cause


def describe(exc: BaseException) -> str:
    """`<Class>: <message>` without PostgreSQL's DETAIL lines (they may quote a row's values)."""
    diag = getattr(exc, "diag", None)
    message = getattr(diag, "message_primary", None) or str(exc)
    return f"{type(exc).__name__}: {message}"


def database_name(url: str) -> str:
    """host:port/dbname of a connection URL, for logs and probes: never the password."""
    from psycopg.conninfo import conninfo_to_dict
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(unparsable database URL)"
    return f"{params.get('host', '')}:{params.get('port', '')}/{params.get('dbname', '')}"
