"""The relay's and consumer's operations port answers with the same security headers as the APIs."""
import socket
import urllib.error
import urllib.request

import pytest

from shared.ops import serve_ops


@pytest.fixture
def port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    server = serve_ops(port=free, addr="127.0.0.1", live={"loop": lambda: None}, ready={"db": lambda: "down"})
    yield free
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path, status", [("/metrics", 200), ("/livez", 200), ("/readyz", 503), ("/nothing", 404)])
def test_every_answer_of_the_operations_port_carries_the_headers(port, path, status):
    try:
        response = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    assert response.status == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
