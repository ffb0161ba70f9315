"""The exports' cache: reuse while the fingerprint holds, bounded in bytes, one build at a time per key."""
import threading
import time

from services.registry.exports.cache import ExportCache


def test_a_body_is_reused_while_its_fingerprint_holds_and_rebuilt_when_it_changes():
    cache = ExportCache(max_bytes=100)
    first = cache.get_or_build("a", "v1", lambda: b"one")
    assert cache.get_or_build("a", "v1", lambda: b"never built") is first
    assert cache.get_or_build("a", "v2", lambda: b"two") == b"two"
    assert cache.get_or_build("a", "v1", lambda: b"one again") == b"one again"   # only the last is kept
    assert cache.builds["a"] == 3 and cache.size() == len(b"one again")


def test_memory_is_bounded_in_bytes_least_recently_used_first_out():
    cache = ExportCache(max_bytes=10)
    cache.get_or_build("a", "v", lambda: b"aaaa")
    cache.get_or_build("b", "v", lambda: b"bbbb")
    cache.get_or_build("a", "v", lambda: b"not again")     # a is now the most recently used
    cache.get_or_build("c", "v", lambda: b"cccc")          # 12 bytes > 10: b goes
    assert cache.size() == 8
    assert cache.get_or_build("a", "v", lambda: b"rebuilt") == b"aaaa"
    assert cache.get_or_build("b", "v", lambda: b"BBBB") == b"BBBB" and cache.builds["b"] == 2


def test_a_body_larger_than_the_budget_is_served_but_not_kept():
    cache = ExportCache(max_bytes=10)
    cache.get_or_build("small", "v", lambda: b"ssss")
    assert cache.get_or_build("huge", "v", lambda: b"x" * 11) == b"x" * 11
    assert cache.get_or_build("huge", "v", lambda: b"y" * 11) == b"y" * 11
    assert cache.builds["huge"] == 2 and cache.size() == 4
    assert cache.get_or_build("small", "v", lambda: b"rebuilt") == b"ssss"


def test_requests_that_miss_together_wait_for_one_build():
    cache = ExportCache(max_bytes=100)
    started, release = threading.Event(), threading.Event()

    def slow_build():
        started.set()
        assert release.wait(10)
        return b"body"

    results = []
    first = threading.Thread(target=lambda: results.append(cache.get_or_build("k", "v", slow_build)))
    first.start()
    assert started.wait(10)
    waiters = [threading.Thread(target=lambda: results.append(cache.get_or_build("k", "v", slow_build)))
               for _ in range(3)]
    for thread in waiters:
        thread.start()
    _await(lambda: cache.waiting("k") == 3)   # all three are queued behind the first build
    release.set()
    for thread in [first, *waiters]:
        thread.join(10)
    assert results == [b"body"] * 4 and cache.builds["k"] == 1


def _await(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.001)
