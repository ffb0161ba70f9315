"""Slow clients against one real API process: does /livez stay quick while hundreds of requests hang?

    .venv/bin/python -m bench.slow_clients [--stalled 300] [--slow-bodies 50] [--probes 50]

Starts the registry API as deployed (gunicorn, PDZ_WEB_WORKERS x PDZ_WEB_THREADS, the buffering
worker of shared/http/worker.py) on loopback, opens `--stalled` connections that send half a
request head and `--slow-bodies` that declare a body and send a few bytes of it, then times
`--probes` GET /livez one after the other, and finally waits for the server to answer the
stalled ones 408 (PDZ_HTTP_CLIENT_TIMEOUT, 5 s here). No database is touched. Bounded: every
socket has a 60 s timeout and the run ends by itself.
"""
from __future__ import annotations

import argparse
import socket
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import free_port, pct
from shared.cli.run import placement, spawn, terminate, wait_http
from tests.conftest import write_catalogue

CLIENT_TIMEOUT = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stalled", type=int, default=300)
    parser.add_argument("--slow-bodies", type=int, default=50)
    parser.add_argument("--probes", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pdz-slow-"))
    port = free_port()
    env = {**__import__("os").environ, "PDZ_TENANTS_FILE": str(write_catalogue(folder, ["lento"])),
           "PDZ_JWT_DEV_KEY": "slow-clients-" + "s" * 32, "PDZ_HTTP_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT)}
    env.update(placement("registry-api", port=port, prometheus_root=folder / "prometheus"))
    process = spawn("registry-api", env=env, log_dir=folder / "logs")
    sockets: list[socket.socket] = []
    try:
        if not wait_http(f"http://127.0.0.1:{port}/livez", timeout=60):
            print((folder / "logs" / "registry-api.log").read_text()[-2000:])
            return 1
        for index in range(args.stalled):
            sock = socket.create_connection(("127.0.0.1", port), timeout=60)
            sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: %d" % index)
            sockets.append(sock)
        for _ in range(args.slow_bodies):
            sock = socket.create_connection(("127.0.0.1", port), timeout=60)
            sock.sendall(b"POST /v1/lento/calls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100000\r\n\r\n{\"title\": ")
            sockets.append(sock)
        opened = time.monotonic()
        latencies, failures = [], 0
        for _ in range(args.probes):
            started = time.monotonic()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=60) as response:
                    response.read()
                latencies.append(time.monotonic() - started)
            except OSError:
                failures += 1
        answered_408 = 0
        for sock in sockets:
            try:
                answered_408 += sock.recv(64).startswith(b"HTTP/1.1 408")
            except OSError:
                pass
        closed_after = time.monotonic() - opened
        print(f"{len(sockets)} hanging connections ({args.stalled} half-sent heads, {args.slow_bodies} stalled bodies)")
        print(f"/livez x{args.probes}: {failures} failed; p50 {pct(latencies, 0.5) * 1000:.1f} ms, "
              f"p99 {pct(latencies, 0.99) * 1000:.1f} ms, max {max(latencies, default=0) * 1000:.1f} ms")
        print(f"408 answered to {answered_408} of {len(sockets)} within {closed_after:.1f} s "
              f"(client timeout {CLIENT_TIMEOUT} s)")
        return 0 if not failures and answered_408 == len(sockets) else 1
    finally:
        for sock in sockets:
            sock.close()
        terminate({"registry-api": process.pid})
        process.wait(30)


if __name__ == "__main__":
    raise SystemExit(main())
