"""The replay's progress bar on stderr: events done of the total, rate, time left (plain lines off a TTY)."""
from __future__ import annotations

import sys
import time

BAR_WIDTH = 30


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def progress_line(*, done: int, total: int, elapsed: float, width: int = BAR_WIDTH) -> str:
    """One line: bar, done/total events, percentage, events/s since the start, time left (pure)."""
    done = max(0, min(done, total)) if total else max(0, done)
    share = done / total if total else 1.0
    filled = int(share * width)
    rate = done / elapsed if elapsed > 0 else 0.0
    if done >= total:
        left = "done"
    elif rate > 0:
        left = f"{_duration((total - done) / rate)} left"
    else:
        left = "time left unknown"
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} events {share * 100:5.1f}%"
            f" | {rate:,.0f} events/s | {left}")


class Progress:
    """Redraws one line on a terminal (at most every `tty_every` s); elsewhere prints a line every `every` s."""

    def __init__(self, *, total: int, label: str, stream=None, clock=time.monotonic,
                 every: float = 10.0, tty_every: float = 0.2):
        self.total, self.label = total, label
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = tty_every if self.tty else every
        self.started = clock()
        self._shown = float("-inf")

    def update(self, done: int) -> None:
        now = self.clock()
        if now - self._shown < self.every:
            return
        self._shown = now
        self._write(done, final=False)

    def finish(self, done: int) -> None:
        self._write(done, final=True)

    def _write(self, done: int, *, final: bool) -> None:
        line = f"{self.label} {progress_line(done=done, total=self.total, elapsed=self.clock() - self.started)}"
        if self.tty:
            self.stream.write("\r\x1b[2K" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
