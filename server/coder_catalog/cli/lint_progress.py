"""A progress bar on a terminal's stderr for long lint runs; nothing at all elsewhere (CI logs)."""

from __future__ import annotations

import time
from typing import TextIO

MIN_FILES = 20
_INTERVAL = 0.1
_WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._shown_at = 0.0
        self._visible = False

    @staticmethod
    def wanted(stream: TextIO) -> bool:
        try:
            return stream.isatty()
        except (AttributeError, ValueError):
            return False

    def __call__(self, done: int, total: int) -> None:
        if total <= MIN_FILES:
            return
        now = time.monotonic()
        if done < total and now - self._shown_at < _INTERVAL:
            return
        self._shown_at = now
        filled = _WIDTH * done // total
        self.stream.write(f"\r[{'#' * filled}{'.' * (_WIDTH - filled)}] {done}/{total} files")
        self.stream.flush()
        self._visible = True

    def close(self) -> None:
        if self._visible:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._visible = False
