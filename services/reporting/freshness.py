"""Freshness (issue 11 item 5): when the newest event of each service was applied, and which Ambiti changed.

The reporting consumer runs the projectors wrapped by `marked`: every event whose projector gives rows
also writes a `figure_marks` row (migration 008) in the same transaction, so the mark exists exactly
when the projection does. `as_of` reads, per service, the newest event time of the marks still pending
and of those the publisher drained (folded into `source_freshness`). Event times are the events'
`time` (when the change happened in the owning service), not when reporting applied them: a consumer
running behind shows an older `as_of`.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Mapping

import psycopg
from prometheus_client import Gauge

from shared.consumer.rows import Upsert

SERVICES = ("registry", "consultation", "budget")

NEWEST = Gauge("pdz_reporting_newest_event_timestamp_seconds",
               "Unix time of the newest applied event per source service (reporting database)", ["service"])
AGE = Gauge("pdz_reporting_newest_event_age_seconds",
            "Seconds since the newest applied event per source service (how stale the statistics may be)",
            ["service"])


def _event_time(event) -> datetime:
    try:
        when = datetime.fromisoformat(event.time)
    except (TypeError, ValueError):
        # A good event with a bad `time` is still applied: reporting marks it as seen now.
        return datetime.now(timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def mark(event) -> Upsert:
    """The figure_marks row of one applied event."""
    return Upsert("figure_marks", key={"event_id": event.id},
                  values={"tenant": event.tenantid, "service": event.service, "event_time": _event_time(event)})


def marked(projectors: Mapping[str, Callable]) -> dict[str, Callable]:
    """The same projectors, each adding the event's mark to the rows it gives (none when it gives none)."""
    def wrap(projector):
        def project(event):
            rows = projector(event)
            return [*rows, mark(event)] if rows else rows
        project.__name__ = getattr(projector, "__name__", "project")
        project.__doc__ = projector.__doc__
        return project
    return {event_type: wrap(projector) for event_type, projector in projectors.items()}


_AS_OF = ("SELECT s.service, greatest((SELECT newest_event_time FROM source_freshness f WHERE f.service = s.service),"
          " (SELECT max(event_time) FROM figure_marks m WHERE m.service = s.service))"
          " FROM unnest(%s::text[]) AS s(service)")


def as_of(conn: psycopg.Connection) -> dict[str, datetime | None]:
    """Per service, the time of the newest event applied to the read models (None: none yet)."""
    return {service: when for service, when in conn.execute(_AS_OF, (list(SERVICES),)).fetchall()}


def fold(conn: psycopg.Connection, newest: Mapping[str, datetime]) -> None:
    """Record the newest event time per service of drained marks (only ever later)."""
    for service, when in newest.items():
        conn.execute("INSERT INTO source_freshness (service, newest_event_time) VALUES (%s, %s)"
                     " ON CONFLICT (service) DO UPDATE SET newest_event_time = EXCLUDED.newest_event_time,"
                     " updated_at = now() WHERE source_freshness.newest_event_time < EXCLUDED.newest_event_time",
                     (service, when))


def report(times: Mapping[str, datetime | None], *, now: datetime | None = None) -> None:
    """Set the gauges from `as_of`'s answer."""
    now = now or datetime.now(timezone.utc)
    for service, when in times.items():
        if when is not None:
            NEWEST.labels(service).set(when.timestamp())
            AGE.labels(service).set(max(0.0, (now - when).total_seconds()))
