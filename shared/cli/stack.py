"""`pdz stack up|down|status`: PostgreSQL 15 and Apache Kafka (KRaft) as local processes.

Everything lives under one git-ignored folder (PDZ_HOME, default `.pdz/` in the
repo): data, logs, Kafka jars, and `state.json`, which records what `up`
started so that `down` stops only that. If PDZ_DATABASE_URL or
PDZ_KAFKA_BOOTSTRAP is set, that server is used and nothing is started for it.

A second stack runs beside the first with its own folder and ports:
`PDZ_HOME=/tmp/x PDZ_PG_PORT=55532 PDZ_KAFKA_PORT=59192 pdz stack up` (Kafka's
controller takes PDZ_KAFKA_PORT + 1). It reuses the Kafka jars of the default
folder when they are there. `python -m shared.cli.stack stop|start postgres|kafka`
stops or starts one server of a stack (the fault tests use it on their own stack).
"""
from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from shared.config import REPO_ROOT, local_kafka_port, local_pg_port

PG_VERSION = "15"
PG_SUPERUSER = "pdz"
KAFKA_POM = REPO_ROOT / "deploy" / "local" / "kafka" / "pom.xml"
KAFKA_LOG4J = REPO_ROOT / "deploy" / "local" / "kafka" / "log4j2.xml"
KAFKA_PROPERTIES = REPO_ROOT / "deploy" / "local" / "kafka" / "server.properties"


def say(message: str) -> None:
    print(f"[pdz] {message}", flush=True)


class StackError(RuntimeError):
    pass


DEFAULT_HOME = REPO_ROOT / ".pdz"


def home() -> Path:
    path = Path(os.environ.get("PDZ_HOME") or DEFAULT_HOME)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _state_path() -> Path:
    return home() / "state.json"


def load_state() -> dict:
    try:
        return json.loads(_state_path().read_text())
    except (FileNotFoundError, ValueError):
        return {}


def save_state(state: dict) -> None:
    _state_path().write_text(json.dumps(state, indent=2))


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _wait(what: str, check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    dots = 0
    while time.monotonic() < deadline:
        if check():
            print("", flush=True) if dots else None
            return
        dots += 1
        print("." if dots % 10 else f". ({what}, {dots // 2}s)", end="", flush=True)
        time.sleep(0.5)
    print("", flush=True)
    raise StackError(f"{what} did not answer within {timeout:.0f}s")


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- PostgreSQL ----------------------------------------------------------------------
def _pg_bindir() -> Path:
    bindir = Path(f"/usr/lib/postgresql/{PG_VERSION}/bin")
    if (bindir / "initdb").exists():
        return bindir
    if os.geteuid() != 0:
        raise StackError(f"PostgreSQL {PG_VERSION} is not installed: apt-get install postgresql-{PG_VERSION}")
    say(f"installing PostgreSQL {PG_VERSION} with apt-get (once)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", f"postgresql-{PG_VERSION}"], check=True, env=env)
    # Debian's package creates and starts its own cluster on 5432; we do not use it.
    subprocess.run(["pg_ctlcluster", PG_VERSION, "main", "stop"], check=False)
    return bindir


def _run_as() -> str | None:
    """The unprivileged user PostgreSQL runs as when we are root (it refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "pdz"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "pdz"],
                   check=True)
    return "pdz"


def _as_user(user: str | None, argv: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


def fallback_pg_dir(folder: Path) -> Path:
    """Where PostgreSQL's data goes when its user cannot enter `folder` (the stack's PDZ_HOME).

    Keyed by the folder, so a second stack (another PDZ_HOME) never shares the
    first one's data; the default folder keeps the path it always had."""
    key = str(REPO_ROOT) if folder.resolve() == DEFAULT_HOME.resolve() else str(folder.resolve())
    return Path(f"/var/tmp/pdz-{hashlib.sha1(key.encode()).hexdigest()[:10]}/pg")


def _pg_dir(user: str | None) -> Path:
    """The data folder: project-local when the unprivileged user can reach it."""
    local = home() / "pg"
    local.mkdir(exist_ok=True)
    if user is None:
        return local
    if user and subprocess.run(_as_user(user, ["test", "-x", str(local)]),
                               capture_output=True).returncode == 0:
        shutil.chown(local, user)
        return local
    # The repo sits somewhere the PostgreSQL user cannot enter (e.g. under /root).
    fallback = fallback_pg_dir(home())
    fallback.mkdir(parents=True, exist_ok=True)
    shutil.chown(fallback, user)
    shutil.chown(fallback.parent, user)
    (home() / "pg-location.txt").write_text(f"{fallback}\n")
    say(f"{user} cannot enter {local.parent}; PostgreSQL data lives in {fallback}")
    return fallback


# Loopback TCP only (no Unix socket). The superuser pdz (provisioning, tests, the demo) is trusted;
# every other role, i.e. the per-database login roles the services connect as, must give its
# password, so the local stack checks them as a production server does.
PG_HBA = """# Written by `pdz stack up` (shared/cli/stack.py): edits are replaced.
# TYPE  DATABASE      USER  ADDRESS        METHOD
host    all           pdz   127.0.0.1/32   trust
host    all           pdz   ::1/128        trust
host    replication   pdz   127.0.0.1/32   trust
host    all           all   127.0.0.1/32   scram-sha-256
host    all           all   ::1/128        scram-sha-256
"""


def write_pg_hba(data: Path) -> bool:
    """Make the data folder's pg_hba.conf the stack's (owned by the server's user); True if it changed."""
    path = data / "pg_hba.conf"
    if path.exists() and path.read_text() == PG_HBA:
        return False
    owner = data.stat()
    path.write_text(PG_HBA)
    if os.geteuid() == 0:
        os.chown(path, owner.st_uid, owner.st_gid)
    return True


def _pg_hba_in_place(state: dict) -> None:
    """A running stack started before passwords were checked: its pg_hba.conf, reloaded if valid."""
    import psycopg

    data = Path((state.get("postgres") or {}).get("data", ""))
    if not (data / "pg_hba.conf").exists():
        return  # not started by this stack (or another PDZ_HOME): leave its configuration alone
    before = (data / "pg_hba.conf").read_text()
    if not write_pg_hba(data):
        return
    with psycopg.connect(host="127.0.0.1", port=local_pg_port(), user=PG_SUPERUSER, dbname="postgres",
                         autocommit=True, connect_timeout=5) as conn:
        errors = conn.execute("SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL").fetchall()
        if errors:  # never reload a file the server would refuse: put the old one back
            (data / "pg_hba.conf").write_text(before)
            raise StackError(f"the new pg_hba.conf was refused ({errors}); the old one is kept")
        conn.execute("SELECT pg_reload_conf()")
    say("PostgreSQL: pg_hba.conf updated (passwords checked for every role but pdz), configuration reloaded")


def _pg_answers() -> bool:
    import psycopg
    try:
        with psycopg.connect(host="127.0.0.1", port=local_pg_port(), user=PG_SUPERUSER, dbname="postgres",
                             connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def pg_up(state: dict) -> None:
    if os.environ.get("PDZ_DATABASE_URL"):
        say("PostgreSQL: using PDZ_DATABASE_URL, nothing started")
        return
    if _pg_answers():
        say(f"PostgreSQL: already answering on 127.0.0.1:{local_pg_port()}")
        _pg_hba_in_place(state)
        return
    bindir = _pg_bindir()
    user = _run_as()
    root = _pg_dir(user)
    data = root / "data"
    if not (data / "PG_VERSION").exists():
        say(f"PostgreSQL: initdb in {data}")
        subprocess.run(_as_user(user, [str(bindir / "initdb"), "-D", str(data), "-U", PG_SUPERUSER,
                                       "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, stdout=subprocess.DEVNULL, cwd=root)
    write_pg_hba(data)
    say(f"PostgreSQL: starting on 127.0.0.1:{local_pg_port()} (log {root / 'postgresql.log'})")
    # Loopback TCP only, no Unix socket (paths can be too long); local speed over durability.
    options = (f"-p {local_pg_port()} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
               "-c max_connections=2500 -c fsync=off -c full_page_writes=off -c synchronous_commit=off")
    subprocess.run(_as_user(user, [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "postgresql.log"),
                                   "-o", options, "-w", "-t", "60", "start"]),
                   check=True, stdout=subprocess.DEVNULL, cwd=root)
    _wait("PostgreSQL", _pg_answers, 60)
    state["postgres"] = {"data": str(data), "user": user, "bindir": str(bindir)}
    save_state(state)
    say("PostgreSQL: ready")


def pg_down(state: dict) -> None:
    info = state.pop("postgres", None)
    if not info:
        return
    say("PostgreSQL: stopping")
    subprocess.run(_as_user(info["user"], [str(Path(info["bindir"]) / "pg_ctl"), "-D", info["data"],
                                           "-m", "fast", "-w", "stop"]),
                   check=False, stdout=subprocess.DEVNULL, cwd=Path(info["data"]).parent)
    save_state(state)


# -- Kafka -----------------------------------------------------------------------------
def _kafka_jars() -> Path:
    jars = home() / "kafka" / "jars"
    digest = hashlib.sha1(KAFKA_POM.read_bytes()).hexdigest()
    # A second stack (another PDZ_HOME) uses the default folder's jars rather than fetching them again.
    for candidate in (jars, DEFAULT_HOME / "kafka" / "jars"):
        marker = candidate / ".pom-sha1"
        if marker.exists() and marker.read_text() == digest:
            return candidate
    if not shutil.which("mvn"):
        raise StackError("Maven (mvn) is needed to fetch the Kafka jars: apt-get install maven")
    say("Kafka: fetching the broker jars from Maven Central (once)")
    if jars.exists():
        shutil.rmtree(jars)
    log = home() / "kafka" / "maven.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        done = subprocess.run(["mvn", "-q", "-B", "-Dstyle.color=never", "-f", str(KAFKA_POM),
                               "dependency:copy-dependencies", f"-DoutputDirectory={jars}",
                               "-DincludeScope=runtime"], stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise StackError(f"Maven could not fetch the Kafka jars; see {log}")
    (jars / ".pom-sha1").write_text(digest)
    return jars


def _java_cmd(jars: Path, main: str, *args: str, heap: str = "128m") -> list[str]:
    return ["java", f"-Xmx{heap}", f"-Dlog4j2.configurationFile={KAFKA_LOG4J}",
            "-cp", f"{jars}/*", main, *args]


def _kafka_answers() -> bool:
    if not _port_open(local_kafka_port()):
        return False
    from kafka import KafkaAdminClient
    try:
        admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{local_kafka_port()}",
                                 request_timeout_ms=3000, api_version_auto_timeout_ms=3000)
        try:
            admin.list_topics()
        finally:
            admin.close()
        return True
    except Exception:
        return False


def kafka_up(state: dict) -> None:
    if os.environ.get("PDZ_KAFKA_BOOTSTRAP"):
        say("Kafka: using PDZ_KAFKA_BOOTSTRAP, nothing started")
        return
    if _kafka_answers():
        say(f"Kafka: already answering on 127.0.0.1:{local_kafka_port()}")
        return
    if not shutil.which("java"):
        raise StackError("Java 17+ is needed to run Kafka: apt-get install openjdk-17-jre-headless")
    jars = _kafka_jars()
    root = home() / "kafka"
    root.mkdir(parents=True, exist_ok=True)
    data = root / "data"
    config = root / "server.properties"
    config.write_text(KAFKA_PROPERTIES.read_text()
                      .replace("@PORT@", str(local_kafka_port()))
                      .replace("@CONTROLLER_PORT@", str(local_kafka_port() + 1))
                      .replace("@DATA@", str(data)))
    if not (data / "meta.properties").exists():
        say(f"Kafka: formatting storage in {data} (once)")
        cluster_id = subprocess.run(_java_cmd(jars, "kafka.tools.StorageTool", "random-uuid"),
                                    check=True, capture_output=True, text=True).stdout.split()[-1]
        subprocess.run(_java_cmd(jars, "kafka.tools.StorageTool", "format", "-t", cluster_id,
                                 "-c", str(config)), check=True, stdout=subprocess.DEVNULL)
    log_path = root / "kafka.log"
    say(f"Kafka: starting KRaft broker on 127.0.0.1:{local_kafka_port()} (log {log_path})")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(_java_cmd(jars, "kafka.Kafka", str(config), heap="768m"),
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    state["kafka"] = {"pid": process.pid}
    save_state(state)
    try:
        _wait("Kafka", lambda: process.poll() is None and _kafka_answers(), 120)
    except StackError:
        raise StackError(f"Kafka did not start; see {log_path}") from None
    say("Kafka: ready")


def kafka_down(state: dict) -> None:
    info = state.pop("kafka", None)
    if not info:
        return
    pid = info["pid"]
    if _pid_alive(pid):
        say("Kafka: stopping")
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 40
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
    save_state(state)


# -- commands --------------------------------------------------------------------------
def up() -> None:
    state = load_state()
    pg_up(state)
    kafka_up(state)
    say("stack is up: " + status_line())


def down() -> None:
    state = load_state()
    kafka_down(state)
    pg_down(state)
    say("stack is down (servers this stack did not start were left alone)")


def status_line() -> str:
    pg = "external" if os.environ.get("PDZ_DATABASE_URL") else ("up" if _pg_answers() else "down")
    kafka = "external" if os.environ.get("PDZ_KAFKA_BOOTSTRAP") else ("up" if _kafka_answers() else "down")
    return f"postgresql={pg} (127.0.0.1:{local_pg_port()}) kafka={kafka} (127.0.0.1:{local_kafka_port()})"


def status() -> int:
    line = status_line()
    print(line)
    return 0 if "down" not in line else 1


def main(action: str) -> int:
    try:
        if action == "up":
            up()
        elif action == "down":
            down()
        else:
            return status()
    except (StackError, subprocess.CalledProcessError) as exc:
        print(f"pdz stack {action}: {exc}", file=sys.stderr)
        return 1
    return 0


# -- one server of a stack (the fault tests stop and start their own) ------------------
SERVERS = {"postgres": (pg_up, pg_down), "kafka": (kafka_up, kafka_down)}


def start_server(server: str) -> None:
    """Start only PostgreSQL or only Kafka of the stack in PDZ_HOME (as `up` would)."""
    SERVERS[server][0](load_state())


def stop_server(server: str) -> None:
    """Stop only PostgreSQL or only Kafka of the stack in PDZ_HOME, if this stack started it."""
    SERVERS[server][1](load_state())


if __name__ == "__main__":
    # python -m shared.cli.stack up|down|status, or start|stop postgres|kafka
    argv = sys.argv[1:]
    if len(argv) == 2 and argv[0] in ("start", "stop") and argv[1] in SERVERS:
        try:
            (start_server if argv[0] == "start" else stop_server)(argv[1])
        except (StackError, subprocess.CalledProcessError) as exc:
            print(f"stack {argv[0]} {argv[1]}: {exc}", file=sys.stderr)
            sys.exit(1)
        sys.exit(0)
    if len(argv) == 1 and argv[0] in ("up", "down", "status"):
        sys.exit(main(argv[0]))
    print("usage: python -m shared.cli.stack up|down|status | start|stop postgres|kafka", file=sys.stderr)
    sys.exit(2)
