"""Call use cases: one transaction each, the connection passed in."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import psycopg

from shared.http.pagination import decode_cursor, page
from shared.outbox.store import add_event

from services.registry.calls import domain, events, store


class CallNotFound(LookupError):
    pass


class StaleCall(Exception):
    def __init__(self, current_version: int):
        self.current_version = current_version


def now() -> datetime:
    return datetime.now(timezone.utc)


def with_state(call: dict, at: datetime | None = None) -> dict:
    """The row as clients see it: status as of now, and whether applications are accepted."""
    at = at or now()
    status = domain.effective_status(status=call["status"], closes_at=call["closes_at"], now=at)
    accepting = refusal(call, at) is None
    return {**call, "status": status, "accepting_applications": accepting}


def refusal(call: dict, at: datetime) -> str | None:
    """Why the call does not accept an application at `at`, or None."""
    return domain.refusal(status=call["status"], opens_at=call["opens_at"], closes_at=call["closes_at"],
                          closed_at=call["closed_at"], now=at)


def draft_call(*, conn: psycopg.Connection, tenant: str, title: str, description: str, areas: list[str],
               requirements: str, opens_at: datetime, closes_at: datetime) -> dict:
    """Create a call in draft."""
    domain.check_window(opens_at, closes_at)
    with conn.transaction():
        call = store.insert(conn, id=uuid.uuid4(), title=title.strip(), description=description,
                            areas=areas, requirements=requirements, opens_at=opens_at, closes_at=closes_at)
        add_event(conn, events.call_event(events.CALL_DRAFTED, tenant=tenant, call=call))
    return with_state(call)


def get_call(*, conn: psycopg.Connection, call_id: uuid.UUID) -> dict:
    """One call, with its state as of now."""
    call = store.get(conn, call_id)
    if call is None:
        raise CallNotFound(call_id)
    return with_state(call)


def list_calls(*, conn: psycopg.Connection, status: str | None, after: str | None, limit: int) -> dict:
    """A page of calls in creation order."""
    rows = store.page(conn, status=status, after_seq=decode_cursor(after), limit=limit + 1)
    result = page(rows, limit)
    at = now()
    result["items"] = [with_state(c, at) for c in result["items"]]
    return result


def _locked(conn, call_id, version: int) -> dict:
    call = store.get(conn, call_id, for_update=True)
    if call is None:
        raise CallNotFound(call_id)
    if call["version"] != version:
        raise StaleCall(call["version"])
    return call


def edit_call(*, conn: psycopg.Connection, tenant: str, call_id: uuid.UUID, version: int, changes: dict) -> dict:
    """Change a draft call's text, areas or window."""
    with conn.transaction():
        call = _locked(conn, call_id, version)
        if call["status"] != "draft":
            raise domain.CallRuleError("only a draft call can be edited; a published call is a public act")
        merged = {**call, **changes}
        domain.check_window(merged["opens_at"], merged["closes_at"])
        call = store.update(conn, call_id, **changes)
        add_event(conn, events.call_event(events.CALL_UPDATED, tenant=tenant, call=call))
    return with_state(call)


def _move(conn, *, tenant: str, call_id, version: int, target: str, stamp: str, event_type: str,
          check=lambda call, at: None) -> dict:
    """One step of the life cycle: lock, check, stamp the time, record the event."""
    with conn.transaction():
        call = _locked(conn, call_id, version)
        domain.check_transition(call["status"], target)
        at = now()
        check(call, at)
        call = store.update(conn, call_id, status=target, **{stamp: at})
        add_event(conn, events.call_event(event_type, tenant=tenant, call=call))
    return with_state(call)


def publish_call(*, conn: psycopg.Connection, tenant: str, call_id: uuid.UUID, version: int) -> dict:
    """Publish a draft call: from opens_at to closes_at it accepts applications."""
    return _move(conn, tenant=tenant, call_id=call_id, version=version, target="published",
                 stamp="published_at", event_type=events.CALL_PUBLISHED,
                 check=lambda call, at: domain.check_publishable(opens_at=call["opens_at"],
                                                                 closes_at=call["closes_at"], now=at))


def close_call(*, conn: psycopg.Connection, tenant: str, call_id: uuid.UUID, version: int) -> dict:
    """Close a published call now (also after its deadline, to record the closure)."""
    return _move(conn, tenant=tenant, call_id=call_id, version=version, target="closed",
                 stamp="closed_at", event_type=events.CALL_CLOSED)
