"""Checks of a consumer's operations port (/livez, /readyz); see shared/ops.py."""
from __future__ import annotations

import socket


def kafka_reachable(bootstrap: str, *, timeout: float = 2.0):
    """A check: some bootstrap broker accepts a TCP connection (names the brokers if none does)."""
    servers = [s.strip() for s in bootstrap.split(",") if s.strip()]

    def check() -> str | None:
        for server in servers:
            host, _, port = server.rpartition(":")
            try:
                socket.create_connection((host.strip("[]") or "localhost", int(port or 9092)), timeout=timeout).close()
                return None
            except (OSError, ValueError):
                continue
        return f"no Kafka broker reachable at {', '.join(servers)}"
    return check
