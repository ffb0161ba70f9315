"""Target databases that are failing: since when, and when to try again (exponential back-off)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Outage:
    since: float
    next_try: float
    delay: float
    error: str


class Outages:
    """Back-off per target database; times are whatever clock the caller passes (seconds)."""

    def __init__(self, *, first_delay: float = 0.5, max_delay: float = 10.0):
        self.first_delay = first_delay
        self.max_delay = max_delay
        self._by_url: dict[str, Outage] = {}

    def failed(self, url: str, error: str, now: float) -> Outage:
        outage = self._by_url.get(url)
        if outage is None:
            outage = self._by_url[url] = Outage(since=now, next_try=now, delay=self.first_delay, error=error)
        else:
            outage.delay = min(outage.delay * 2, self.max_delay)
            outage.error = error
        outage.next_try = now + outage.delay
        return outage

    def recovered(self, url: str) -> None:
        self._by_url.pop(url, None)

    def get(self, url: str) -> Outage | None:
        return self._by_url.get(url)

    def due(self, url: str, now: float) -> bool:
        """True if the target is not failing, or its back-off is over."""
        outage = self._by_url.get(url)
        return outage is None or now >= outage.next_try

    def items(self) -> list[tuple[str, Outage]]:
        return list(self._by_url.items())

    def __len__(self) -> int:
        return len(self._by_url)


# A record read back from the retry topic while its database is still down waits
# this many bounds before it is parked again: re-parking a large backlog every
# bound would keep the consumer busy copying it round and round.
REPARK_FACTOR = 10


def park_at(outage: Outage, *, parked_at: float | None, bound: float | None) -> float:
    """When a blocked record stops waiting and is parked: `bound` after the outage began, and for a record
    read back from the retry topic not before REPARK_FACTOR bounds after it was parked; never if `bound` is None."""
    if bound is None:
        return float("inf")
    first = outage.since + bound
    if parked_at is None:
        return first
    return max(first, parked_at + REPARK_FACTOR * bound)
