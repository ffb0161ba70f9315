"""/metrics of an API on its own port (issue 12, item 2): the gunicorn master serves every
worker's samples on PDZ_METRICS_PORT, and the API port answers /metrics only when told to
(PDZ_METRICS_ON_API_PORT=1, what `pdz run` sets), so the Service's `http` port and the
Ingress never carry it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from shared.cli.run import placement
from shared.config import Settings
from shared.http.app import create_service_app
from shared.http.metrics import metrics_on_api_port
from tests.conftest import write_catalogue

ROOT = Path(__file__).resolve().parents[2]
KEY = "metrics-port-test-key-" + "m" * 32


def _app(tmp_path):
    settings = Settings(tenants_file=write_catalogue(tmp_path, ["alpha"]), jwt_dev_key=KEY,
                        database_url="postgresql://nobody@127.0.0.1:1/none")
    return create_service_app(service="registry", title="Metrics", blueprints=[], settings=settings)


@pytest.mark.parametrize("env,expected", [
    ({}, True),                                                   # no metrics port: on the API port
    ({"PDZ_METRICS_PORT": "9100"}, False),                         # the image's and the cluster's setting
    ({"PDZ_METRICS_PORT": "9100", "PDZ_METRICS_ON_API_PORT": "1"}, True),
    ({"PDZ_METRICS_PORT": "0", "PDZ_METRICS_ON_API_PORT": "0"}, False),
])
def test_where_the_api_serves_metrics(monkeypatch, tmp_path, env, expected):
    for name in ("PDZ_METRICS_PORT", "PDZ_METRICS_ON_API_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert metrics_on_api_port() is expected
    answer = _app(tmp_path).test_client().get("/metrics")
    assert answer.status_code == (200 if expected else 404)
    if expected:
        assert b"# HELP" in answer.data or answer.data == b""


def test_pdz_run_keeps_metrics_on_the_api_port(tmp_path):
    env = placement("registry-api", port=1, prometheus_root=tmp_path)
    assert env["PDZ_METRICS_ON_API_PORT"] == "1" and env["PDZ_METRICS_PORT"] == "0"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=3) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _poll(url: str, deadline: float, process) -> tuple[int, str]:
    while True:
        try:
            return _get(url)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


APP_FACTORY = """
import os, sys
from shared.config import Settings
from shared.http.app import create_service_app
from shared.http.serve import serve
settings = Settings(tenants_file=sys.argv[1], jwt_dev_key=os.environ["PDZ_JWT_DEV_KEY"],
                    database_url="postgresql://nobody@127.0.0.1:1/none")
serve(lambda: create_service_app(service="registry", title="Metrics", blueprints=[], settings=settings))
"""


def test_gunicorn_answers_metrics_on_the_metrics_port_only(tmp_path):
    api, metrics = _free_port(), _free_port()
    prom = tmp_path / "prom"
    prom.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PDZ_METRICS_ON_API_PORT"}
    env.update(PDZ_BIND=f"127.0.0.1:{api}", PDZ_METRICS_PORT=str(metrics), PDZ_METRICS_ADDR="127.0.0.1",
               PROMETHEUS_MULTIPROC_DIR=str(prom), PDZ_WEB_WORKERS="2", PDZ_ENV="development",
               PDZ_JWT_DEV_KEY=KEY, PDZ_JWT_JWKS_URL="", PDZ_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    catalogue = write_catalogue(tmp_path, ["alpha"])
    process = subprocess.Popen([sys.executable, "-c", APP_FACTORY, str(catalogue)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        assert _poll(f"http://127.0.0.1:{api}/livez", deadline, process)[0] == 200
        for _ in range(3):  # requests counted by a worker appear on the master's port
            _get(f"http://127.0.0.1:{api}/livez")
        status, body = _poll(f"http://127.0.0.1:{metrics}/metrics", deadline, process)
        assert status == 200
        assert 'pdz_http_requests_total{endpoint="/livez"' in body
        assert _get(f"http://127.0.0.1:{api}/metrics")[0] == 404      # not on the API port
        assert _get(f"http://127.0.0.1:{metrics}/v1/alpha")[0] == 404  # the metrics port serves nothing else
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
        process.stderr.close()
