"""`pdz run`: every API (gunicorn), relay and consumer of the suite on the local stack.

In the foreground, Ctrl-C (or SIGTERM) stops them all; with --detach they keep
running and `pdz stop` stops them. Logs go to PDZ_HOME/logs/<process>.log.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from shared.cli.stack import _pid_alive, home, say
from shared.config import development_env

# name -> (console script, port, extra env)
PROCESSES = {
    "registry-api": ("pdz-registry-api", 58081, {}),
    "consultation-api": ("pdz-consultation-api", 58082, {}),
    "budget-api": ("pdz-budget-api", 58083, {}),
    "reporting-api": ("pdz-reporting-api", 58084, {}),
    "registry-relay": ("pdz-registry-relay", 59181, {}),
    "consultation-relay": ("pdz-consultation-relay", 59182, {}),
    "budget-relay": ("pdz-budget-relay", 59183, {}),
    "reporting-consumer": ("pdz-reporting-consumer", 59184, {}),
    "consultation-consumer": ("pdz-consultation-consumer", 59185, {}),
    "budget-consumer": ("pdz-budget-consumer", 59186, {}),
}


def _pidfile() -> Path:
    return home() / "run" / "pids.json"


def _script(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def placement(name: str, *, port: int, prometheus_root: Path) -> dict:
    """Where one process listens: an API's bind address and (emptied) metrics folder, or a
    relay's or consumer's operations port; all on loopback."""
    if name.endswith("-api"):
        prom = prometheus_root / name
        prom.mkdir(parents=True, exist_ok=True)
        for stale in prom.glob("*.db"):  # samples of a previous run's dead workers
            stale.unlink()
        # /metrics on the API port, as the e2e tests and benches scrape it; no second port per API.
        return {"PDZ_BIND": f"127.0.0.1:{port}", "PROMETHEUS_MULTIPROC_DIR": str(prom),
                "PDZ_METRICS_PORT": "0", "PDZ_METRICS_ON_API_PORT": "1"}
    return {"PDZ_METRICS_PORT": str(port), "PDZ_METRICS_ADDR": "127.0.0.1"}


def spawn(name: str, *, env: dict | None = None, log_dir: Path | None = None) -> subprocess.Popen:
    """Start one process of the suite; without a placement in `env`, on its local port."""
    script, port, extra = PROCESSES[name]
    log_dir = log_dir or home() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    # Local processes only: the development token key, unless a JWKS URL says otherwise.
    child_env = development_env(os.environ if env is None else env)
    child_env.update(extra)
    placed = "PDZ_BIND" in child_env if name.endswith("-api") else "PDZ_METRICS_PORT" in child_env
    if not placed:
        child_env.update(placement(name, port=port, prometheus_root=home() / "prometheus"))
    log = open(log_dir / f"{name}.log", "ab")
    return subprocess.Popen([_script(script)], env=child_env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def wait_http(url: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def terminate(processes: dict[str, int], timeout: float = 25) -> None:
    """SIGTERM every process group, then SIGKILL what is still there after `timeout`."""
    for pid in processes.values():
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    for name, pid in processes.items():
        while _pid_alive(pid) and time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    break
            except ChildProcessError:
                pass
            time.sleep(0.2)
        if _pid_alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def start(*, detach: bool) -> int:
    pidfile = _pidfile()
    if pidfile.exists():
        running = {n: p for n, p in json.loads(pidfile.read_text()).items() if _pid_alive(p)}
        if running:
            say(f"already running: {', '.join(running)} (use `pdz stop` first)")
            return 0 if detach else 1
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    children = {name: spawn(name) for name in PROCESSES}
    pidfile.write_text(json.dumps({n: p.pid for n, p in children.items()}))
    for name, (_script_name, port, _env) in PROCESSES.items():
        url = f"http://127.0.0.1:{port}/{'livez' if name.endswith('-api') else 'metrics'}"
        if not wait_http(url):
            say(f"{name} did not start; see {home() / 'logs' / (name + '.log')}")
            terminate({n: p.pid for n, p in children.items()})
            pidfile.unlink(missing_ok=True)
            return 1
        say(f"{name}: up on {url.rsplit('/', 1)[0]}")
    if detach:
        say(f"running in the background; logs in {home() / 'logs'}; stop with `pdz stop`")
        return 0
    say("running; Ctrl-C stops everything")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    say(f"{name} exited with {child.returncode}; stopping the rest")
                    stopping.append(True)
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    terminate({n: p.pid for n, p in children.items()})
    pidfile.unlink(missing_ok=True)
    say("stopped")
    return 0


def stop() -> int:
    pidfile = _pidfile()
    if not pidfile.exists():
        say("nothing to stop")
        return 0
    processes = json.loads(pidfile.read_text())
    terminate(processes)
    pidfile.unlink(missing_ok=True)
    say(f"stopped {', '.join(processes)}")
    return 0
