"""Coder's API rate limit: a number of requests per minute for each client and path.

Coder uses ``go-chi/httprate`` keyed by user (or address) and endpoint, a sliding window
counter; this is the same estimate: the previous window's count, weighted by how much of it
still overlaps the sliding minute, plus the current window's count.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # unix time when the current window ends

    def headers(self) -> dict[str, str]:
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            out["Retry-After"] = str(WINDOW_SECONDS)
        return out

    @property
    def message(self) -> str:
        return f"You've been rate limited for sending more than {self.limit} requests in 1m0s."


class RateLimiter:
    """``hit(key)`` counts a request; a limit of 0 disables limiting (every hit allowed)."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self._clock = clock
        self._counts: dict[tuple[str, int], int] = {}
        self._window = 0

    def hit(self, key: str) -> RateDecision:
        now = self._clock()
        window = int(now // WINDOW_SECONDS)
        reset = (window + 1) * WINDOW_SECONDS
        if self.limit <= 0:
            return RateDecision(True, 0, 0, reset)
        self._forget_before(window - 1)
        previous = self._counts.get((key, window - 1), 0)
        current = self._counts.get((key, window), 0)
        elapsed = now - window * WINDOW_SECONDS
        estimate = math.floor(previous * (WINDOW_SECONDS - elapsed) / WINDOW_SECONDS) + current
        if estimate >= self.limit:
            return RateDecision(False, self.limit, 0, reset)
        self._counts[(key, window)] = current + 1
        return RateDecision(True, self.limit, max(self.limit - estimate - 1, 0), reset)

    def _forget_before(self, window: int) -> None:
        if window <= self._window:
            return
        self._window = window
        for stale in [k for k in self._counts if k[1] < window]:
            del self._counts[stale]
