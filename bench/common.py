"""What the bench/ commands share: the machine, the bench tenants, the real processes, HTTP and stats.

The benchmarks treat the suite as black boxes: they spawn the console scripts
(shared.cli.run.spawn) with an environment, talk HTTP and Kafka, and read
PostgreSQL's own statistics. Nothing here imports a service's internals.
"""
from __future__ import annotations

import json
import os
import platform
import random
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import yaml

from shared.cli.run import placement, spawn, terminate, wait_http
from shared.config import REPO_ROOT, Settings, development_env
from shared.http.auth import mint_dev_token
from shared.tenants import load_catalogue

# A local tool: development mode, so provisioning gives the database roles the development
# secrets the processes it spawns use (PDZ_DB_ROLE_SECRET_<SERVICE> win if set).
os.environ.update(development_env(os.environ))

BENCH_HOME = REPO_ROOT / ".pdz" / "bench"
BENCH_REGION = "basilicata"
# The reporting database the kept bench catalogue uses (P4); the other figures use a fresh one.
KEPT_REPORTING_DB = "reporting__bench"
JWT_KEY = "bench-key-" + "b" * 32


# --- the machine -----------------------------------------------------------

def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _kafka_version() -> str:
    """The broker's version: the jar name of the local stack, else what the client negotiates."""
    jars = sorted((REPO_ROOT / ".pdz" / "kafka").glob("**/kafka-clients-*.jar"))
    for jar in jars:
        match = re.search(r"kafka-clients-([\d.]+)\.jar", jar.name)
        if match:
            return match.group(1)
    try:
        from kafka import KafkaAdminClient
        admin = KafkaAdminClient(bootstrap_servers=Settings.from_env().kafka_bootstrap)
        version = admin._client.check_version()  # api version the broker speaks, not its release
        admin.close()
        return "api " + ".".join(map(str, version))
    except Exception as exc:  # noqa: BLE001 - best effort, printed as such
        return f"unknown ({type(exc).__name__})"


def machine(settings: Settings) -> dict:
    """Cores, RAM, CPU model, load, and the versions the figures depend on."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cores": os.cpu_count(), "ram_gib": round(_ram_gib(), 1), "cpu": _cpu_model(),
            "load_1m": round(os.getloadavg()[0], 2), "python": platform.python_version(),
            "postgresql": pg, "kafka": _kafka_version(), "os": platform.platform()}


def busy_share(seconds: float = 2.0) -> float:
    """Share of all cores busy over the next `seconds` (the load average lags a previous benchmark)."""
    busy0, total0 = system_cpu()
    time.sleep(seconds)
    busy1, total1 = system_cpu()
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0


def print_machine(settings: Settings) -> dict:
    info = machine(settings)
    info["busy_before"] = round(busy_share(), 2)
    print(f"machine: {info['cores']} cores, {info['ram_gib']} GiB RAM, {info['cpu']}; "
          f"Python {info['python']}, PostgreSQL {info['postgresql']}, Kafka {info['kafka']}; "
          f"load {info['load_1m']}, {info['busy_before'] * 100:.0f}% busy over 2 s, at {info['date']}", flush=True)
    if info["busy_before"] >= 0.25:
        print("warning: the machine is busy (>= 25% of the cores over 2 s before the run): "
              "these figures are not the project's", flush=True)
    return info


# --- tenants ---------------------------------------------------------------

def bench_slug(index: int) -> str:
    """bench-NNNN, the slugs bench/relay.py uses too: their databases are kept between runs."""
    return f"bench-{index:04d}"


def write_catalogue(path: Path, slugs: list[str], reporting_db: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"tenants": [{"slug": s, "name": f"Ambito bench {s}", "region": BENCH_REGION} for s in slugs],
                "regional_databases": {"reporting": reporting_db}}
    path.write_text(yaml.safe_dump(document))
    return path


def provision_catalogue(path: Path, settings: Settings, *, quiet: bool = True) -> float:
    """Create and migrate every database of the catalogue with the real `provision`; seconds taken."""
    from shared.cli.provision import provision
    catalogue = load_catalogue(path, settings.database_url)
    started = time.perf_counter()
    provision(catalogue, report=(lambda *_: None) if quiet else print)
    return time.perf_counter() - started


def fresh_run_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def drop_databases(settings: Settings, names: list[str]) -> None:
    """Drop the throw-away databases of a run, and their login roles (never the kept bench-NNNN ones)."""
    from psycopg import sql

    from shared.db.roles import database_role
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        for name in names:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(database_role(name))))


# --- processes -------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Suite:
    """The real processes of one benchmark run, each on its own loopback port."""

    def __init__(self, folder: Path, catalogue_path: Path, topic_prefix: str, **env):
        self.folder = folder
        self.catalogue_path = catalogue_path
        self.prefix = topic_prefix
        self.extra_env = {k: str(v) for k, v in env.items()}
        self.ports: dict[str, int] = {}
        self.processes: dict[str, subprocess.Popen] = {}

    def env(self, name: str) -> dict:
        env = dict(os.environ, PDZ_TENANTS_FILE=str(self.catalogue_path), PDZ_TOPIC_PREFIX=self.prefix,
                   PDZ_JWT_DEV_KEY=JWT_KEY, PDZ_WEB_WORKERS=web_workers(), PDZ_WEB_THREADS=web_threads())
        # The log level stays the default (INFO, one access line per request), as deployed.
        env.update(self.extra_env)
        port = self.ports.setdefault(name, free_port())
        env.update(placement(name, port=port, prometheus_root=self.folder / "prometheus"))
        return env

    def start(self, *names: str, **env) -> None:
        for name in names:
            self.processes[name] = spawn(name, env={**self.env(name), **{k: str(v) for k, v in env.items()}},
                                         log_dir=self.folder / "logs")
        for name in names:
            path = "livez" if name.endswith("-api") else "metrics"
            if not self._wait_up(name, f"http://127.0.0.1:{self.ports[name]}/{path}", timeout=90):
                log = (self.folder / "logs" / f"{name}.log").read_text(errors="replace")[-3000:]
                self.stop()
                raise SystemExit(f"{name} did not start:\n{log}")

    def _wait_up(self, name: str, url: str, timeout: float) -> bool:
        """The process answers `url`; False at once if it exited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                return False
            if wait_http(url, timeout=1):
                return True
        return False

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def pids(self, name: str) -> list[int]:
        """The process and its children (gunicorn workers)."""
        root = self.processes[name].pid
        out = [root]
        try:
            children = Path(f"/proc/{root}/task/{root}/children").read_text().split()
            out += [int(c) for c in children]
        except OSError:
            pass
        return out

    def stop(self) -> None:
        terminate({n: p.pid for n, p in self.processes.items()})
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                pass
        self.processes.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def web_workers() -> str:
    """gunicorn workers of the APIs and of the baseline: PDZ_WEB_WORKERS, 2 by default (issue 6)."""
    return os.environ.get("PDZ_WEB_WORKERS") or "2"


def web_threads() -> str:
    return os.environ.get("PDZ_WEB_THREADS") or "4"


def token(*tenants: str, roles=("operator", "regional-admin")) -> str:
    return mint_dev_token(key=JWT_KEY, subject="bench", roles=list(roles), tenants=list(tenants))


# --- HTTP ------------------------------------------------------------------

def call(method: str, url: str, bearer: str | None = None, body=None, timeout: float = 15):
    """One request on a new connection: (status, parsed body or None)."""
    headers = {"Content-Type": "application/json"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw) if raw else None
        except ValueError:
            return exc.code, raw.decode(errors="replace")


class KeepAlive:
    """One persistent HTTP/1.1 connection, for sequential timings without a TCP handshake each."""

    def __init__(self, base_url: str):
        import http.client
        host, port = base_url.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)

    def request(self, method: str, path: str, bearer: str | None = None, body=None):
        import http.client
        headers = {"Content-Type": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        payload = json.dumps(body) if body is not None else None
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # gunicorn closed the idle keep-alive connection (2 s): the request never ran; once more.
            self.conn.close()
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
        raw = response.read()
        return response.status, raw

    def close(self) -> None:
        self.conn.close()


# --- organisation tax codes --------------------------------------------------

def iva_check_digit(first10: str) -> str:
    """The partita IVA check digit (Luhn variant) of ten digits."""
    total = 0
    for i, ch in enumerate(first10):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def partita_iva(serial: int, office: str = "076") -> str:
    """A valid 11-digit partita IVA: 7-digit serial, 3-digit office code, check digit."""
    first10 = f"{serial % 10**7:07d}{office}"
    return first10 + iva_check_digit(first10)


def stakeholder_body(tax_code: str) -> dict:
    return {"name": f"Organizzazione bench {tax_code}", "type": "ets", "runts_section": "a",
            "tax_code": tax_code, "seat_istat": "076063"}


# --- statistics ------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its reaped children) from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def system_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all cores from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


def write_json(path: Path | None, data: dict) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=2, default=str))


# --- load generator (wrk) --------------------------------------------------

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_stakeholders.lua"
# Offices 001-100 for wrk; 120 and 121 are kept for the sequential and paced writers of bench/*.py.
IVA_OFFICES = [f"{i:03d}" for i in range(1, 101)]
_unused_offices: list[str] = []


def _fresh_office() -> str:
    """A province office no other config of this process used: serials of two wrk runs never collide."""
    if not _unused_offices:
        _unused_offices.extend(random.sample(IVA_OFFICES, len(IVA_OFFICES)))
    return _unused_offices.pop()


def ensure_wrk() -> str:
    """Path of wrk; installs the Debian package when run as root, else says how."""
    import shutil
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk missing: apt-get install -y wrk", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("the load generator wrk is missing: `sudo apt-get install wrk` (Debian/Ubuntu)")


def wrk_config(folder: Path, name: str, *, mode: str, path: str, tenants: list[str],
               bearer: str = "") -> Path:
    """The key=value file bench/wrk_stakeholders.lua reads; a random office and serial start per file."""
    file = folder / f"wrk-{name}.conf"
    file.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"mode={mode}", f"token={bearer}", f"path={path}", f"tenants={','.join(tenants)}",
             f"office={_fresh_office()}", f"base={random.randrange(4_000_000)}"]
    file.write_text("\n".join(lines) + "\n")
    return file


def run_wrk(url: str, config: Path, *, seconds: float, connections: int = 16, threads: int = 2) -> dict:
    """One wrk run; its summary (req/s, percentiles in ms, status counts) and the CPU wrk itself used."""
    cmd = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, int(seconds))}s", "--timeout", "30s",
           "--latency", "-s", str(WRK_SCRIPT), url, "--", str(config)]
    _child_cpu_seconds()  # forget children reaped before this run
    busy0, total0 = system_cpu()
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, _ = process.communicate()
    busy1, total1 = system_cpu()
    line = next((l for l in out.splitlines() if l.startswith("WRKJSON ")), None)
    if process.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{out}")
    data = json.loads(line[len("WRKJSON "):])
    seconds_run = data["duration_us"] / 1e6
    usage = _child_cpu_seconds()
    result = {
        "requests": data["requests"], "seconds": seconds_run,
        "rps": data["requests"] / seconds_run if seconds_run else 0.0,
        "ok_rps": data["s2xx"] / seconds_run if seconds_run else 0.0,
        "p50": data["p50_us"] / 1000, "p90": data["p90_us"] / 1000, "p99": data["p99_us"] / 1000,
        "max": data["max_us"] / 1000, "s2xx": data["s2xx"], "s4xx": data["s4xx"], "s409": data["s409"],
        "s5xx": data["s5xx"], "sother": data["sother"],
        "socket_errors": data["err_connect"] + data["err_read"] + data["err_write"] + data["err_timeout"],
        "machine_busy": (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0,
        "wrk_cpu": usage,
    }
    result["wrk_core_share"] = usage / seconds_run if seconds_run else 0.0
    return result


_last_children_cpu = [0.0]


def _child_cpu_seconds() -> float:
    """CPU used by children reaped since the last call (wrk just exited)."""
    import resource
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    delta = total - _last_children_cpu[0]
    _last_children_cpu[0] = total
    return delta


def describe_wrk(label: str, r: dict) -> str:
    errors = []
    if r["s4xx"]:
        errors.append(f"4xx={r['s4xx']} (409={r['s409']})")
    if r["s5xx"]:
        errors.append(f"5xx={r['s5xx']}")
    if r["socket_errors"]:
        errors.append(f"socket errors={r['socket_errors']}")
    return (f"{label}: {r['rps']:.0f} req/s ({r['requests']} in {r['seconds']:.1f} s), "
            f"p50 {r['p50']:.1f} ms, p90 {r['p90']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms; "
            f"{', '.join(errors) or 'all 2xx'}; machine {r['machine_busy'] * 100:.0f}% busy, "
            f"wrk {r['wrk_core_share'] * 100:.0f}% of a core")


def delete_topics(settings: Settings, prefix: str) -> None:
    """Delete a run's own topics (those named '<prefix>.*')."""
    from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, client_id="pdz-bench")
    try:
        mine = [t for t in admin.list_topics() if t.startswith(prefix + ".")]
        if mine:
            admin.delete_topics(mine)
    except Exception as exc:  # noqa: BLE001 - cleanup must not hide the figures
        print(f"note: topics {prefix}.* not deleted: {exc}")
    finally:
        admin.close()
