"""Fault tests on the real processes, shortened for `make test` (bench/faults.py runs the full ones).

Each scenario starts the registry API (gunicorn), the registry relay, the
reporting consumer and the reporting API as processes on loopback and
reconciles every 201 with reporting's read model. R2 and R3 stop a Kafka or a
PostgreSQL of their own (never the shared stack's). The expectations are
bench/faults.py's; a failing scenario prints its figures and what failed.
"""
from __future__ import annotations

import pytest

from bench.faults import kafka_scenario, kill_scenario, postgres_scenario
from bench.faults_poison import poison_scenario

pytestmark = pytest.mark.e2e

WRITES = 300
CLIENTS = 8


def _check(outcome) -> None:
    figures = "\n".join(f"  {k}: {v}" for k, v in outcome.figures.items())
    assert not outcome.failures, (f"{outcome.scenario}:\n" + "\n".join(outcome.failures)
                                  + f"\nfigures:\n{figures}")


@pytest.mark.parametrize("target", ["registry-api", "registry-relay", "reporting-consumer"])
def test_r1_a_killed_process_loses_and_doubles_nothing(target, settings, tmp_path):
    _check(kill_scenario(target, settings=settings, folder=tmp_path, writes=WRITES, clients=CLIENTS))


def test_r2_kafka_down_the_apis_answer_201_and_the_backlog_drains(settings, tmp_path):
    # No drain-time bound here (tests assert no timings): the bench checks the 30 s.
    _check(kafka_scenario(settings=settings, folder=tmp_path, writes=WRITES, clients=CLIENTS, outage=10,
                          drain_bound=None))


def test_r3_postgres_down_the_apis_answer_503_and_recover(settings, tmp_path):
    # 20 s: longer than the consumer's idle database probe (15 s), so its /readyz has had
    # one chance to see the outage whatever the phase; a 10 s outage passes or not by luck.
    _check(postgres_scenario(settings=settings, folder=tmp_path, writes=WRITES, clients=CLIENTS, outage=20))


def test_r4_poison_events_are_dead_lettered_and_the_consumer_goes_on(settings, tmp_path):
    _check(poison_scenario(settings=settings, folder=tmp_path))
