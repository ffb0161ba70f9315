"""A PostgreSQL and/or Kafka of the fault tests' own, which they may stop and start at will.

The shared local stack (55432 / 59092) serves every engineer's tests, so the
scenarios that stop a server (R2: Kafka, R3: PostgreSQL) run it on a second
stack: its own PDZ_HOME (a temporary folder) and its own ports, started with
`python -m shared.cli.stack` (the same code as `pdz stack up`, which reuses the
Kafka jars already downloaded into the default `.pdz/`). The server that is not
stopped stays the shared one.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from shared.config import REPO_ROOT

# Below Linux's ephemeral range (32768-60999): an outgoing connection's local
# port can never hold these when the server binds (it happened on 59292).
PG_PORTS = range(25432, 25532, 7)
KAFKA_PORTS = range(29092, 29192, 7)


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_port(candidates, *, pairs: bool = False) -> int:
    """The first candidate port that is free (and the next one too, for Kafka's controller)."""
    for port in candidates:
        if _free(port) and (not pairs or _free(port + 1)):
            return port
    raise RuntimeError(f"no free port among {list(candidates)}")


class PrivateStack:
    """Servers of a second local stack; the ones not asked for are the shared stack's."""

    def __init__(self, *, postgres: bool, kafka: bool, shared_database_url: str, shared_kafka: str):
        self.home = Path(tempfile.mkdtemp(prefix="pdz-faults-"))
        self.pg_port = pick_port(PG_PORTS) if postgres else None
        self.kafka_port = pick_port(KAFKA_PORTS, pairs=True) if kafka else None
        self.database_url = (f"postgresql://pdz@127.0.0.1:{self.pg_port}/postgres" if postgres
                             else shared_database_url)
        self.kafka_bootstrap = f"127.0.0.1:{self.kafka_port}" if kafka else shared_kafka
        self.started: list[str] = []

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("PDZ_DATABASE_URL", "PDZ_KAFKA_BOOTSTRAP")}
        env["PDZ_HOME"] = str(self.home)
        if self.pg_port:
            env["PDZ_PG_PORT"] = str(self.pg_port)
        if self.kafka_port:
            env["PDZ_KAFKA_PORT"] = str(self.kafka_port)
        return env

    def _stack(self, action: str, server: str) -> None:
        done = subprocess.run([sys.executable, "-m", "shared.cli.stack", action, server], env=self._env(),
                              cwd=REPO_ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"stack {action} {server} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")

    def servers(self) -> list[str]:
        return [name for name, port in (("postgres", self.pg_port), ("kafka", self.kafka_port)) if port]

    def up(self) -> "PrivateStack":
        for server in self.servers():
            self._stack("start", server)
            self.started.append(server)
        return self

    def stop(self, server: str) -> None:
        """Stop one private server (PostgreSQL: fast shutdown; Kafka: SIGTERM, then SIGKILL after 40 s)."""
        assert server in self.servers(), f"{server} is the shared stack's: never stopped here"
        self._stack("stop", server)

    def start(self, server: str) -> None:
        assert server in self.servers()
        self._stack("start", server)

    def down(self) -> None:
        """Stop both private servers and delete their folders (PostgreSQL's may sit under /var/tmp)."""
        state = {}
        try:
            state = json.loads((self.home / "state.json").read_text())
        except (OSError, ValueError):
            pass
        for server in reversed(self.servers()):
            try:
                self._stack("stop", server)
            except RuntimeError as exc:
                print(f"warning: {exc}", file=sys.stderr)
        pg_data = (state.get("postgres") or {}).get("data")
        if pg_data and Path(pg_data).parent.name == "pg" and "pdz-" in str(pg_data):
            shutil.rmtree(Path(pg_data).parent.parent, ignore_errors=True)
        shutil.rmtree(self.home, ignore_errors=True)
