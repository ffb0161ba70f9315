"""Which databases an event is written to: its tenant's own, the receivers' (shares), or one regional database.

A tenant-routed consumer writes an event into the database of its own tenant
and/or, for a projector that applies where data is received
(shared/consumer/placement.py), into the database of every tenant the event's
tenant shares the event's data set with (shared/sharing.py, from the tenant
catalogue). Personal data is in no data set, so it never reaches a receiver.
"""
from __future__ import annotations

from shared.consumer.decode import UNKNOWN_TENANT
from shared.consumer.errors import Rejected
from shared.events.envelope import CloudEvent
from shared.sharing import Sharing, data_set_of
from shared.tenants import Catalogue

Target = tuple  # (tenant slug or None for a regional database, database URL)
_NOBODY = Sharing([])


def target_tenants(origin: str, event_type: str, *, own: bool, received: bool, sharing: Sharing,
                   only: str | None = None) -> tuple[str, ...]:
    """The tenants whose databases an event of `origin` is applied to, own first; `only` keeps one of them
    (a record parked for one target). Pure."""
    tenants = (origin,) if own else ()
    if received:
        tenants += tuple(r for r in dict.fromkeys(sharing.receivers_of_event(origin, event_type)) if r != origin)
    if only is not None:
        tenants = tuple(t for t in tenants if t == only)
    return tenants


class TenantRoute:
    """The event's `tenantid` picks its own (service, tenant) database, the shares the receivers'; unknown
    tenants are refused (a receiver the catalogue does not know is left out: the catalogue validates shares)."""

    # A tenant's database down is parked after the bound: the other tenants go on.
    parks = True

    def __init__(self, catalogue: Catalogue, service: str, sharing: Sharing | None = None):
        self.catalogue = catalogue
        self.service = service
        self._sharing = sharing  # fixed (tests); else the catalogue's shares in force on the day
        self._urls: dict[str, str | None] = {}
        self._data_sets: dict[str, str | None] = {}

    @property
    def sharing(self) -> Sharing:
        """The shares in force: a share dated in the future starts on its day without a restart."""
        if self._sharing is not None:
            return self._sharing
        return getattr(self.catalogue, "sharing", None) or _NOBODY

    def _url(self, slug: str) -> str | None:
        if slug not in self._urls:
            tenant = self.catalogue.get(slug)
            self._urls[slug] = self.catalogue.url_for(tenant, self.service) if tenant is not None else None
        return self._urls[slug]

    def __call__(self, event: CloudEvent) -> str:
        """The event's own tenant database."""
        url = self._url(event.tenantid)
        if url is None:
            raise Rejected(f"unknown tenant {event.tenantid!r}", kind=UNKNOWN_TENANT)
        return url

    def targets(self, event: CloudEvent, *, own: bool = True, received: bool = False,
                only: str | None = None) -> tuple[Target, ...]:
        """(tenant, URL) of every database the event applies to; none if it applies nowhere."""
        url = self(event)  # the event's own tenant must be known, wherever it applies
        if only is None and not (received and self._shared(event)):
            return ((event.tenantid, url),) if own else ()  # the common case: nobody receives it
        tenants = target_tenants(event.tenantid, event.type, own=own, received=received, sharing=self.sharing,
                                 only=only)
        return tuple((t, url) for t in tenants if (url := self._url(t)) is not None)

    def _shared(self, event: CloudEvent) -> bool:
        """Whether anybody receives the event's data set from its tenant (a type in no data set: never)."""
        if event.type not in self._data_sets:
            self._data_sets[event.type] = data_set_of(event.type)
        data = self._data_sets[event.type]
        return data is not None and bool(self.sharing.receivers(event.tenantid, data))

    def always_checked(self) -> list[str]:
        return []  # hundreds of tenant databases: only the ones in use are checked


class RegionalRoute:
    """Every event of a known tenant goes to one regional database (reporting): the tenant is a column."""

    # Parking cannot help when every event shares the one database: it blocks and retries.
    parks = False

    def __init__(self, catalogue: Catalogue, service: str):
        self.catalogue = catalogue
        self.url = catalogue.regional_url(service)

    def __call__(self, event: CloudEvent) -> str:
        if self.catalogue.get(event.tenantid) is None:
            raise Rejected(f"unknown tenant {event.tenantid!r}", kind=UNKNOWN_TENANT)
        return self.url

    def targets(self, event: CloudEvent, *, own: bool = True, received: bool = False,
                only: str | None = None) -> tuple[Target, ...]:
        """The one regional database, whatever the projector's placement (never parked: `only` is unused)."""
        return ((None, self(event)),)

    def always_checked(self) -> list[str]:
        return [self.url]
