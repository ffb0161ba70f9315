"""What a running service holds: settings, tenant catalogue, pools, token verifier."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import psycopg

from shared.config import Settings, check_auth
from shared.db.credentials import service_login
from shared.db.pools import PoolRegistry
from shared.http.auth import TokenVerifier
from shared.outbox.wake import RelayWaker
from shared.regions import Regions, load_regions
from shared.tenants import Catalogue, Tenant, load_catalogue


@dataclass
class Platform:
    service: str
    settings: Settings
    catalogue: Catalogue
    pools: PoolRegistry
    verifier: TokenVerifier
    regions: Regions
    waker: RelayWaker

    @classmethod
    def from_settings(cls, service: str, settings: Settings) -> "Platform":
        check_auth(settings)  # before anything else: a misconfigured process must not start at all
        return cls(
            service=service,
            settings=settings,
            # The service's own database roles, never the admin of PDZ_DATABASE_URL (shared/db/roles.py).
            catalogue=load_catalogue(settings.tenants_file, settings.database_url,
                                     login=service_login(settings, service)),
            pools=PoolRegistry(max_per_pool=settings.pool_max_per_tenant,
                               max_pools=settings.pool_max_tenants,
                               max_connections=settings.pool_max_connections,
                               idle_seconds=settings.pool_idle_seconds,
                               timeout=settings.pool_timeout_seconds,
                               statement_timeout_ms=settings.statement_timeout_ms),
            verifier=TokenVerifier(dev_key=settings.jwt_dev_key, jwks_url=settings.jwt_jwks_url,
                                   issuer=settings.jwt_issuer, audience=settings.jwt_audience),
            regions=load_regions(settings.regions_file),
            waker=RelayWaker(service),
        )

    @contextmanager
    def read(self, tenant: Tenant) -> Iterator[psycopg.Connection]:
        """A connection to the tenant's database for this service."""
        with self.pools.connection(self.catalogue.url_for(tenant, self.service)) as conn:
            yield conn

    @contextmanager
    def write(self, tenant: Tenant) -> Iterator[psycopg.Connection]:
        """One transaction on the tenant's database; after it commits, wake the relay (in the background)."""
        with self.pools.connection(self.catalogue.url_for(tenant, self.service)) as conn:
            yield conn
        self.waker.wake(server_url=self.catalogue.server_for(tenant, self.service), tenant=tenant.slug)

    @contextmanager
    def regional(self) -> Iterator[psycopg.Connection]:
        """A connection to the service's regional database (reporting)."""
        with self.pools.connection(self.catalogue.regional_url(self.service)) as conn:
            yield conn
