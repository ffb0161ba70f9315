"""Idempotency-Key against the real PostgreSQL: lease, replayed headers, purge of expired keys."""
from __future__ import annotations

import psycopg
import pytest

from shared.cli.demo import demo_tax_code
from shared.http import idempotency
from tests.integration.registry_client import Registry

BODY = {"name": "Caritas Diocesana", "type": "ets", "runts_section": "g", "tax_code": "01114601006"}


@pytest.fixture
def reg(tenants, settings, tmp_path):
    return Registry(tenants, settings, tmp_path / "tenants.yaml")


def db(reg, sql, *args):
    """An independent autocommit connection: sees only what was committed."""
    with psycopg.connect(reg.tenants.url_for(reg.tenants.get(reg.slug), "registry"), autocommit=True) as conn:
        cursor = conn.execute(sql, args)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def crash_after_claiming(reg, monkeypatch, key):
    """The process dies between claiming the key and settling it: the claim stays behind."""
    def dies(*args, **kwargs):
        raise SystemExit("killed")
    monkeypatch.setattr(idempotency, "_settle", dies)
    with pytest.raises(SystemExit):
        reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": key})
    monkeypatch.undo()
    [(status,)] = db(reg, "SELECT status FROM idempotency_keys WHERE key = %s", key)
    assert status is None  # claimed, never settled


def forget_the_creation(reg):
    db(reg, "DELETE FROM stakeholder_history")
    db(reg, "DELETE FROM stakeholders")


def test_a_claim_left_by_a_crash_is_409_while_its_lease_lasts(reg, monkeypatch):
    crash_after_claiming(reg, monkeypatch, "k-crash")
    retry = reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-crash"})
    assert retry.status_code == 409 and retry.get_json()["type"].endswith("idempotency-in-progress")


def test_a_claim_left_by_a_crash_is_taken_over_once_its_lease_expired(reg, monkeypatch):
    crash_after_claiming(reg, monkeypatch, "k-crash")
    # Age the lease as if the request timeout had passed: the retry runs instead of a day of 409s.
    forget_the_creation(reg)  # as if the crash had come before the creation committed
    aged = db(reg, "UPDATE idempotency_keys SET lease_until = now() - interval '1 second',"
                   " created_at = now() - interval '1 minute' WHERE key = 'k-crash'")
    assert aged == 1
    retry = reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-crash"})
    assert retry.status_code == 201, retry.get_json()
    again = reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-crash"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == retry.get_json()
    assert db(reg, "SELECT count(*) FROM stakeholders") == [(1,)]


def test_an_expired_lease_is_not_taken_over_by_another_request(reg, monkeypatch):
    crash_after_claiming(reg, monkeypatch, "k-crash")
    db(reg, "UPDATE idempotency_keys SET lease_until = now() - interval '1 second' WHERE key = 'k-crash'")
    other = reg.call("POST", "/stakeholders", json={**BODY, "name": "Altro"}, headers={"Idempotency-Key": "k-crash"})
    assert other.status_code == 422 and other.get_json()["type"].endswith("idempotency-key-reused")


def test_a_late_settle_of_a_taken_over_claim_does_not_overwrite_the_new_one(reg, monkeypatch):
    # Request A claims and stalls past its lease; B takes over and settles; A's late settle must not win.
    held = {}
    real_settle = idempotency._settle

    def stall(platform, tenant, subject, key, claim, response):
        held.update(platform=platform, tenant=tenant, subject=subject, key=key, claim=claim)
    monkeypatch.setattr(idempotency, "_settle", stall)
    first = reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-late"})
    monkeypatch.undo()
    assert first.status_code == 201
    forget_the_creation(reg)
    db(reg, "UPDATE idempotency_keys SET lease_until = now() - interval '1 second' WHERE key = 'k-late'")
    second = reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-late"})
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    real_settle(response=None, **held)  # A ends late, with a failure: it must not delete B's answer
    replay = reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-late"})
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == second.get_json()


def test_a_replay_keeps_the_etag(reg):
    first = reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-etag"})
    assert first.status_code == 201 and first.headers["ETag"] == '"1"'
    again = reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-etag"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.get_json() == first.get_json()


def test_a_failed_request_is_not_kept_and_runs_again(reg):
    bad = reg.call("POST", "/stakeholders", json={**BODY, "tax_code": "01114601007"},
                   headers={"Idempotency-Key": "k-fail"})
    assert bad.status_code == 422
    assert db(reg, "SELECT count(*) FROM idempotency_keys WHERE key = 'k-fail'") == [(0,)]
    good = reg.call("POST", "/stakeholders", json={**BODY, "tax_code": "01114601007"},
                    headers={"Idempotency-Key": "k-fail"})
    assert good.status_code == 422  # ran again (not a replay, not a 409)
    assert "Idempotent-Replayed" not in good.headers


def test_a_key_older_than_a_day_counts_as_unused(reg):
    first = reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-old"})
    assert first.status_code == 201
    db(reg, "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'k-old'")
    other = reg.call("POST", "/stakeholders", json={**BODY, "name": "Altro", "tax_code": "RSSMRA85T10A562S"},
                     headers={"Idempotency-Key": "k-old"})
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert other.get_json()["id"] != first.get_json()["id"]


def test_a_post_does_not_scan_for_expired_keys_every_time(reg):
    # Keys older than a day are purged now and then, not by every POST (the index makes the purge cheap).
    assert reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-0"}).status_code == 201
    db(reg, "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
    for i in range(1, 6):
        name = f"Associazione {i}"
        made = reg.call("POST", "/stakeholders", json={**BODY, "name": name, "tax_code": demo_tax_code(name, "076")},
                        headers={"Idempotency-Key": f"k-{i}"})
        assert made.status_code == 201, made.get_json()
    assert db(reg, "SELECT count(*) FROM idempotency_keys WHERE key = 'k-0'") == [(1,)]
    assert db(reg, "SELECT indexdef FROM pg_indexes WHERE tablename = 'idempotency_keys'"
                   " AND indexdef LIKE '%%(created_at)%%'") != []


def test_purge_deletes_only_expired_keys(reg):
    assert reg.call("POST", "/stakeholders", json=BODY, headers={"Idempotency-Key": "k-new"}).status_code == 201
    db(reg, "INSERT INTO idempotency_keys (subject, key, fingerprint, created_at)"
            " VALUES ('op', 'k-old', 'x', now() - interval '25 hours')")
    with psycopg.connect(reg.tenants.url_for(reg.tenants.get(reg.slug), "registry"), autocommit=True) as conn:
        assert idempotency.purge_expired(conn) == 1
    assert db(reg, "SELECT key FROM idempotency_keys ORDER BY key") == [("k-new",)]
