"""Readiness probes of the relay that need no client library state."""
from __future__ import annotations

import socket


def kafka_reachable(bootstrap: str, *, timeout: float = 2.0) -> str | None:
    """None if a bootstrap server accepts a TCP connection, else what went wrong."""
    problems = []
    for address in [a.strip() for a in bootstrap.split(",") if a.strip()]:
        host, _, port = address.rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
            return None
        except (OSError, ValueError) as exc:
            problems.append(f"{address}: {exc}")
    return "no Kafka bootstrap server accepts connections (" + "; ".join(problems) + ")"
