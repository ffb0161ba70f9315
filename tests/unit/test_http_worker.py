"""When the event loop of shared/http/worker.py hands a request to a thread (pure decisions)."""

from gunicorn.http.body import ChunkedReader, LengthReader
from gunicorn.http.unreader import IterUnreader

from shared.http.worker import MAX_HEAD_BYTES, body_left_unread, request_complete

HEAD = b"POST /v1/a/calls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"


def test_a_head_without_its_end_waits():
    assert request_complete(b"GET /livez HTTP/1.1\r\nHost: x\r\n", max_body=100) is False


def test_a_head_without_a_body_is_complete():
    assert request_complete(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n", max_body=100) is True


def test_a_declared_body_is_waited_for_in_full():
    head = HEAD + b"Content-Length: 10\r\n\r\n"
    assert request_complete(head + b"12345", max_body=100) is False
    assert request_complete(head + b"1234567890", max_body=100) is True
    assert request_complete(HEAD.lower() + b"content-length:10\r\n\r\n1234567890", max_body=100) is True


def test_a_body_over_the_limit_is_not_waited_for():
    assert request_complete(HEAD + b"Content-Length: 101\r\n\r\n", max_body=100) is True


def test_a_chunked_body_goes_to_the_thread():
    assert request_complete(HEAD + b"Transfer-Encoding: chunked\r\n\r\n", max_body=100) is True


def test_a_header_value_naming_content_length_is_not_the_header():
    head = HEAD + b"X-Note: content-length: 5\r\n\r\n"
    assert request_complete(head, max_body=100) is True


def test_a_head_too_large_is_refused():
    assert request_complete(b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_HEAD_BYTES + 1), max_body=100) is None


class FakeRequest:
    def __init__(self, reader):
        self.body = type("Body", (), {"reader": reader})()


def test_an_unread_body_is_noticed():
    assert body_left_unread(FakeRequest(LengthReader(IterUnreader([b"abc"]), 3)))
    reader = LengthReader(IterUnreader([b"abc"]), 3)
    reader.read(3)
    assert not body_left_unread(FakeRequest(reader))
    assert body_left_unread(FakeRequest(ChunkedReader(None, IterUnreader([b"3\r\nabc\r\n0\r\n\r\n"]))))
    assert not body_left_unread(FakeRequest(None))
