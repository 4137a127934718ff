"""Per-sender rate limit: a token bucket per source, in this process (so per intake replica)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`rate` requests per second on average, bursts of up to `burst`; `take` says how long to wait if refused.

    Memory stays bounded: when more than `max_sources` senders are tracked, full buckets (senders idle long
    enough to have refilled) are forgotten, which changes nothing for them."""

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 max_sources: int = 10_000) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.max_sources = max_sources
        self._buckets: dict[str, _Bucket] = {}

    def take(self, source: str) -> float:
        """0 when the request may go ahead (and is counted); otherwise the seconds until it could."""
        now = self.clock()
        bucket = self._buckets.get(source)
        if bucket is None:
            if len(self._buckets) >= self.max_sources:
                self._forget_full(now)
            bucket = self._buckets[source] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        for source in [s for s, b in self._buckets.items()
                       if b.tokens + (now - b.updated) * self.rate >= self.burst]:
            del self._buckets[source]
