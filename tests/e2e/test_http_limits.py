"""Limits of a real gunicorn-served API: slow clients, bodies checked before they are read.

One registry API process with one worker of four threads (so that four stuck threads would be
all of them) and 24 connections, on a catalogue of its own. No database is needed: every request here is answered,
or refused, before a view touches one.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import urllib.request

import pytest

from shared.cli.run import placement, spawn, terminate, wait_http
from shared.http.auth import mint_dev_token
from tests.conftest import random_slug, write_catalogue
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.e2e

KEY = "e2e-limits-key-" + "l" * 32
LIMIT = 64 * 1024
CLIENT_TIMEOUT = 3
PATIENT_TIMEOUT = 120   # longer than livez()'s 30 s: hanging requests must not wait their time out first


def start_api(folder, *, client_timeout: int):
    """The registry API on a free port; yields its handles, stops it afterwards."""
    slug = random_slug("lim")
    port = free_port()
    env = {**os.environ, "PDZ_TENANTS_FILE": str(write_catalogue(folder, [slug])),
           "PDZ_JWT_DEV_KEY": KEY, "PDZ_WEB_WORKERS": "1", "PDZ_WEB_THREADS": "4",
           "PDZ_WEB_CONNECTIONS": "24",  # fewer than the hanging requests below: a full worker accepts nothing
           "PDZ_MAX_BODY_BYTES": str(LIMIT), "PDZ_HTTP_CLIENT_TIMEOUT": str(client_timeout)}
    env.update(placement("registry-api", port=port, prometheus_root=folder / "prometheus"))
    process = spawn("registry-api", env=env, log_dir=folder / "logs")
    try:
        if not wait_http(f"http://127.0.0.1:{port}/livez", timeout=60):
            raise AssertionError((folder / "logs" / "registry-api.log").read_text()[-3000:])
        yield {"port": port, "slug": slug, "log": folder / "logs" / "registry-api.log",
               "token": mint_dev_token(key=KEY, subject="e2e", roles=["operator"], tenants=[slug])}
    finally:
        terminate({"registry-api": process.pid})
        process.wait(30)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    yield from start_api(tmp_path_factory.mktemp("limits"), client_timeout=CLIENT_TIMEOUT)


@pytest.fixture(scope="module")
def patient_api(tmp_path_factory):
    """One that waits longer for a request than a probe waits for its answer."""
    yield from start_api(tmp_path_factory.mktemp("patient"), client_timeout=PATIENT_TIMEOUT)


def connect(api) -> socket.socket:
    return socket.create_connection(("127.0.0.1", api["port"]), timeout=30)


def read_answer(sock: socket.socket) -> tuple[int, dict, bytes]:
    """Status, headers and body of one HTTP/1.1 answer with a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", len(body)))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def livez(api) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{api['port']}/livez", timeout=30) as response:
        return response.status


def test_half_sent_requests_do_not_make_the_service_unresponsive(patient_api):
    # Finding 3: 40 half-sent requests made budget's /livez unresponsive (gthread, 2 workers x 4 threads).
    # 50 here, against 4 threads and 24 connections: neither the threads nor the connections may run out.
    api = patient_api
    stalled = []
    try:
        for index in range(40):
            sock = connect(api)
            sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: " + str(index).encode())
            stalled.append(sock)
        for index in range(10):  # and some whose body never comes
            sock = connect(api)
            sock.sendall(f"POST /v1/{api['slug']}/calls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         f"Content-Length: 1000\r\n\r\n{{\"title\": ".encode())
            stalled.append(sock)
        assert livez(api) == 200
        assert livez(api) == 200
    finally:
        for sock in stalled:
            sock.close()


def test_a_request_not_sent_in_time_is_answered_408_and_closed(api):
    with connect(api) as sock:
        sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n")
        status, headers, body = read_answer(sock)  # the server's clock, not the test's, decides when
        assert status == 408 and json.loads(body)["status"] == 408
        assert sock.recv(1) == b""


def test_a_declared_body_over_the_limit_is_refused_without_waiting_for_it(api):
    with connect(api) as sock:
        sock.sendall(f"POST /v1/{api['slug']}/applications HTTP/1.1\r\nHost: x\r\n"
                     f"Authorization: Bearer {api['token']}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {20 * 1024 * 1024}\r\n\r\n".encode())
        status, headers, body = read_answer(sock)
        assert status == 413, body
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body)["type"].endswith("/payload-too-large")


def test_the_body_of_a_get_is_never_waited_for_nor_read(api):
    # Finding 3: a 20 MB JSON body sent with a GET to the public CSV export was read and parsed.
    # Here it is declared and never sent: a server that reads it would wait for it forever.
    with connect(api) as sock:
        sock.sendall(f"GET /v1/{api['slug']}/public/stakeholders.csv HTTP/1.1\r\nHost: x\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {20 * 1024 * 1024}\r\n\r\n".encode())
        status, headers, body = read_answer(sock)
        assert status not in (400, 408, 413, 422), body   # (no database here: 503 is the view's answer)
        assert headers["x-content-type-options"] == "nosniff"


def chunked(payload: bytes, size: int = 8192) -> bytes:
    parts = [payload[i:i + size] for i in range(0, len(payload), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def test_a_chunked_body_over_the_limit_is_413(api):
    payload = json.dumps({"organisation": {"name": "x" * (LIMIT * 3)}}).encode()
    with connect(api) as sock:
        sock.sendall(f"POST /v1/{api['slug']}/applications HTTP/1.1\r\nHost: x\r\n"
                     f"Authorization: Bearer {api['token']}\r\nContent-Type: application/json\r\n"
                     f"Transfer-Encoding: chunked\r\n\r\n".encode() + chunked(payload))
        status, headers, body = read_answer(sock)
        assert status == 413, body
        assert json.loads(body)["type"].endswith("/payload-too-large")


def test_a_long_bearer_token_header_is_accepted(api):
    # gunicorn's default limit_request_field_size (8190) answered 431 to a token of 8,236 characters.
    request = urllib.request.Request(f"http://127.0.0.1:{api['port']}/livez",
                                     headers={"Authorization": "Bearer " + "a" * 12000})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def test_the_process_log_has_no_query_values_and_every_access_line_its_request_id(api):
    # Finding 6: the access log wrote full query strings (a codice fiscale in ?q=, a token in
    # ?access_token=) and its request_id was always null (gunicorn's own access line, outside Flask).
    conn = http.client.HTTPConnection("127.0.0.1", api["port"], timeout=30)
    try:
        conn.request("GET", f"/v1/{api['slug']}/stakeholders?q=RSSMRA85T10A562S&access_token=sekret-token-value",
                     headers={"Authorization": f"Bearer {api['token']}", "X-Request-ID": "e2e-query-1"})
        conn.getresponse().read()
        # The same connection: its second answer comes after everything logged for the first.
        conn.request("GET", "/livez", headers={"X-Request-ID": "e2e-query-2"})
        assert conn.getresponse().status == 200
    finally:
        conn.close()
    text = api["log"].read_text()
    assert "RSSMRA85T10A562S" not in text and "sekret-token-value" not in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    access = [line for line in lines if "access" in line["logger"]]
    assert access and all(line.get("request_id") for line in access), access[-3:]
    mine = [line for line in access if line["request_id"] == "e2e-query-1"]
    assert mine and mine[0]["query"] == "q=…&access_token=…"
