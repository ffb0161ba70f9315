"""Readiness: are this service's databases migrated to what the code expects?

`/readyz` of every process (APIs, relays, consumers) asks this. The expected
versions are computed once, at start, from the migration files the image
ships (platform folder + the service's own): a pod is ready only when each
database of the catalogue it serves holds all of them in `schema_migrations`.
Per-tenant services (registry, consultation, budget) check one database per
tenant; reporting checks its one regional database.

Cheap on purpose, because the kubelet asks every few seconds and a region
may have hundreds of Ambiti:
- a positive answer is kept for the life of the process (a migrated database
  stays migrated; new files come with a new deploy, hence a new process);
- one probe checks at most `per_probe` databases not yet known to be
  migrated, and stops early after `budget_seconds`; the next probe goes on
  where this one stopped (round robin), so all are covered in a few probes;
- checks go through the process's own PoolRegistry, one at a time, so a probe
  never holds more than one connection and never exceeds the pool's caps;
- the answer names the databases' tenants and the versions missing, never a
  URL or a credential.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable

from shared.config import env_float, env_int

REGIONAL = "(regional)"


def expected_versions(service: str) -> frozenset[str]:
    """Every migration version the code of `service` expects (platform/NNN and <service>/NNN)."""
    from shared.cli.provision import migrations_folder
    from shared.db.migrations import PLATFORM_FOLDER, discover, service_migrations
    try:
        folder = migrations_folder(service)
    except RuntimeError:  # an app built around no service package (tests of the platform): its tables only
        return frozenset(m.version for m in discover(PLATFORM_FOLDER, "platform"))
    return frozenset(m.version for m in service_migrations(service, folder))


def catalogue_targets(catalogue, service: str) -> list[tuple[str, str]]:
    """(label, url) of every database of `service`: its regional one, or one per tenant."""
    from shared.cli.provision import REGIONAL_SERVICES
    if service in REGIONAL_SERVICES:
        return [(REGIONAL, catalogue.regional_url(service))]
    return [(tenant.slug, catalogue.url_for(tenant, service)) for tenant in catalogue]


class MigrationReadiness:
    """A readiness check: None when every database is migrated, else what is not (see module doc)."""

    def __init__(self, *, targets: list[tuple[str, str]], pools, expected: frozenset[str],
                 per_probe: int | None = None, budget_seconds: float | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.pools = pools
        self.expected = sorted(expected)
        self.per_probe = max(1, per_probe if per_probe is not None
                             else env_int("PDZ_READYZ_DATABASES_PER_PROBE", 25))
        self.budget_seconds = (budget_seconds if budget_seconds is not None
                               else env_float("PDZ_READYZ_BUDGET_SECONDS", 1.0))
        self.clock = clock
        self._urls = dict(targets)
        self._pending: deque[str] = deque(label for label, _url in targets)  # not yet seen migrated
        self._problems: dict[str, str] = {}  # label -> why not ready, as last seen
        self._lock = threading.Lock()
        self.checked = 0  # databases looked at since start (tests, logs)

    @classmethod
    def for_service(cls, service: str, catalogue, pools, **kwargs) -> "MigrationReadiness":
        return cls(targets=catalogue_targets(catalogue, service), pools=pools,
                   expected=expected_versions(service), **kwargs)

    def not_ready(self) -> dict[str, str]:
        """Probe (bounded), then every database not known to be migrated -> why ('not checked yet' too)."""
        if self._lock.acquire(timeout=self.budget_seconds + 1):
            try:
                self._probe()
            finally:
                self._lock.release()
        pending = list(self._pending)
        return {label: self._problems.get(label, "not checked yet") for label in pending}

    def check(self) -> str | None:
        """The check for shared/ops.py: None, or a sentence naming what is not migrated."""
        waiting = self.not_ready()
        if not waiting:
            return None
        shown = sorted(waiting.items())[:20]
        more = f" (and {len(waiting) - len(shown)} more)" if len(waiting) > len(shown) else ""
        return ("databases not migrated to this release: "
                + "; ".join(f"{label}: {why}" for label, why in shown) + more)

    def _probe(self) -> None:
        deadline = self.clock() + self.budget_seconds
        for _ in range(min(self.per_probe, len(self._pending))):
            if self.clock() > deadline:
                return
            label = self._pending.popleft()
            problem = self._check_one(self._urls[label])
            self.checked += 1
            if problem is None:
                self._problems.pop(label, None)  # kept migrated: never asked again
            else:
                self._problems[label] = problem
                self._pending.append(label)

    def _check_one(self, url: str) -> str | None:
        try:
            with self.pools.connection(url) as conn:
                if conn.execute("SELECT to_regclass('public.schema_migrations')").fetchone()[0] is None:
                    return "no schema_migrations (not provisioned)"
                present = {row[0] for row in conn.execute(
                    "SELECT version FROM schema_migrations WHERE version = ANY(%s)", (self.expected,))}
        except Exception as exc:  # noqa: BLE001 - a probe reports, it never raises
            return f"unavailable ({type(exc).__name__})"  # the class only: a message may carry a host or role
        missing = [v for v in self.expected if v not in present]
        if missing:
            return f"missing {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}"
        return None
