"""The replay's progress line and its output on a terminal and elsewhere (no I/O but a StringIO)."""
import io

from hypothesis import given, strategies as st

from services.reporting.replay_progress import Progress, progress_line


def test_the_line_says_done_total_rate_and_time_left():
    line = progress_line(done=250_000, total=1_000_000, elapsed=10.0, width=10)
    assert line == "[##........] 250,000/1,000,000 events  25.0% | 25,000 events/s | 0:00:30 left"
    assert progress_line(done=5, total=5, elapsed=1.0, width=4).endswith("| 5 events/s | done")
    assert progress_line(done=0, total=5, elapsed=0.0).endswith("time left unknown")


@given(done=st.integers(-10, 2_000), total=st.integers(0, 1_000), elapsed=st.floats(0, 1e6))
def test_the_bar_never_overflows(done, total, elapsed):
    line = progress_line(done=done, total=total, elapsed=elapsed, width=20)
    bar = line[1:line.index("]")]
    assert len(bar) == 20 and set(bar) <= {"#", "."}


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_plain_lines_every_interval_off_a_terminal():
    out, clock = io.StringIO(), _Clock()
    progress = Progress(total=100, label="replay", stream=out, clock=clock, every=5.0)
    for step in range(1, 11):
        clock.now = step
        progress.update(step * 10)
    progress.finish(100)
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and len(lines) == 3  # at 1 s, 6 s, and the end
    assert lines[-1].startswith("replay [") and "100/100 events" in lines[-1] and lines[-1].endswith("done")


def test_one_redrawn_line_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    out, clock = Tty(), _Clock()
    progress = Progress(total=10, label="replay", stream=out, clock=clock)
    clock.now = 1.0
    progress.update(3)
    progress.finish(10)
    assert out.getvalue().count("\r") == 2 and out.getvalue().count("\n") == 1
