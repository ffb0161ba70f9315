"""One target database, one transaction per polled batch; a poison event is isolated with savepoints."""
from __future__ import annotations

import logging

from shared.consumer import ledger
from shared.consumer.decode import READ_MODEL, Item
from shared.consumer.errors import TargetDown, describe, is_unavailable
from shared.consumer.rows import apply_rows

log = logging.getLogger(__name__)


def _first_claims(items: list[Item], claimed: set[str]) -> list[Item]:
    """Items to apply: claimed now, and only the first of an id delivered twice in the batch."""
    fresh, seen = [], set()
    for item in items:
        if item.event.id in claimed and item.event.id not in seen:
            seen.add(item.event.id)
            fresh.append(item)
    return fresh


def _all_at_once(conn, *, consumer: str, items: list[Item]) -> list[Item]:
    with conn.transaction():
        fresh = _first_claims(items, ledger.claim(conn, consumer=consumer, items=items))
        apply_rows(conn, [row for item in fresh for row in item.rows])
    return fresh


def _one_by_one(conn, *, consumer: str, items: list[Item]) -> tuple[list[Item], list[tuple[Item, str]]]:
    applied, poisoned = [], []
    with conn.transaction():
        for item in items:
            try:
                with conn.transaction():  # a savepoint: a bad event takes only itself back
                    if ledger.claim_one(conn, consumer=consumer, item=item):
                        apply_rows(conn, item.rows)
                        applied.append(item)
            except Exception as exc:  # noqa: BLE001 - whatever the event's rows do, it alone is refused
                if is_unavailable(exc):
                    raise
                poisoned.append((item, describe(exc)))
    return applied, poisoned


def apply_target(pools, url: str, *, consumer: str, items: list[Item]) -> None:
    """Apply the items' rows to `url`, setting each item's outcome; raises TargetDown if it cannot serve."""
    try:
        try:
            with pools.connection(url) as conn:
                applied = _all_at_once(conn, consumer=consumer, items=items)
            poisoned = []
        except Exception as exc:  # noqa: BLE001 - one event's data: find it, apply the others
            if is_unavailable(exc):
                raise
            log.info("batch refused by the database, applying its events one by one",
                     extra={"consumer": consumer, "error": type(exc).__name__, "events": len(items)})
            with pools.connection(url) as conn:
                applied, poisoned = _one_by_one(conn, consumer=consumer, items=items)
    except Exception as exc:  # noqa: BLE001
        if is_unavailable(exc):
            raise TargetDown(url, exc) from exc
        raise
    applied_ids = {id(item) for item in applied}
    for item in items:
        item.outcome = "applied" if id(item) in applied_ids else "duplicate"
    for item, reason in poisoned:
        item.poison(READ_MODEL, reason)
