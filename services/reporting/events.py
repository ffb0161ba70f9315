"""Reporting's event payloads: a changed figure of the statistics feed (pdz.statistics.v1)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

from shared.events.envelope import CloudEvent

FIGURE_CHANGED = "it.pdz.reporting.figure.changed.v1"
# Event ids derive from the figure, its revision and value: a figure sent again after a crash keeps its id
# (a read model rebuilt from scratch publishes revision 1 again: a new value gets a new id).
NAMESPACE = uuid.UUID("0b9d4a52-6c0e-4b8e-9a55-5f1c8c6f2e11")


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def figure_subject(row) -> str:
    """The figure's identity: <indicator>/<territory_type>/<territory_code>/<period>[/<dimension>]."""
    subject = f"{row.indicator}/{row.territory_type}/{row.territory_code}/{row.period}"
    return f"{subject}/{row.dimension_key}" if row.dimension else subject


def figure_changed(row, *, region: str, value: Decimal | None, previous: Decimal | None, revision: int,
                   now: datetime | None = None) -> CloudEvent:
    """The event of one feed row whose value changed (value None: no longer given)."""
    tenant = row.ambito or region
    subject = figure_subject(row)
    data = {"indicator": row.indicator, "territory_code": row.territory_code, "territory_type": row.territory_type,
            "ambito": row.ambito, "region": region, "period": row.period, "dimension": dict(row.dimension),
            "value": _decimal(value), "previous_value": _decimal(previous), "unit": row.unit,
            "as_of": row.as_of.isoformat() if row.as_of else None, "revision": revision,
            "computed_at": (now or datetime.now(timezone.utc)).isoformat()}
    return CloudEvent(type=FIGURE_CHANGED, source=f"/pdz/reporting/{tenant}", tenantid=tenant, subject=subject,
                      data=data, id=str(uuid.uuid5(NAMESPACE, f"{tenant}/{subject}#{revision}#{data['value']}")))
