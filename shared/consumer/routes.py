"""Which database an event is written to: its tenant's own, or one regional database."""
from __future__ import annotations

from shared.consumer.decode import UNKNOWN_TENANT
from shared.consumer.errors import Rejected
from shared.events.envelope import CloudEvent
from shared.tenants import Catalogue


class TenantRoute:
    """The event's `tenantid` picks the (service, tenant) database; unknown tenants are refused."""

    # A tenant's database down is parked after the bound: the other tenants go on.
    parks = True

    def __init__(self, catalogue: Catalogue, service: str):
        self.catalogue = catalogue
        self.service = service
        self._urls: dict[str, str] = {}

    def __call__(self, event: CloudEvent) -> str:
        url = self._urls.get(event.tenantid)
        if url is None:
            tenant = self.catalogue.get(event.tenantid)
            if tenant is None:
                raise Rejected(f"unknown tenant {event.tenantid!r}", kind=UNKNOWN_TENANT)
            url = self._urls[event.tenantid] = self.catalogue.url_for(tenant, self.service)
        return url

    def always_checked(self) -> list[str]:
        return []  # hundreds of tenant databases: only the ones in use are checked


class RegionalRoute:
    """Every event of a known tenant goes to one regional database (reporting)."""

    # Parking cannot help when every event shares the one database: it blocks and retries.
    parks = False

    def __init__(self, catalogue: Catalogue, service: str):
        self.catalogue = catalogue
        self.url = catalogue.regional_url(service)

    def __call__(self, event: CloudEvent) -> str:
        if self.catalogue.get(event.tenantid) is None:
            raise Rejected(f"unknown tenant {event.tenantid!r}", kind=UNKNOWN_TENANT)
        return self.url

    def always_checked(self) -> list[str]:
        return [self.url]
