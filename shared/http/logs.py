"""JSON log lines, one per record, with the request id and tenant when there is one."""
from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone

from flask import g, has_request_context, request

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# PostgreSQL quotes the values of a violated key ("Key (tax_code)=(RSSMRA…) already exists"):
# an error log must name the column, never the value, which may be personal data.
_PARENS = r"\((?:[^()]|\([^()]*\))*\)"  # one level of nesting: (lower(email))
_KEY_VALUES = re.compile(rf"(Key {_PARENS})={_PARENS}")


# The access log names a query's parameters and never their values: `q` may be a person's name or
# codice fiscale, `access_token` a token. A parameter *name* is the client's text too, so only
# names shaped like ours are written, and never one that looks like a tax code.
_PARAMETER_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
_TAX_CODE_LIKE = re.compile(r"[a-z]{6}[0-9lmnpqrstuv]{2}[a-z][0-9lmnpqrstuv]{2}[a-z][0-9lmnpqrstuv]{3}[a-z]|[0-9]{11}",
                            re.IGNORECASE)
REDACTED = "…"


def loggable_query(args) -> str:
    """A request's query for the access log: `q=…&limit=…`, names only (odd names redacted too)."""
    names = []
    for name, _value in args.items(multi=True):
        safe = _PARAMETER_NAME.fullmatch(name) and not _TAX_CODE_LIKE.search(name)
        names.append(f"{name if safe else REDACTED}={REDACTED}")
    return "&".join(names)


def scrub(text: str) -> str:
    """Text for a log line, without the values PostgreSQL quotes in its error details."""
    return _KEY_VALUES.sub(r"\1=(…)", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        if has_request_context():
            entry["request_id"] = getattr(g, "request_id", None)
            entry["tenant"] = (request.view_args or {}).get("tenant")
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """A handler that writes to whatever sys.stderr is when a record is emitted.

    A StreamHandler keeps the stream it was given: a command run in-process (tests, tools that
    swap sys.stderr) left the root logger writing into a closed stream, and every later record
    became a "Logging error" traceback (the leak test_problem_memory caught in CI).
    """

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass  # always the current sys.stderr


def configure_logging(level: str = "INFO") -> None:
    """Route every logger to stderr as JSON (gunicorn's too)."""
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("gunicorn.error", "gunicorn.access", "kafka"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("kafka").setLevel("WARNING")
    # gunicorn's access line carries the full query string and no request id: the app writes its own.
    logging.getLogger("gunicorn.access").setLevel("WARNING")
