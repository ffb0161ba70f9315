"""gunicorn's gthread worker, changed so that a slow client holds a socket, never a thread.

gunicorn's gthread worker hands a connection to a thread as soon as its first byte arrives, and
the thread then reads the rest of the request from a blocking socket with no time limit: forty
clients that each send half a request hold every thread of a 2x4 deployment for as long as they
like (gunicorn's `timeout` only restarts a worker whose main loop stops, and that loop keeps
running). gunicorn documents this and expects a buffering proxy in front; the ingress is that
proxy in production (docs/deployment.md), and this worker keeps a process safe without one:

- The event loop reads each request's head, and its body when Content-Length declares one of at
  most PDZ_MAX_BODY_BYTES, before a thread takes it. A request not complete within
  PDZ_HTTP_CLIENT_TIMEOUT seconds (default 10) gets a 408 and is closed; a head over 64 KiB a 431.
- What a thread still reads from the socket (a chunked body) waits at most that long per read.
- At most half of `worker_connections` may be sending their request at once; the one that has
  been at it longest makes room for a new one (408). Without that cap, hanging requests would
  fill `worker_connections`, and a full worker stops accepting, probes included, until they
  time out.
- A connection whose request body was not read to the end is closed after the answer instead
  of kept alive, so no thread ever drains a body it refused.

Plain HTTP only (TLS ends at the ingress); with gunicorn's own TLS it behaves like gthread.
"""
from __future__ import annotations

import re
import time

from gunicorn.http.body import ChunkedReader, LengthReader
from gunicorn.workers.gthread import ThreadWorker

from shared.config import env_float
from shared.http.limits import max_body_bytes

MAX_HEAD_BYTES = 64 * 1024  # as ingress-nginx's large-client-header-buffers "4 16k"
RECV_BYTES = 64 * 1024
_HEAD_END = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*([0-9]{1,15})[ \t]*\r\n", re.IGNORECASE)
_TRANSFER_ENCODING = re.compile(rb"\r\ntransfer-encoding[ \t]*:", re.IGNORECASE)


def _canned(status: str, detail: str) -> bytes:
    """A problem+json answer written by the event loop itself, on a connection it then closes."""
    slug = status.split(" ", 1)[1].lower().replace(" ", "-")
    body = ('{"type": "https://pdz.example.org/problems/%s", "title": "%s", "status": %s, "detail": "%s"}'
            % (slug, status.split(" ", 1)[1], status.split(" ", 1)[0], detail)).encode()
    head = (f"HTTP/1.1 {status}\r\nContent-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n")
    return head.encode() + body


REQUEST_TIMEOUT = _canned("408 Request Timeout", "The request was not sent in time.")
HEAD_TOO_LARGE = _canned("431 Request Header Fields Too Large", "The request head is too large.")


def request_complete(buffer: bytes | bytearray, *, max_body: int) -> bool | None:
    """Whether a thread can take the request now: True, False (wait for more), None (head too large)."""
    end = buffer.find(_HEAD_END)
    if end < 0:
        return None if len(buffer) > MAX_HEAD_BYTES else False
    if end > MAX_HEAD_BYTES:
        return None
    if _TRANSFER_ENCODING.search(buffer, 0, end + 2):
        return True   # chunked: the thread reads it, each read bounded by the socket timeout
    declared = _CONTENT_LENGTH.search(buffer, 0, end + 2)
    if declared is None or int(declared.group(1)) > max_body:
        return True   # no body, or one the app refuses (413) without reading it
    return len(buffer) >= end + len(_HEAD_END) + int(declared.group(1))


def body_left_unread(request) -> bool:
    """Whether the app answered without reading the request's body to the end."""
    reader = getattr(getattr(request, "body", None), "reader", None)
    if isinstance(reader, LengthReader):
        return reader.length > 0
    if isinstance(reader, ChunkedReader):
        return reader.parser is not None
    return False


class BufferedThreadWorker(ThreadWorker):
    """gthread, with requests read by the event loop (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client_timeout = env_float("PDZ_HTTP_CLIENT_TIMEOUT", 10.0)
        self.max_body = max_body_bytes()
        self._reading: set = set()   # connections still sending their request (event loop only)
        self.max_reading = max(1, self.worker_connections // 2)

    def on_client_socket_readable(self, conn, client):
        if self.cfg.is_ssl:
            return super().on_client_socket_readable(conn, client)
        if getattr(conn, "pdz_buffer", None) is None:   # a new request on this connection
            if conn.initialized:   # kept alive since its last request
                with self._lock:
                    try:
                        self._keep.remove(conn)
                    except ValueError:
                        return  # closed as idle meanwhile
            if len(self._reading) >= self.max_reading:
                self._drop(min(self._reading, key=lambda c: c.pdz_deadline), answer=REQUEST_TIMEOUT)
            conn.pdz_buffer = bytearray()
            conn.pdz_deadline = time.monotonic() + self.client_timeout
            self._reading.add(conn)
        try:
            data = conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        conn.pdz_buffer += data
        complete = request_complete(conn.pdz_buffer, max_body=self.max_body)
        if complete is None:
            self.log.info("refused a request head over %s bytes from %s", MAX_HEAD_BYTES, conn.client)
            self._drop(conn, answer=HEAD_TOO_LARGE)
        elif complete:
            self._hand_over(conn)

    def _hand_over(self, conn) -> None:
        self._reading.discard(conn)
        with self._lock:
            self.poller.unregister(conn.sock)
        buffered, conn.pdz_buffer = bytes(conn.pdz_buffer), None
        conn.init()
        conn.sock.settimeout(self.client_timeout)
        conn.parser.unreader.unread(buffered)
        self._wrap_future(self.tpool.submit(self.handle, conn), conn)

    def _drop(self, conn, *, answer: bytes | None = None) -> None:
        self._reading.discard(conn)
        conn.pdz_buffer = None
        with self._lock:
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
        if answer:
            try:
                conn.sock.send(answer)   # small: fits the socket's buffer, never blocks
            except OSError:
                pass
        conn.close()
        self.nr_conns -= 1

    def murder_keepalived(self):
        super().murder_keepalived()
        now = time.monotonic()
        expired = [c for c in self._reading if c.pdz_deadline <= now]
        if expired:
            self.log.info("closed %d connections whose request was not sent within %ss",
                          len(expired), self.client_timeout)
        for conn in expired:
            self._drop(conn, answer=REQUEST_TIMEOUT)

    def handle_request(self, req, conn):
        keepalive = super().handle_request(req, conn)
        return keepalive and not body_left_unread(req)
