"""Progress on stderr: only on a terminal, only for runs longer than a second.

Never in pipes, CI logs or report files: the caller enables it only when
stderr is a TTY, and nothing is drawn before `DELAY` seconds have passed, so
quick runs (pre-commit) print nothing at all. The line is erased when done.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 1.0
INTERVAL = 0.1


class Progress:
    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None, label: str = "checked") -> None:
        self.total = total
        self.done = 0
        self.enabled = enabled and total > 0
        self.stream = stream or sys.stderr
        self.label = label
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.drawn = False

    def phase(self, label: str, total: int) -> None:
        """Start counting another phase (summaries, then files)."""
        self.label, self.total, self.done = label, total, 0

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < DELAY or (now - self.drawn_at < INTERVAL and self.done < self.total):
            return
        self.drawn_at = now
        self.drawn = True
        self.stream.write(f"\rlintkit: {self.label} {self.done}/{self.total} files\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False
