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


def configure_logging(level: str = "INFO") -> None:
    """Route every logger to stderr as JSON (gunicorn's too)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("gunicorn.error", "gunicorn.access", "kafka"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("kafka").setLevel("WARNING")
